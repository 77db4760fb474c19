/*
 * The one place the GCP layer loads @cdktf/provider-google. lib/index.ts exports the GCP classes (so jsii
 * documents them in API.md), but AWS users have no reason to install the google bindings: every GCP file
 * imports the bindings' types with `import type` (erased at compile time) and gets the classes from here,
 * inside constructors. Loading lib/index.ts therefore never requires '@cdktf/provider-google'; constructing a
 * GCP construct without the package installed throws an error naming it.
 */

/** The package the GCP layer needs, as users install it. */
export const GOOGLE_PROVIDER_PACKAGE = '@cdktf/provider-google';

const cache = new Map<string, unknown>();

/**
 * Requires a deep module of the google bindings, e.g. `kms-crypto-key` for
 * `@cdktf/provider-google/lib/kms-crypto-key`, or throws an error naming the package to install.
 */
export function loadGoogle<T>(module: string): T {
  let loaded = cache.get(module);
  if (loaded === undefined) {
    const path = `${GOOGLE_PROVIDER_PACKAGE}/lib/${module}`;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require(path);
    } catch (err: any) {
      if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(GOOGLE_PROVIDER_PACKAGE)) {
        throw new Error(`The Google Cloud constructs of cdktf-mlops need the optional peer dependency ${GOOGLE_PROVIDER_PACKAGE} `
          + `(^16.12.1), which is not installed: run \`npm install ${GOOGLE_PROVIDER_PACKAGE}@^16.12.1\`. (${path})`);
      }
      throw err;
    }
    cache.set(module, loaded);
  }
  return loaded as T;
}

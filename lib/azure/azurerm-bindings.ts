/*
 * The one place the Azure layer loads @cdktf/provider-azurerm. lib/index.ts exports the Azure classes (so jsii
 * documents them in API.md), but AWS and GCP users have no reason to install the azurerm bindings: every Azure
 * file imports the bindings' types with `import type` (erased at compile time) and gets the classes from here,
 * inside constructors. Loading lib/index.ts therefore never requires '@cdktf/provider-azurerm'; constructing an
 * Azure construct without the package installed throws an error naming it.
 *
 * Usage in an Azure file:
 *   import type { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
 *   const { KeyVault: Vault } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/key-vault')>('key-vault');
 */

/** The package the Azure layer needs, as users install it. */
export const AZURERM_PROVIDER_PACKAGE = '@cdktf/provider-azurerm';

const cache = new Map<string, unknown>();

/**
 * Requires a deep module of the azurerm bindings, e.g. `key-vault-key` for
 * `@cdktf/provider-azurerm/lib/key-vault-key`, or throws an error naming the package to install.
 */
export function loadAzurerm<T>(module: string): T {
  let loaded = cache.get(module);
  if (loaded === undefined) {
    const path = `${AZURERM_PROVIDER_PACKAGE}/lib/${module}`;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require(path);
    } catch (err: any) {
      if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(AZURERM_PROVIDER_PACKAGE)) {
        throw new Error(`The Azure constructs of cdktf-mlops need the optional peer dependency ${AZURERM_PROVIDER_PACKAGE} `
          + `(^14.23.1), which is not installed: run \`npm install ${AZURERM_PROVIDER_PACKAGE}@^14.23.1\`. (${path})`);
      }
      throw err;
    }
    cache.set(module, loaded);
  }
  return loaded as T;
}

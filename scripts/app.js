#!/usr/bin/env node
/*
 * The app runner `cdktf synth` uses (see cdktf.json): runs a TypeScript cdktf app with plain Node.
 *
 *   node scripts/app.js examples/main.ts
 *
 * Every .ts file the app loads (lib/, examples/, your own stack) is transpiled with the already-installed
 * @swc/core, without type-checking (`npm run build` type-checks), and cached in
 * node_modules/.cache/cdktf-mlops-app/ keyed by the file's path and a hash of its content and of the transpiler
 * settings. A run where nothing changed loads only cached JavaScript and never loads the compiler; an edited
 * file is re-transpiled on its next run, so stale code never runs. Relative imports from TypeScript prefer the
 * .ts source over a .js beside it, so the output of an earlier `npm run build` (lib/*.js) is never picked up
 * instead of the source you just edited.
 *
 * Environment: CDKTF_MLOPS_APP_CACHE=<dir> moves the cache; CDKTF_MLOPS_APP_CACHE=off disables it.
 * Stack traces of an uncaught error are mapped back to the .ts sources; for full mapping of every trace run
 * with NODE_OPTIONS=--enable-source-maps (slower: cdktf captures a stack trace per token).
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');

const RUNNER_VERSION = '1';
const entryArg = process.argv[2];
if (!entryArg) {
  process.stderr.write('usage: node scripts/app.js <app.ts>\n');
  process.exit(2);
}

// Same semantics as tsconfig.json compiled by tsc: CommonJS, ES2020, no esModuleInterop, class fields assigned in
// the constructor (useDefineForClassFields false), legacy decorators, "use strict".
const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    target: 'es2020',
    keepClassNames: true,
    transform: { legacyDecorator: true, decoratorMetadata: false, useDefineForClassFields: false },
  },
  module: { type: 'commonjs', strict: false, strictMode: true, noInterop: true },
  sourceMaps: 'inline',
  inlineSourcesContent: false,
  swcrc: false,
  configFile: false,
};

const cacheSetting = process.env.CDKTF_MLOPS_APP_CACHE;
const cacheDir = cacheSetting === 'off' ? undefined
  : path.resolve(cacheSetting || path.join(findNodeModules(process.cwd()), '.cache', 'cdktf-mlops-app'));

let swc; // loaded only on a cache miss
let settingsHash;
function swcSettingsHash() {
  if (!settingsHash) {
    let swcVersion = 'unknown';
    try {
      swcVersion = require(require.resolve('@swc/core/package.json', { paths: [process.cwd(), __dirname] })).version;
    } catch { /* version unknown: still keyed by the settings */ }
    settingsHash = sha1(`${RUNNER_VERSION}\0${swcVersion}\0${JSON.stringify(SWC_OPTIONS)}`);
  }
  return settingsHash;
}

function sha1(text) {
  return crypto.createHash('sha1').update(text).digest('hex');
}

function findNodeModules(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'node_modules'))) {
      return path.join(d, 'node_modules');
    }
    if (path.dirname(d) === d) {
      return path.join(dir, 'node_modules');
    }
  }
}

/** JavaScript for one .ts file: from the cache when the source and settings are unchanged, else transpiled. */
function transpile(filename, source) {
  // The key covers the file's content and the transpiler settings; the cache file name covers its path, so the
  // cache holds at most one entry per source file and an edit replaces it.
  const key = `// ${sha1(`${filename}\0${source}`)} ${swcSettingsHash()}`;
  const cacheFile = cacheDir && path.join(cacheDir, `${path.basename(filename, '.ts')}-${sha1(filename).slice(0, 16)}.js`);
  if (cacheFile) {
    try {
      const cached = fs.readFileSync(cacheFile, 'utf8');
      const newline = cached.indexOf('\n');
      if (cached.slice(0, newline) === key) {
        return cached.slice(newline + 1);
      }
    } catch { /* miss */ }
  }
  swc = swc || require(require.resolve('@swc/core', { paths: [process.cwd(), __dirname] }));
  const { code } = swc.transformSync(source, { ...SWC_OPTIONS, filename, sourceFileName: filename });
  if (cacheFile) {
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, `${key}\n${code}`);
      fs.renameSync(tmp, cacheFile); // atomic: a concurrent run reads the old or the new entry, never half of one
    } catch { /* read-only cache: run without it */ }
  }
  return code;
}

// V8 code cache for every CommonJS module the app loads (cdktf, the provider bindings, the transpiled sources):
// parsing and compiling ~10 MB of JavaScript is a large share of a synth. Node >= 22.1 has this built in
// (module.enableCompileCache); on Node 20 the runner keeps its own, keyed by the module's path and content.
const v8CacheDir = cacheDir && path.join(cacheDir, 'v8');
const freshScripts = [];
if (v8CacheDir && typeof Module.enableCompileCache === 'function') {
  Module.enableCompileCache(path.join(cacheDir, 'node-compile-cache'));
} else if (v8CacheDir && process.env.CDKTF_MLOPS_APP_CODE_CACHE !== 'off') {
  const vm = require('vm');
  const v8 = require('v8');
  const importModuleDynamically = vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  const flavour = sha1(`${process.version}\0${process.arch}\0${v8.cachedDataVersionTag()}`).slice(0, 8);
  Module.prototype._compile = function compileWithCodeCache(content, filename) {
    const hash = sha1(`${filename}\0${content}`);
    const file = path.join(v8CacheDir, `${path.basename(filename).slice(0, 40)}-${sha1(filename).slice(0, 16)}-${flavour}`);
    let cachedData;
    try {
      const stored = fs.readFileSync(file);
      if (stored.toString('latin1', 0, 40) === hash) {
        cachedData = stored.subarray(40);
      }
    } catch { /* miss */ }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData, importModuleDynamically });
    if (!cachedData || script.cachedDataRejected) {
      freshScripts.push({ script, file, hash });
    }
    const fn = script.runInThisContext({ displayErrors: true });
    return fn.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
  };
  // Written once the app has run, so the cache also holds the functions compiled lazily during synth.
  process.once('exit', () => {
    try {
      fs.mkdirSync(v8CacheDir, { recursive: true });
      for (const { script, file, hash } of freshScripts) {
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, Buffer.concat([Buffer.from(hash, 'latin1'), script.createCachedData()]));
        fs.renameSync(tmp, file);
      }
    } catch { /* read-only cache: next run compiles again */ }
  });
}

/** The `require` a CommonJS module sees, as Node builds it. */
function makeRequire(mod) {
  const require = (id) => mod.require(id);
  const resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

const transpiled = new Map();
Module._extensions['.ts'] = function loadTs(module, filename) {
  const code = transpile(filename, fs.readFileSync(filename, 'utf8'));
  transpiled.set(filename, code);
  module._compile(code, filename);
};

// A relative import from TypeScript resolves to the .ts source first: a stale lib/*.js from an earlier build must
// not shadow the source.
const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveTsFirst(request, parent, ...rest) {
  if (parent && parent.filename && parent.filename.endsWith('.ts') && (request.startsWith('./') || request.startsWith('../') || request === '.' || request === '..')) {
    const base = path.resolve(path.dirname(parent.filename), request);
    for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
      if (isFile(candidate)) {
        return candidate;
      }
    }
  }
  return originalResolve.call(this, request, parent, ...rest);
};

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Rewrites the frames of an error's stack that point into transpiled files to their .ts line and column. */
function mapStack(stack) {
  let SourceMap;
  try {
    ({ SourceMap } = require('module'));
  } catch {
    return stack;
  }
  const maps = new Map();
  const mapFor = (file) => {
    if (!maps.has(file)) {
      const code = transpiled.get(file);
      const m = code && /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(code);
      maps.set(file, m ? new SourceMap(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8'))) : undefined);
    }
    return maps.get(file);
  };
  return stack.replace(/(\(|at )([^()\s]+\.ts):(\d+):(\d+)/g, (all, prefix, file, line, column) => {
    const map = mapFor(file);
    const entry = map && map.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || entry.originalLine === undefined) {
      return all;
    }
    return `${prefix}${file}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/**
 * The app failed: an earlier run's cdk.tf.json (of a stack this run never reached) must not stay behind looking
 * deployable. Remove it and mark that run's report as failed, naming the error.
 */
function withdrawStaleOutput(error) {
  const outdir = process.env.CDKTF_OUTDIR;
  const startedAt = Date.now() - process.uptime() * 1000;
  const stacksDir = outdir && path.join(outdir, 'stacks');
  if (!stacksDir || !fs.existsSync(stacksDir)) {
    return;
  }
  for (const stack of fs.readdirSync(stacksDir)) {
    const dir = path.join(stacksDir, stack);
    try {
      const report = path.join(dir, 'platform-report.json');
      if (fs.existsSync(report) && fs.statSync(report).mtimeMs >= startedAt) {
        continue; // written by this run: synth itself already marked it
      }
      fs.rmSync(path.join(dir, 'cdk.tf.json'), { force: true });
      if (fs.existsSync(report)) {
        const json = JSON.parse(fs.readFileSync(report, 'utf8'));
        json.status = 'failed';
        json.failure = `the app failed before synth: ${String(error && error.message || error).split('\n')[0]}`;
        fs.writeFileSync(report, JSON.stringify(json, null, 2) + '\n');
        fs.rmSync(path.join(dir, 'platform-report.md'), { force: true });
      }
    } catch { /* best effort: the error below is what the user sees */ }
  }
}

const sourceMapsEnabled = process.execArgv.includes('--enable-source-maps') || /--enable-source-maps/.test(process.env.NODE_OPTIONS || '');
const entry = path.resolve(entryArg);
process.argv.splice(1, 2, entry); // the app sees itself as argv[1], as under ts-node
try {
  require(entry);
} catch (e) {
  withdrawStaleOutput(e);
  if (!sourceMapsEnabled && e && typeof e.stack === 'string') {
    try {
      e.stack = mapStack(e.stack);
    } catch { /* keep the unmapped trace */ }
  }
  throw e;
}

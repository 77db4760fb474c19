#!/usr/bin/env node
/*
 * npm run bench: synth time and peak memory of the path users run against a plain-node floor, interleaved on the
 * same node_modules, plus a 10x scale case, the build and the test suite.
 *
 *   node bench/bench.js [--runs N] [--skip-build] [--skip-tests]
 *
 * - floor: bench/floor-app.js, one AWS provider and one S3 bucket with deep imports, plain JavaScript run with
 *   plain `node` (no TypeScript toolchain at all).
 * - user path: the `app` command of cdktf.json, run through a shell with the environment `cdktf synth` gives it
 *   (CDKTF_OUTDIR, NODE_OPTIONS=--max-old-space-size=4096, ...), i.e. exactly what `npm run synth` and a bare
 *   `cdktf synth` execute. "cold" starts from an empty transpile/code cache (a fresh clone, or the first run
 *   after an edit to every file), "warm" reuses it (nothing changed since the last synth).
 * - compiled: the same two example stacks transpiled ahead of time to plain JavaScript and run with plain
 *   `node`, for reference.
 * - platform / scale: bench/platform-app.ts and bench/scale-app.ts through the same app runner, warm.
 *
 * Wall time includes process start-up and module loading. Peak RSS is the maximum over the app's processes of
 * their own maxRSS (reported by a --require hook, so a shell in between does not count).
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const TARGET_RATIO = 3;
const TARGET_RSS_MB = 300;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
const reporter = path.join(work, 'maxrss.js');
fs.writeFileSync(reporter, `process.on('exit', () => { try { require('fs').writeFileSync(${JSON.stringify(work)} + '/rss-' + process.pid, String(process.resourceUsage().maxRSS)); } catch {} });\n`);

const appCommand = JSON.parse(fs.readFileSync(path.join(root, 'cdktf.json'), 'utf8')).app;
const warmCache = path.join(work, 'cache-warm');

/** Runs one shell command the way `cdktf synth` runs its app; returns wall seconds, peak RSS in MB and resources. */
function synthOnce(command, extraEnv = {}) {
  const outdir = fs.mkdtempSync(path.join(work, 'out-'));
  for (const f of fs.readdirSync(work).filter((n) => n.startsWith('rss-'))) {
    fs.rmSync(path.join(work, f));
  }
  const env = {
    ...process.env,
    CDKTF_OUTDIR: outdir,
    BENCH_OUTDIR: outdir,
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true',
    CDKTF_CONTEXT_JSON: JSON.stringify({ cdktfRelativeModules: [] }),
    CHECKPOINT_DISABLE: '1',
    NODE_OPTIONS: `--max-old-space-size=4096 --require ${reporter}`,
    CDKTF_MLOPS_APP_CACHE: warmCache,
    ...extraEnv,
  };
  const start = process.hrtime.bigint();
  const result = spawnSync(command, { shell: true, cwd: root, env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${command} failed:\n${result.stdout}\n${result.stderr}`);
  }
  const rssKb = Math.max(0, ...fs.readdirSync(work).filter((n) => n.startsWith('rss-')).map((n) => Number(fs.readFileSync(path.join(work, n), 'utf8'))));
  let resources = 0;
  for (const stack of fs.readdirSync(path.join(outdir, 'stacks'))) {
    const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    resources += Object.values(tf.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  return { seconds, rssMb: rssKb / 1024, resources };
}

/** The examples transpiled ahead of time to plain JavaScript (what a compiled build runs), for reference. */
function compileExamples() {
  const swc = require(require.resolve('@swc/core', { paths: [root] }));
  const out = path.join(work, 'compiled');
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(rel);
      } else if (rel.endsWith('.json')) {
        // Data the library reads at synth (the price catalogs).
        fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
        fs.copyFileSync(path.join(root, rel), path.join(out, rel));
      } else if (rel.endsWith('.ts') && !rel.endsWith('.d.ts')) {
        const { code } = swc.transformSync(fs.readFileSync(path.join(root, rel), 'utf8'), {
          filename: rel, swcrc: false, configFile: false,
          jsc: { parser: { syntax: 'typescript' }, target: 'es2020', keepClassNames: true, transform: { useDefineForClassFields: false } },
          module: { type: 'commonjs', noInterop: true },
        });
        fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
        fs.writeFileSync(path.join(out, rel.replace(/\.ts$/, '.js')), code);
      }
    }
  };
  walk('lib');
  walk('examples');
  // Bare imports (cdktf, the providers) resolve from the repository's node_modules.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  return path.join(out, 'examples', 'main.js');
}

function timeCommand(label, command) {
  const start = process.hrtime.bigint();
  const result = spawnSync('bash', ['-c', command], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${label} failed:\n${result.stdout}\n${result.stderr}`);
  }
  return seconds;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (x, d = 2) => x.toFixed(d);

const runner = appCommand.replace(/\s+examples\/main\.ts\s*$/, '');
if (runner === appCommand) {
  throw new Error(`cdktf.json's app (${appCommand}) does not end in examples/main.ts: update bench/bench.js`);
}
const compiledMain = compileExamples();
let coldRun = 0;
const apps = {
  'floor (plain node)': () => synthOnce('node bench/floor-app.js'),
  'user path, cold': () => synthOnce(appCommand, { CDKTF_MLOPS_APP_CACHE: path.join(work, `cache-cold-${coldRun++}`) }),
  'user path, warm': () => synthOnce(appCommand),
  'compiled JS': () => synthOnce(`node ${compiledMain}`),
  'platform (warm)': () => synthOnce(`${runner} bench/platform-app.ts`),
  'scale (warm)': () => synthOnce(`${runner} bench/scale-app.ts`),
};
console.log(`machine: ${os.cpus().length} x ${os.cpus()[0].model.trim()}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, node ${process.version}, load ${os.loadavg().map((l) => fmt(l, 1)).join(' ')}`);
console.log(`user path (cdktf.json app): ${appCommand}`);
// Warm the file system cache and the app runner's cache once so the first measured runs are not penalised.
for (const name of ['floor (plain node)', 'user path, warm', 'platform (warm)', 'scale (warm)']) {
  apps[name]();
}
const samples = Object.fromEntries(Object.keys(apps).map((name) => [name, []]));
for (let i = 1; i <= runs; i++) {
  for (const [name, run] of Object.entries(apps)) {
    samples[name].push(run());
  }
  process.stdout.write(`run ${i}/${runs} done\n`);
}

const summary = {};
for (const [name, list] of Object.entries(samples)) {
  summary[name] = { seconds: median(list.map((s) => s.seconds)), rssMb: Math.max(...list.map((s) => s.rssMb)), resources: list[0].resources };
}
const floor = summary['floor (plain node)'];
console.log('\n| app | resources | median synth (s) | x floor | peak RSS (MB) |');
console.log('|---|---|---|---|---|');
for (const [name, s] of Object.entries(summary)) {
  console.log(`| ${name} | ${s.resources} | ${fmt(s.seconds)} | ${fmt(s.seconds / floor.seconds, 1)}x | ${fmt(s.rssMb, 0)} |`);
}
const verdict = (ok) => (ok ? 'OK' : 'MISSED');
for (const name of ['user path, warm', 'user path, cold']) {
  const s = summary[name];
  const ratio = s.seconds / floor.seconds;
  console.log(`${name} / floor: ${fmt(ratio)}x (target <= ${TARGET_RATIO}x) ${verdict(ratio <= TARGET_RATIO)}; ` +
    `peak RSS ${fmt(s.rssMb, 0)} MB (target <= ${TARGET_RSS_MB} MB) ${verdict(s.rssMb <= TARGET_RSS_MB)}`);
}
const platform = summary['platform (warm)'];
const scale = summary['scale (warm)'];
console.log(`scale / platform: ${fmt(scale.resources / platform.resources, 1)}x the resources in ${fmt(scale.seconds / platform.seconds)}x the time, ` +
  `${fmt(scale.rssMb / platform.rssMb)}x the memory`);
const perResource = (s) => (s.seconds - floor.seconds) / (s.resources - floor.resources) * 1000;
console.log(`marginal cost per resource above the floor: platform ${fmt(perResource(platform))} ms, scale ${fmt(perResource(scale))} ms`);

if (!args.includes('--skip-build')) {
  console.log(`\nnpm run build: ${fmt(timeCommand('build', 'npm run --silent build'), 1)} s`);
}
if (!args.includes('--skip-tests')) {
  console.log(`npm test: ${fmt(timeCommand('test', 'npm test --silent'), 1)} s`);
}

#!/usr/bin/env node
/*
 * npm run bench: synth time and peak memory of the reference platform against a floor app (one provider, one
 * bucket), interleaved on the same node_modules, plus a 10x scale case, the build and the test suite.
 *
 *   node bench/bench.js [--runs N] [--skip-build] [--skip-tests]
 *
 * Each app runs in a fresh Node process the way `cdktf synth` runs it (ts-node with the SWC transpiler), so
 * wall time includes startup and module loading. Peak RSS is the child's own maxRSS.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const TARGET_RATIO = 3;
const TARGET_RSS_MB = 400;

/** Runs one app in a fresh process; returns wall seconds, peak RSS in MB and resource count. */
function synthOnce(app) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-'));
  const reporter = `process.on('exit', () => process.stderr.write('\\nBENCH_MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n'))`;
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-e', `${reporter}; require('ts-node').register({ swc: true }); require('${path.join(root, app)}')`], {
    cwd: root, env: { ...process.env, BENCH_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' }, encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${app} failed:\n${result.stderr}`);
  }
  const rssKb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(result.stderr)[1]);
  let resources = 0;
  for (const stack of fs.readdirSync(path.join(outdir, 'stacks'))) {
    const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    resources += Object.values(tf.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  return { seconds, rssMb: rssKb / 1024, resources };
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

const apps = { floor: 'bench/floor-app.ts', platform: 'bench/platform-app.ts', scale: 'bench/scale-app.ts' };
const samples = { floor: [], platform: [], scale: [] };
console.log(`machine: ${os.cpus().length} x ${os.cpus()[0].model.trim()}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, node ${process.version}`);
// Node resolves lib/index.js before lib/index.ts, so after `npm run build` the apps load the compiled library.
console.log(`library: ${fs.existsSync(path.join(root, 'lib', 'index.js')) ? 'compiled lib/*.js (after npm run build)' : 'TypeScript sources via ts-node/SWC (fresh clone)'}`);
synthOnce(apps.floor); // warm the file system cache once so the first measured run is not penalised
for (let i = 1; i <= runs; i++) {
  for (const name of Object.keys(apps)) {
    samples[name].push(synthOnce(apps[name]));
  }
  process.stdout.write(`run ${i}/${runs} done\n`);
}

const summary = {};
for (const [name, list] of Object.entries(samples)) {
  summary[name] = {
    seconds: median(list.map((s) => s.seconds)),
    rssMb: Math.max(...list.map((s) => s.rssMb)),
    resources: list[0].resources,
  };
}
console.log('\n| app | resources | median synth (s) | peak RSS (MB) |');
console.log('|---|---|---|---|');
for (const [name, s] of Object.entries(summary)) {
  console.log(`| ${name} | ${s.resources} | ${fmt(s.seconds)} | ${fmt(s.rssMb, 0)} |`);
}
const ratio = summary.platform.seconds / summary.floor.seconds;
const scaleRatio = summary.scale.seconds / summary.platform.seconds;
const resourceRatio = summary.scale.resources / summary.platform.resources;
console.log(`\nplatform / floor synth time: ${fmt(ratio)}x (target <= ${TARGET_RATIO}x) ${ratio <= TARGET_RATIO ? 'OK' : 'MISSED'}`);
console.log(`platform peak RSS: ${fmt(summary.platform.rssMb, 0)} MB (target <= ${TARGET_RSS_MB} MB) ${summary.platform.rssMb <= TARGET_RSS_MB ? 'OK' : 'MISSED'}`);
console.log(`scale / platform: ${fmt(resourceRatio, 1)}x the resources in ${fmt(scaleRatio)}x the time, ` +
  `${fmt(summary.scale.rssMb / summary.platform.rssMb)}x the memory`);
const perResource = (s) => (s.seconds - summary.floor.seconds) / (s.resources - summary.floor.resources) * 1000;
console.log(`marginal cost per resource above the floor: platform ${fmt(perResource(summary.platform))} ms, scale ${fmt(perResource(summary.scale))} ms`);

if (!args.includes('--skip-build')) {
  console.log(`\nnpm run build: ${fmt(timeCommand('build', 'npm run --silent build'), 1)} s`);
}
if (!args.includes('--skip-tests')) {
  console.log(`npm test: ${fmt(timeCommand('test', 'npm test --silent'), 1)} s`);
}

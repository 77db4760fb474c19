#!/usr/bin/env node
/*
 * `npm ci` / `npm install` run this as the `prepare` script: it runs the example app once through the app
 * runner into a throw-away folder, so the runner's caches (SWC transpiles of lib/ and examples/, the V8 code
 * cache) are filled at install time, the way a build step would, and the first `npm run synth` after a fresh
 * clone is as fast as the next ones. It never fails the install: a broken app is reported by `npm run synth`.
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
if (!fs.existsSync(path.join(root, 'node_modules', '@swc', 'core'))) {
  process.exit(0); // installed as a dependency of another project: nothing to warm
}
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-mlops-warm-'));
const started = Date.now();
try {
  const result = spawnSync(process.execPath, [path.join(__dirname, 'app.js'), 'examples/main.ts'], {
    cwd: root, stdio: 'ignore', env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(result.status === 0
    ? `warmed the synth cache in ${seconds} s (node_modules/.cache/cdktf-mlops-app)`
    : `could not warm the synth cache (the app exited with ${result.status}); npm run synth will show why`);
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}

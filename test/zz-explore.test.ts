import * as fs from 'fs';
import { App } from 'cdktf';
import { buildReferencePlatform } from '../examples/aws-platform/main';
import { buildCustomStack } from '../examples/custom-stack/main';
test('explore', () => {
  const outs: string[] = [];
  for (let i = 0; i < 2; i++) {
    const out = `/tmp/scratch/ex${i}`;
    fs.rmSync(out, { recursive: true, force: true });
    const app = new App({ outdir: out });
    buildReferencePlatform(app); buildCustomStack(app);
    const t = Date.now();
    app.synth();
    console.log('synth ms', Date.now() - t);
  }
});

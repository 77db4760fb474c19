/* The reference platform exactly as `npm run synth` builds it. */
import { App } from 'cdktf';
import { buildReferencePlatform } from '../examples/aws-platform/main';

const app = new App({ outdir: process.env.BENCH_OUTDIR });
buildReferencePlatform(app);
app.synth();

/*
 * The floor: the smallest useful cdktf app (one AWS provider, one S3 bucket, deep imports) in plain JavaScript,
 * run with plain `node`: no TypeScript toolchain, no code cache. Every synth pays at least this.
 */
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
const { S3Bucket } = require('@cdktf/provider-aws/lib/s3-bucket');
const { App, TerraformStack } = require('cdktf');

const app = new App({ outdir: process.env.BENCH_OUTDIR });
const stack = new TerraformStack(app, 'floor');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });
new S3Bucket(stack, 'Bucket', { bucketPrefix: 'floor-' });
app.synth();

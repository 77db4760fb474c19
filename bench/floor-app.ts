/* The floor: the smallest useful cdktf app (one AWS provider, one S3 bucket, deep imports). */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { App, TerraformStack } from 'cdktf';

const app = new App({ outdir: process.env.BENCH_OUTDIR });
const stack = new TerraformStack(app, 'floor');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });
new S3Bucket(stack, 'Bucket', { bucketPrefix: 'floor-' });
app.synth();

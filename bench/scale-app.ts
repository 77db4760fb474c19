/*
 * The scale case: the reference platform plus BENCH_TEAMS teams (default 50), each with its own GPU pool, a
 * replicated model registry and a workload identity that publishes to it: about 10x the default resources.
 */
import { App } from 'cdktf';
import { buildReferencePlatform } from '../examples/aws-platform/main';
import { AwsMlopsPlatform, GpuNodePool, ModelRegistry } from '../lib';

const app = new App({ outdir: process.env.BENCH_OUTDIR });
const stack = buildReferencePlatform(app);
const platform = stack.node.findChild('Platform') as AwsMlopsPlatform;
const teams = Number(process.env.BENCH_TEAMS ?? '50');
for (let i = 1; i <= teams; i++) {
  const team = `team${i}`;
  new GpuNodePool(stack, `${team}Gpus`, { cluster: platform.cluster, instanceType: 'g6.2xlarge', maxSize: 2 });
  const registry = new ModelRegistry(stack, `${team}Models`, { cloud: platform.cloud, repositoryName: `${team}/model-serving` });
  registry.grantPublish(platform.cluster.newWorkloadIdentity(stack, `${team}Trainer`, { namespace: team, serviceAccountName: 'trainer' }));
}
app.synth();

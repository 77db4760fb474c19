import { App } from 'cdktf';
import { GpuNodePool } from '../../lib/gpu-node-pool';
import { FairGpuScheduling } from '../../lib/k8s/kueue';
import { Team } from '../../lib/team';
import {
  addressOf, expectValidationError, helmRelease, helmValues, manifestObjects, newApp, newPlatform, newStack, readStackOutput, resourceAt,
} from '../helpers';

function setup() {
  const platform = newPlatform();
  const training = new GpuNodePool(platform.stack, 'Training', { cluster: platform.cluster, instanceType: 'g6.12xlarge', maxSize: 2 });
  const shared = new GpuNodePool(platform.stack, 'Shared', { cluster: platform.cluster, instanceType: 'g6.xlarge', maxSize: 2, timeSlicingReplicas: 4 });
  return { ...platform, training, shared };
}

describe('FairGpuScheduling', () => {
  let json: any;
  let dir: string;
  let report: any;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cluster, training, shared } = (() => {
      const platform = newPlatform(newStack({}, app, 'test'));
      return {
        ...platform,
        training: new GpuNodePool(platform.stack, 'Training', { cluster: platform.cluster, instanceType: 'g6.12xlarge', maxSize: 2 }),
        shared: new GpuNodePool(platform.stack, 'Shared', { cluster: platform.cluster, instanceType: 'g6.xlarge', maxSize: 2, timeSlicingReplicas: 4 }),
      };
    })();
    const scheduling = new FairGpuScheduling(stack, 'GpuScheduling', { cluster, gpuPools: [{ pool: training, maxNodes: 2 }, { pool: shared, maxNodes: 2 }] });
    new Team(stack, 'Research', { cluster, name: 'research', gpuScheduling: scheduling, gpuShares: [{ pool: training, guaranteedGpus: 4, borrowingLimitGpus: 2 }] });
    new Team(stack, 'Fraud', { cluster, name: 'fraud', gpuScheduling: scheduling, gpuShares: [{ pool: training, guaranteedGpus: 4 }, { pool: shared, guaranteedGpus: 3 }] });
    new Team(stack, 'Adhoc', { cluster, name: 'adhoc', gpuScheduling: scheduling });
    app.synth();
    ({ json, dir, report } = readStackOutput(app.outdir, 'test'));
  });

  const objects = (releaseName: string) => manifestObjects(dir, helmRelease(json, releaseName));
  const clusterQueue = (team: string) => objects(`kueue-queues-${team}`).find((o) => o.kind === 'ClusterQueue');
  const gpuQuota = (cq: any, flavor: string) => cq.spec.resourceGroups[1].flavors.find((f: any) => f.name === flavor)
    .resources.find((r: any) => r.name === 'nvidia.com/gpu');

  test('Kueue 0.19.2 from the OCI registry, with the released images, in a restricted namespace', () => {
    const release = helmRelease(json, 'kueue');
    expect(release).toMatchObject({ repository: 'oci://registry.k8s.io/kueue/charts', chart: 'kueue', version: '0.19.2', atomic: true, wait: true });
    const values = helmValues(release);
    expect(values.controllerManager.manager.image).toEqual({ repository: 'registry.k8s.io/kueue/kueue', tag: 'v0.19.2', pullPolicy: 'IfNotPresent' });
    expect(values.kueueViz.backend.image.repository).toBe('registry.k8s.io/kueue/kueueviz-backend');
    expect(values.enableKueueViz).toBe(false);
    expect(values.controllerManager.manager.podSecurityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.controllerManager.manager.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(values.controllerManager).toMatchObject({ replicas: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } });
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'test/GpuScheduling/Namespace/Resource');
    expect(ns.metadata.name).toBe('kueue-system');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('Kueue manages only queued workloads of team namespaces: Jobs, PyTorchJobs, RayJobs, RayClusters and pods', () => {
    const config = JSON.parse(helmValues(helmRelease(json, 'kueue')).managerConfig.controllerManagerConfigYaml);
    expect(config).toMatchObject({ apiVersion: 'config.kueue.x-k8s.io/v1beta2', kind: 'Configuration', manageJobsWithoutQueueName: false });
    expect(config.integrations.frameworks).toEqual(['batch/job', 'kubeflow.org/pytorchjob', 'ray.io/rayjob', 'ray.io/raycluster', 'pod']);
    expect(config.managedJobsNamespaceSelector).toEqual({
      matchLabels: { 'mlops/kueue-managed': 'true' },
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kueue-system'] }],
    });
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'test/Research/Namespace');
    expect(ns.metadata.labels['mlops/kueue-managed']).toBe('true');
  });

  test('one ResourceFlavor per GPU pool (node label, GPU toleration) and a CPU flavor, after the Kueue release', () => {
    const release = helmRelease(json, 'kueue-flavors');
    expect(release.depends_on).toContain(addressOf(json, 'helm_release', 'test/GpuScheduling/Release/Resource'));
    expect(objects('kueue-flavors')).toEqual([
      { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor', metadata: { name: 'cpu-default' }, spec: {} },
      {
        apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor', metadata: { name: 'gpu-training' },
        spec: { nodeLabels: { 'mlops/gpu-pool': 'training' }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
      },
      {
        apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor', metadata: { name: 'gpu-shared' },
        spec: { nodeLabels: { 'mlops/gpu-pool': 'shared' }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
      },
    ]);
  });

  test('a ClusterQueue per team in one cohort: guaranteed share as nominal quota, borrowing, preemption back', () => {
    const cq = clusterQueue('research');
    expect(cq.metadata.name).toBe('team-research');
    expect(cq.spec).toMatchObject({
      cohortName: 'gpu-teams',
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'research' } },
      preemption: { reclaimWithinCohort: 'Any', withinClusterQueue: 'LowerPriority', borrowWithinCohort: { policy: 'Never' } },
    });
    // CPU and memory from the CPU flavor, GPUs from a pool's flavor: CPU-only pods never land on GPU nodes. The CPU and
    // memory quota covers the node the 4 guaranteed GPUs fill (g6.12xlarge: 48 vCPUs, 192 GiB), so a node-sized job is admitted.
    expect(cq.spec.resourceGroups).toEqual([
      {
        coveredResources: ['cpu', 'memory'],
        flavors: [{ name: 'cpu-default', resources: [{ name: 'cpu', nominalQuota: '48', borrowingLimit: '0' }, { name: 'memory', nominalQuota: '192Gi', borrowingLimit: '0' }] }],
      },
      {
        coveredResources: ['nvidia.com/gpu'],
        flavors: [
          { name: 'gpu-training', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 4, borrowingLimit: 2 }] },
          // No share on a pool: nothing guaranteed, but idle GPUs there may be borrowed without limit.
          { name: 'gpu-shared', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 0 }] },
        ],
      },
    ]);
    const fraud = clusterQueue('fraud');
    expect(gpuQuota(fraud, 'gpu-training')).toEqual({ name: 'nvidia.com/gpu', nominalQuota: 4 });
    expect(gpuQuota(fraud, 'gpu-shared')).toEqual({ name: 'nvidia.com/gpu', nominalQuota: 3 });
    expect(gpuQuota(clusterQueue('adhoc'), 'gpu-training')).toEqual({ name: 'nvidia.com/gpu', nominalQuota: 0 });
    // Fraud: one g6.12xlarge for its 4 training GPUs, one time-sliced g6.xlarge (4 vCPUs, 16 GiB) for its 3 shared ones;
    // Adhoc has no share and keeps the floor.
    const cpuMemory = (q: any) => q.spec.resourceGroups[0].flavors[0].resources.map((r: any) => r.nominalQuota);
    expect(cpuMemory(fraud)).toEqual(['52', '208Gi']);
    expect(cpuMemory(clusterQueue('adhoc'))).toEqual(['32', '128Gi']);
  });

  test('a LocalQueue named after the team in its namespace, after the flavors and the namespace', () => {
    expect(objects('kueue-queues-research').find((o) => o.kind === 'LocalQueue')).toEqual({
      apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'LocalQueue', metadata: { name: 'research', namespace: 'research' }, spec: { clusterQueue: 'team-research' },
    });
    const release = helmRelease(json, 'kueue-queues-research');
    expect(release.depends_on).toEqual(expect.arrayContaining([
      addressOf(json, 'helm_release', 'test/GpuScheduling/Flavors/Resource'), addressOf(json, 'kubernetes_namespace_v1', 'test/Research/Namespace'),
    ]));
  });

  test('the report lists the scheduling with its capacity, and how to queue work', () => {
    const component = report.components.find((c: any) => c.name === 'FairGpuScheduling');
    expect(component.description).toMatch(/16 GPUs at full scale over gpu-training \(8\), gpu-shared \(8\)/);
    const step = report.deploymentSteps.find((s: any) => s.title === 'Queue GPU work through Kueue');
    expect(step.detail).toMatch(/kueue\.x-k8s\.io\/queue-name: <team name>/);
  });
});

describe('FairGpuScheduling validation', () => {
  test('gpuPools must list at least one pool', () => {
    const { stack, cluster } = newPlatform();
    expectValidationError(() => new FairGpuScheduling(stack, 'S', { cluster, gpuPools: [] }), 'test/S', 'gpuPools', /at least 1 entry/);
  });

  test('maxNodes must be a positive whole number', () => {
    const { stack, cluster, training } = setup();
    expectValidationError(() => new FairGpuScheduling(stack, 'S', { cluster, gpuPools: [{ pool: training, maxNodes: 0 }] }), 'test/S', 'gpuPools[0].maxNodes', /whole number from 1/);
  });

  test('a pool listed twice', () => {
    const { stack, cluster, training } = setup();
    expectValidationError(() => new FairGpuScheduling(stack, 'S', { cluster, gpuPools: [{ pool: training, maxNodes: 2 }, { pool: training, maxNodes: 2 }] }),
      'test/S', 'gpuPools[1].pool', /same pool/);
  });

  test('a pool that is not a GpuNodePool', () => {
    const { stack, cluster } = setup();
    expectValidationError(() => new FairGpuScheduling(stack, 'S', { cluster, gpuPools: [{ pool: {} as any, maxNodes: 2 }] }), 'test/S', 'gpuPools[0].pool', /must be a GpuNodePool/);
  });

  test('a cohort or namespace that is not a DNS label, and replicas out of range', () => {
    const { stack, cluster, training } = setup();
    const gpuPools = [{ pool: training, maxNodes: 2 }];
    expectValidationError(() => new FairGpuScheduling(stack, 'A', { cluster, gpuPools, cohort: 'GPU Teams' }), 'test/A', 'cohort', /DNS label/);
    expectValidationError(() => new FairGpuScheduling(stack, 'B', { cluster, gpuPools, namespace: 'Kueue' }), 'test/B', 'namespace', /DNS label/);
    expectValidationError(() => new FairGpuScheduling(stack, 'C', { cluster, gpuPools, replicas: 0 }), 'test/C', 'replicas', /whole number from 1 to 5/);
  });

  test('a team given something else as gpuScheduling', () => {
    const { stack, cluster } = setup();
    expectValidationError(() => new Team(stack, 'T', { cluster, name: 'a', gpuScheduling: {} as any }), 'test/T', 'gpuScheduling', /must be a FairGpuScheduling/);
  });

  test('one Kueue per cluster', () => {
    const { stack, cluster, training } = setup();
    new FairGpuScheduling(stack, 'S1', { cluster, gpuPools: [{ pool: training, maxNodes: 2 }] });
    expectValidationError(() => new FairGpuScheduling(stack, 'S2', { cluster, gpuPools: [{ pool: training, maxNodes: 2 }] }), 'test/S2', 'cluster', /already used by test\/S1/);
  });
});

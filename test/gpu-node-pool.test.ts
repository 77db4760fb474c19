import { App } from 'cdktf';
import { CapacityType, GpuNodePool, GpuNodePoolOptions } from '../lib/gpu-node-pool';
import { MigStrategy } from '../lib/k8s/gpu-operator';
import { expectValidationError, helmRelease, helmValues, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt, resourcesOfType } from './helpers';

describe('GpuNodePool', () => {
  let json: any;
  let report: any;
  let mig: any;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cluster } = newPlatform(newStack({}, app, 'test'));
    new GpuNodePool(stack, 'Training', { cluster, instanceType: 'g5.xlarge', capacityType: CapacityType.SPOT, labels: { workload: 'training' } });
    new GpuNodePool(stack, 'Arm', { cluster, instanceType: 'g5g.xlarge', minSize: 1, maxSize: 3, diskSizeGiB: 100 });
    new GpuNodePool(stack, 'Shared', { cluster, instanceType: 'G6.XLARGE', timeSlicingReplicas: 4 });
    const other = newPlatform(newStack({}, app, 'mig'));
    new GpuNodePool(other.stack, 'Big', { cluster: other.cluster, instanceType: 'p4d.24xlarge', migStrategy: MigStrategy.MIXED, capacityReservationId: 'cr-0123456789abcdef0' });
    app.synth();
    ({ json, report } = readStackOutput(app.outdir, 'test'));
    mig = readStackOutput(app.outdir, 'mig').json;
  });

  const group = (id: string, j = json, stack = 'test') => resourceAt(j, 'aws_eks_node_group', `${stack}/${id}/NodeGroup/Resource`);

  test('x86 pools use the AL2023 NVIDIA AMI, tainted for GPU workloads and labelled with the GPU', () => {
    expect(group('Training')).toMatchObject({
      ami_type: 'AL2023_x86_64_NVIDIA', instance_types: ['g5.xlarge'], capacity_type: 'SPOT',
      taint: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' }],
      labels: { 'workload': 'training', 'mlops/gpu-pool': 'training', 'mlops/gpu-model': 'NVIDIA_A10G', 'mlops/gpu-count': '1', 'mlops/gpu-memory-gib': '24' },
      scaling_config: { min_size: 0, max_size: 4, desired_size: 0 },
      node_role_arn: refTo(json, 'aws_iam_role', 'test/Cluster/NodeRole', 'arn'),
      subnet_ids: [1, 2, 3].map((i) => refTo(json, 'aws_subnet', `test/Network/PrivateSubnet${i}`, 'id')),
    });
    expect(group('Training').depends_on).toEqual(resourceAt(json, 'aws_eks_node_group', 'test/Cluster/SystemNodes/Resource').depends_on);
  });

  test('g5g gives the ARM64 NVIDIA AMI, on demand by default', () => {
    expect(group('Arm')).toMatchObject({
      ami_type: 'AL2023_ARM_64_NVIDIA', capacity_type: 'ON_DEMAND', scaling_config: { min_size: 1, max_size: 3, desired_size: 1 },
      labels: { 'mlops/gpu-model': 'NVIDIA_T4G' },
    });
  });

  test('GPU launch templates: IMDSv2, hop limit 1, encrypted gp3 root of the requested size', () => {
    for (const [id, size] of [['Training', 200], ['Arm', 100]] as const) {
      const template = resourceAt(json, 'aws_launch_template', `test/${id}/NodeGroup/LaunchTemplate`);
      expect(template.metadata_options).toEqual({ http_tokens: 'required', http_endpoint: 'enabled', http_put_response_hop_limit: 1 });
      expect(template.block_device_mappings[0].ebs).toMatchObject({ volume_size: size, volume_type: 'gp3', encrypted: 'true' });
    }
    expect(resourceAt(mig, 'aws_launch_template', 'mig/Big/NodeGroup/LaunchTemplate').capacity_reservation_specification)
      .toEqual({ capacity_reservation_target: { capacity_reservation_id: 'cr-0123456789abcdef0' } });
  });

  test('one GPU operator per cluster: driver and toolkit off, DCGM exporter on, time-slicing config rendered', () => {
    const releases = resourcesOfType(json, 'helm_release').filter((r) => r.chart === 'gpu-operator');
    expect(releases).toHaveLength(1);
    expect(releases[0]).toMatchObject({ repository: 'https://helm.ngc.nvidia.com/nvidia', version: 'v26.7.0', atomic: true });
    const values = helmValues(releases[0]);
    expect(values).toMatchObject({
      driver: { enabled: false }, toolkit: { enabled: false }, dcgmExporter: { enabled: true }, nfd: { enabled: true }, mig: { strategy: 'single' },
      daemonsets: { labels: { 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod' } },
    });
    expect(values.devicePlugin.config.default).toBe('default');
    expect(values.devicePlugin.config.data['time-sliced-4']).toContain('timeSlicing:');
    expect(values.devicePlugin.config.data['time-sliced-4']).toContain('replicas: 4');
    expect(group('Shared').labels['nvidia.com/device-plugin.config']).toBe('time-sliced-4');
    expect(group('Shared').instance_types).toEqual(['g6.xlarge']);
    expect(group('Training').labels['nvidia.com/device-plugin.config']).toBeUndefined();
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'test/Cluster/GpuOperator/Namespace/Resource');
    expect(ns.metadata).toMatchObject({ name: 'gpu-operator', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } });
  });

  test('without time slicing only the default config exists; MIG strategy reaches the operator', () => {
    const values = helmValues(helmRelease(mig, 'gpu-operator'));
    expect(values.mig).toEqual({ strategy: 'mixed' });
    expect(Object.keys(values.devicePlugin.config.data)).toEqual(['default']);
    expect(group('Big', mig, 'mig')).toMatchObject({ ami_type: 'AL2023_x86_64_NVIDIA', labels: { 'mlops/gpu-model': 'NVIDIA_A100', 'mlops/gpu-count': '8' } });
  });

  test('GPU node groups carry k8s.amazonaws.com/accelerator, which the Cluster Autoscaler needs to wait for GPUs instead of scaling out again', () => {
    for (const [id, j, stack, model] of [['Training', json, 'test', 'a10g'], ['Arm', json, 'test', 't4g'], ['Shared', json, 'test', 'l4'], ['Big', mig, 'mig', 'a100']] as const) {
      const value = group(id, j, stack).labels['k8s.amazonaws.com/accelerator'];
      expect(value).toMatch(new RegExp(`^nvidia-[a-z0-9-]*${model}$`));
      expect(value).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    }
    expect(resourceAt(json, 'aws_eks_node_group', 'test/Cluster/SystemNodes/Resource').labels['k8s.amazonaws.com/accelerator']).toBeUndefined();
  });

  test('each pool tags its Auto Scaling group with the GPUs a node advertises: physical GPUs x time-slicing replicas', () => {
    const tags = resourcesOfType(json, 'aws_autoscaling_group_tag');
    expect(tags).toHaveLength(3);
    for (const [id, gpus] of [['Training', '1'], ['Arm', '1'], ['Shared', '4']]) {
      const tag = resourceAt(json, 'aws_autoscaling_group_tag', `test/${id}/NodeGroup/AsgTag-gpu`);
      expect(tag).toMatchObject({
        provider: 'aws',
        autoscaling_group_name: '${' + refTo(json, 'aws_eks_node_group', `test/${id}/NodeGroup/Resource`, 'resources').slice(2, -1) + '[0].autoscaling_groups[0].name}',
        tag: { key: 'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu', value: gpus, propagate_at_launch: false },
      });
    }
    expect(resourceAt(mig, 'aws_autoscaling_group_tag', 'mig/Big/NodeGroup/AsgTag-gpu').tag.value).toBe('8');
  });

  test('launch templates, node groups and the eks-node-group cost tag are named after the pool, so pools can be told apart', () => {
    const names = ['Training', 'Arm', 'Shared'].map((id) => {
      const template = resourceAt(json, 'aws_launch_template', `test/${id}/NodeGroup/LaunchTemplate`);
      const tags = template.tag_specifications.map((t: any) => t.tags['eks-node-group']);
      expect(new Set(tags).size).toBe(1);
      return [template.name_prefix, group(id).node_group_name_prefix, tags[0]];
    });
    expect(names).toEqual([
      ['fraud-prod-training-', 'training-', 'Training'], ['fraud-prod-arm-', 'arm-', 'Arm'], ['fraud-prod-shared-', 'shared-', 'Shared'],
    ]);
  });

  test('the report describes each pool', () => {
    expect(report.components).toContainEqual({
      path: 'test/Training', name: 'GpuNodePool', description: '0-4 x g5.xlarge (1 x NVIDIA_A10G 24 GiB), SPOT, $1.006/h on-demand per node',
    });
    expect(report.components.filter((c: any) => c.name === 'GpuOperator')).toHaveLength(1);
  });
});

describe('GpuNodePool validation', () => {
  function build(options: Partial<GpuNodePoolOptions>) {
    const { stack, cluster } = newPlatform();
    return () => new GpuNodePool(stack, 'Pool', { cluster, instanceType: 'g5.xlarge', ...options });
  }

  test('an unknown type is rejected and the GPU families are suggested', () => {
    const error = expectValidationError(build({ instanceType: 'm5.large' }), 'test/Pool', 'instanceType',
      /is not a known NVIDIA GPU instance type \(got "m5\.large"\)\. Use an NVIDIA GPU instance type from families /);
    for (const family of ['g4dn', 'g5', 'g5g', 'g6', 'g6e', 'p4d', 'p5']) {
      expect(error.message).toMatch(new RegExp(`[ ,]${family}[,.]`));
    }
  });

  test('an unknown size of a known family suggests that family\'s sizes', () => {
    const error = expectValidationError(build({ instanceType: 'g5.3xlarge' }), 'test/Pool', 'instanceType',
      /is not a known NVIDIA GPU instance type \(got "g5\.3xlarge"\)\. Sizes of g5: /);
    for (const size of ['g5.xlarge', 'g5.2xlarge', 'g5.4xlarge', 'g5.12xlarge', 'g5.48xlarge']) {
      expect(error.message).toContain(size);
    }
    expect(error.message).not.toContain('g5g.');
  });

  test('minSize greater than maxSize is rejected', () => {
    expectValidationError(build({ minSize: 5, maxSize: 2 }), 'test/Pool', 'minSize', /is greater than maxSize \(2\) \(got 5\)/);
  });

  test('sizes, disk and time-slicing are range-checked', () => {
    expectValidationError(build({ maxSize: 0 }), 'test/Pool', 'maxSize', /must be a whole number from 1 to 1000 \(got 0\)/);
    expectValidationError(build({ minSize: -1 }), 'test/Pool', 'minSize', /must be a whole number from 0 to 1000/);
    expectValidationError(build({ diskSizeGiB: 20 }), 'test/Pool', 'diskSizeGiB', /must be a whole number from 50 to 16384 \(got 20\)/);
    expectValidationError(build({ timeSlicingReplicas: 1 }), 'test/Pool', 'timeSlicingReplicas', /must be a whole number from 2 to 48 \(got 1\)/);
  });

  test('MIG on a GPU without MIG is rejected', () => {
    expectValidationError(build({ migStrategy: MigStrategy.SINGLE }), 'test/Pool', 'migStrategy',
      /needs a MIG-capable GPU, and g5\.xlarge has NVIDIA_A10G \(got "single"\)/);
    expect(build({ migStrategy: MigStrategy.NONE })).not.toThrow();
  });

  test('MIG and time-slicing cannot be combined', () => {
    expectValidationError(build({ instanceType: 'p5.48xlarge', migStrategy: MigStrategy.SINGLE, timeSlicingReplicas: 2 }), 'test/Pool',
      'timeSlicingReplicas', /cannot be combined with migStrategy/);
  });
});

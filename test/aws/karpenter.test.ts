import { Autoscaler, karpenterControllerPolicy } from '../../lib/aws/karpenter';
import { CapacityType, GpuNodePool } from '../../lib/gpu-node-pool';
import { ChartCatalog } from '../../lib/k8s/chart-catalog';
import {
  SynthResult, addressOf, expectValidationError, helmRelease, helmValues, manifestObjects, newPlatform, refTo, resourceAt, resourcesOfType,
  synthStack, warningsUnder,
} from '../helpers';

describe('Karpenter for GPU pools', () => {
  let out: SynthResult;
  let json: any;
  let warnings: string[];
  beforeAll(() => {
    const { stack, cluster } = newPlatform(undefined, { cluster: { autoscaler: Autoscaler.KARPENTER } });
    new GpuNodePool(stack, 'Training', { cluster, instanceType: 'g5.12xlarge', maxSize: 3, diskSizeGiB: 150, capacityType: CapacityType.SPOT, labels: { workload: 'training' } });
    new GpuNodePool(stack, 'Serving', { cluster, instanceType: 'g6.xlarge', minSize: 1, maxSize: 4, diskSizeGiB: 200 });
    out = synthStack(stack);
    json = out.json;
    warnings = warningsUnder(stack);
  });

  const objects = (pool: string) => manifestObjects(out.dir, helmRelease(json, `karpenter-pool-${pool}`));

  test('GPU pools are NodePools, not managed node groups; the Cluster Autoscaler only has the system nodes', () => {
    const groups = resourcesOfType(json, 'aws_eks_node_group');
    expect(groups).toHaveLength(1);
    expect(groups[0]['//'].metadata.path).toBe('test/Cluster/SystemNodes/Resource');
    expect(resourcesOfType(json, 'aws_autoscaling_group_tag')).toEqual([]);
    helmRelease(json, 'cluster-autoscaler');
  });

  test('the pinned chart in a restricted namespace, with the interruption queue and the system nodes', () => {
    const release = helmRelease(json, 'karpenter');
    expect(release).toMatchObject({ repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter', version: ChartCatalog.KARPENTER.version, namespace: 'karpenter' });
    const values = helmValues(release);
    expect(values.settings).toEqual({ clusterName: 'fraud-prod', interruptionQueue: refTo(json, 'aws_sqs_queue', 'test/Cluster/Karpenter/InterruptionQueue', 'name') });
    expect(values.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', 'node-role.mlops/system': 'true' });
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.controller.resources.limits).toEqual({ cpu: '1', memory: '1Gi' });
    expect(release.depends_on).toEqual(expect.arrayContaining([
      addressOf(json, 'aws_eks_pod_identity_association', 'test/Cluster/Karpenter/Identity/Association'),
    ]));
    const ns = resourcesOfType(json, 'kubernetes_namespace_v1').find((n) => n.metadata.name === 'karpenter');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('the interruption queue is KMS-encrypted, TLS-only and fed by the four notice rules', () => {
    const queue = resourceAt(json, 'aws_sqs_queue', 'test/Cluster/Karpenter/InterruptionQueue');
    expect(queue).toMatchObject({ message_retention_seconds: 300, kms_master_key_id: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryNotificationsKey/Resource', 'arn') });
    const policy = JSON.parse(resourceAt(json, 'aws_sqs_queue_policy', 'test/Cluster/Karpenter/InterruptionQueuePolicy').policy);
    expect(policy.Statement.map((s: any) => s.Sid)).toEqual(['EventBridgeSendsNotices', 'DenyInsecureTransport']);
    const detailTypes = resourcesOfType(json, 'aws_cloudwatch_event_rule').map((r) => JSON.parse(r.event_pattern)['detail-type'][0]).sort();
    expect(detailTypes).toEqual(['AWS Health Event', 'EC2 Instance Rebalance Recommendation', 'EC2 Instance State-change Notification',
      'EC2 Spot Instance Interruption Warning']);
    for (const target of resourcesOfType(json, 'aws_cloudwatch_event_target')) {
      expect(target.arn).toBe(refTo(json, 'aws_sqs_queue', 'test/Cluster/Karpenter/InterruptionQueue', 'arn'));
    }
    const keyPolicy = JSON.parse(resourceAt(json, 'aws_kms_key', 'test/Aws/PrimaryNotificationsKey/Resource').policy);
    expect(keyPolicy.Statement.find((s: any) => s.Sid === 'Allowevents').Principal).toEqual({ Service: 'events.amazonaws.com' });
  });

  test('discovery tags on the private subnets and the cluster security group', () => {
    const subnets = resourcesOfType(json, 'aws_subnet');
    const priv = subnets.filter((s) => s['//'].metadata.path.includes('PrivateSubnet'));
    expect(priv.length).toBeGreaterThan(0);
    for (const s of priv) {
      expect(s.tags['karpenter.sh/discovery']).toBe('fraud-prod');
      expect(s.tags['kubernetes.io/role/internal-elb']).toBe('1');
    }
    for (const s of subnets.filter((x) => x['//'].metadata.path.includes('PublicSubnet'))) {
      expect(s.tags['karpenter.sh/discovery']).toBeUndefined();
    }
    expect(resourceAt(json, 'aws_ec2_tag', 'test/Cluster/Karpenter/SecurityGroupDiscoveryTag')).toMatchObject({
      key: 'karpenter.sh/discovery', value: 'fraud-prod',
      resource_id: '${' + addressOf(json, 'aws_eks_cluster', 'test/Cluster/Resource') + '.vpc_config[0].cluster_security_group_id}',
    });
  });

  test('EC2NodeClass: AL2023 alias, discovery selectors, encrypted gp3 root on the data key, IMDSv2 hop 1, cost tags', () => {
    const [nodeClass] = objects('training');
    expect(nodeClass.kind).toBe('EC2NodeClass');
    expect(nodeClass.spec).toMatchObject({
      amiSelectorTerms: [{ alias: 'al2023@latest' }],
      instanceProfile: refTo(json, 'aws_iam_instance_profile', 'test/Cluster/Karpenter/InstanceProfile', 'name'),
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'fraud-prod' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'fraud-prod' } }],
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      tags: { 'team': 'ml-platform', 'cost-center': 'cc-4512', 'mlops/gpu-pool': 'Training' },
    });
    expect(nodeClass.spec.blockDeviceMappings).toEqual([{
      deviceName: '/dev/xvda',
      ebs: { volumeSize: '150Gi', volumeType: 'gp3', encrypted: true, kmsKeyID: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource', 'arn'), deleteOnTermination: true },
    }]);
    expect(objects('serving')[0].spec.blockDeviceMappings[0].ebs.volumeSize).toBe('200Gi');
    expect(resourceAt(json, 'aws_iam_instance_profile', 'test/Cluster/Karpenter/InstanceProfile').role)
      .toBe(refTo(json, 'aws_iam_role', 'test/Cluster/NodeRole', 'name'));
  });

  test('NodePool: instance type, capacity type, GPU limit, taint, labels, consolidation and budgets', () => {
    const pool = objects('training')[1];
    expect(pool.kind).toBe('NodePool');
    expect(pool.spec.template.spec.requirements).toEqual(expect.arrayContaining([
      { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g5.12xlarge'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
      { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
    ]));
    expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'training' });
    expect(pool.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(pool.spec.template.metadata.labels).toMatchObject({ 'workload': 'training', 'mlops/gpu-pool': 'training' });
    // g5.12xlarge has 4 GPUs, maxSize 3.
    expect(pool.spec.limits).toEqual({ 'nvidia.com/gpu': '12' });
    expect(pool.spec.disruption).toMatchObject({ consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '10m' });
    expect(pool.spec.disruption.budgets.length).toBeGreaterThan(0);
    expect(objects('serving')[1].spec.template.spec.requirements).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] });
  });

  test('the pools wait for the Karpenter release (its CRDs) and the instance profile', () => {
    const release = helmRelease(json, 'karpenter-pool-training');
    expect(release.depends_on).toEqual(expect.arrayContaining([
      addressOf(json, 'helm_release', 'test/Cluster/Karpenter/Release/Resource'),
      addressOf(json, 'aws_iam_instance_profile', 'test/Cluster/Karpenter/InstanceProfile'),
    ]));
  });

  test('a minimum size is not held by Karpenter: a warning says so', () => {
    expect(warnings.some((w) => w.includes('Serving') && w.includes('Karpenter keeps no minimum'))).toBe(true);
    expect(warnings.some((w) => w.includes('Training') && w.includes('Karpenter keeps no minimum'))).toBe(false);
  });

  test('the controller policy is scoped to the cluster, the region, the node role and the queue', () => {
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Cluster/Karpenter/Identity/Policy').policy);
    const sid = (id: string) => policy.Statement.find((s: any) => s.Sid === id);
    expect(sid('AllowScopedDeletion').Condition.StringEquals).toEqual({ 'aws:ResourceTag/kubernetes.io/cluster/fraud-prod': 'owned' });
    expect(sid('AllowRegionalReadActions').Condition.StringEquals).toEqual({ 'aws:RequestedRegion': 'us-east-1' });
    expect(sid('AllowPassingInstanceRole').Resource).toBe(refTo(json, 'aws_iam_role', 'test/Cluster/NodeRole', 'arn'));
    expect(sid('AllowInterruptionQueueActions').Resource).toBe(refTo(json, 'aws_sqs_queue', 'test/Cluster/Karpenter/InterruptionQueue', 'arn'));
    expect(sid('AllowEncryptedRootVolumes').Condition.StringEquals['kms:ViaService']).toBe('ec2.us-east-1.amazonaws.com');
    expect(policy.Statement.flatMap((s: any) => s.Action).filter((a: string) => a.startsWith('iam:') &&
      !['iam:PassRole', 'iam:GetInstanceProfile', 'iam:CreateServiceLinkedRole'].includes(a))).toEqual([]);
  });

  test('a fresh account: Karpenter may create the spot service-linked role (that role only), and read its queue', () => {
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Cluster/Karpenter/Identity/Policy').policy);
    const slr = policy.Statement.filter((s: any) => [s.Action].flat().includes('iam:CreateServiceLinkedRole'));
    expect(slr).toEqual([{
      Sid: 'AllowSpotServiceLinkedRoleCreation', Effect: 'Allow', Action: ['iam:CreateServiceLinkedRole'],
      Resource: expect.stringMatching(/^arn:\$\{data\.aws_partition\..*:iam::\$\{data\.aws_caller_identity\..*\}:role\/aws-service-role\/spot\.amazonaws\.com\/AWSServiceRoleForEC2Spot$/),
      Condition: { StringEquals: { 'iam:AWSServiceName': 'spot.amazonaws.com' } },
    }]);
    const queue = policy.Statement.find((s: any) => s.Sid === 'AllowInterruptionQueueActions');
    expect(queue.Action).toContain('sqs:GetQueueAttributes');
    const launch = policy.Statement.find((s: any) => s.Sid === 'AllowScopedEC2InstanceAccessActions');
    expect(launch.Resource).toContainEqual(expect.stringMatching(/:ec2:us-east-1:\*:spot-instances-request\/\*$/));
    expect(launch.Condition).toBeUndefined();
  });

  test('no policy errors; components and the SQS cost line in the report', () => {
    expect(out.report.policy.errors).toBe(0);
    const text = JSON.stringify(out.report);
    expect(text).toContain('Karpenter');
    expect(text).toContain('sqs:standard-requests-1m');
  });
});

describe('Karpenter options', () => {
  test('a capacity reservation pool prefers reserved capacity', () => {
    const { stack, cluster } = newPlatform(undefined, { cluster: { autoscaler: Autoscaler.KARPENTER } });
    new GpuNodePool(stack, 'Reserved', { cluster, instanceType: 'g6.xlarge', capacityReservationId: 'cr-0123456789abcdef0' });
    const out = synthStack(stack);
    const [nodeClass, pool] = manifestObjects(out.dir, helmRelease(out.json, 'karpenter-pool-reserved'));
    expect(nodeClass.spec.capacityReservationSelectorTerms).toEqual([{ id: 'cr-0123456789abcdef0' }]);
    expect(pool.spec.template.spec.requirements).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['reserved', 'on-demand'] });
  });

  test('the default stays the Cluster Autoscaler with managed node groups', () => {
    const { stack, cluster } = newPlatform();
    new GpuNodePool(stack, 'Training', { cluster, instanceType: 'g5.xlarge' });
    const json = synthStack(stack).json;
    expect(resourcesOfType(json, 'aws_eks_node_group')).toHaveLength(2);
    expect(resourcesOfType(json, 'helm_release').map((r) => r.name)).not.toContain('karpenter');
    expect(resourcesOfType(json, 'aws_subnet').every((s) => s.tags['karpenter.sh/discovery'] === undefined)).toBe(true);
  });

  test('policy helper takes any partition', () => {
    const statements = karpenterControllerPolicy({
      partition: 'aws-cn', region: 'cn-north-1', accountId: '111122223333', clusterName: 'c', nodeRoleArn: 'arn:aws-cn:iam::111122223333:role/n',
      queueArn: 'arn:aws-cn:sqs:cn-north-1:111122223333:q', dataKeyArn: 'k', notificationsKeyArn: 'n',
    });
    expect(statements[0].resources[0]).toBe('arn:aws-cn:ec2:cn-north-1::image/*');
  });

  test('validation: autoscaler must be an Autoscaler', () => {
    expectValidationError(() => newPlatform(undefined, { cluster: { autoscaler: 'karpenter' as any } }), 'test/Cluster', 'autoscaler', /Autoscaler/);
  });
});

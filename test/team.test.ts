import { App } from 'cdktf';
import { AwsCloud } from '../lib/aws/aws-cloud';
import { EksCluster } from '../lib/aws/eks-cluster';
import { GpuNodePool } from '../lib/gpu-node-pool';
import { FairGpuScheduling } from '../lib/k8s/kueue';
import { Team, TeamPodSecurity } from '../lib/team';
import { addressOf, expectValidationError, newApp, newPlatform, newStack, readStackOutput, resourceAt, resourcesOfType } from './helpers';

const RESEARCH_ROLE = 'arn:aws:iam::111122223333:role/research';
const SHARED_ROLE = 'arn:aws:iam::111122223333:role/ml-leads';

function setup() {
  const platform = newPlatform();
  const pool = new GpuNodePool(platform.stack, 'Training', { cluster: platform.cluster, instanceType: 'g6.12xlarge', maxSize: 2 });
  const scheduling = new FairGpuScheduling(platform.stack, 'GpuScheduling', { cluster: platform.cluster, gpuPools: [{ pool, maxNodes: 2 }] });
  return { ...platform, pool, scheduling };
}

describe('Team', () => {
  let json: any;
  let imported: any;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cluster } = newPlatform(newStack({}, app, 'test'));
    const pool = new GpuNodePool(stack, 'Training', { cluster, instanceType: 'g6.12xlarge', maxSize: 2 });
    const gpuScheduling = new FairGpuScheduling(stack, 'GpuScheduling', { cluster, gpuPools: [{ pool, maxNodes: 2 }] });
    new Team(stack, 'Research', {
      cluster, name: 'research', costCenter: 'cc-7000', editorPrincipals: [RESEARCH_ROLE], viewerPrincipals: [SHARED_ROLE], adminPrincipals: [SHARED_ROLE],
      gpuScheduling, gpuShares: [{ pool, guaranteedGpus: 4 }],
    });
    new Team(stack, 'Fraud', {
      cluster, name: 'fraud', namespace: 'team-fraud', podSecurity: TeamPodSecurity.BASELINE, viewerPrincipals: [SHARED_ROLE],
      quota: { cpu: '8', memory: '32Gi', gpus: 2, pods: 20, storage: '100Gi', persistentVolumeClaims: 5 },
      containerDefaults: { cpuRequest: '100m', memoryRequest: '256Mi', memoryLimit: '1Gi' },
      allowedServices: [{ namespace: 'mlflow', ports: [5000] }, { namespace: 'feast', ports: [6566, 8080] }],
      egress: [{ cidr: '169.254.170.23/32', port: 80 }],
    });
    const other = newStack({}, app, 'imported');
    const cloud = new AwsCloud(other, 'Aws');
    const existing = EksCluster.fromClusterAttributes(other, 'Cluster', {
      cloud, clusterName: 'legacy', installPodIdentityAgent: false, privateSubnetIds: ['subnet-0123456789abcdef0'], clusterSecurityGroupId: 'sg-0123456789abcdef0',
      nodeRoleArn: 'arn:aws:iam::111122223333:role/nodes', openIdConnectProviderArn: 'arn:aws:iam::111122223333:oidc-provider/x', existingNamespaces: ['research'],
    });
    new Team(other, 'Research', { cluster: existing, name: 'research', editorPrincipals: [RESEARCH_ROLE] });
    app.synth();
    json = readStackOutput(app.outdir, 'test').json;
    imported = readStackOutput(app.outdir, 'imported').json;
  });

  test('the namespace carries the cost allocation with the team as `team` (and its cost center), and Pod Security', () => {
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'test/Research/Namespace');
    expect(ns.metadata).toEqual({
      name: 'research',
      labels: {
        'cost-center': 'cc-7000', 'team': 'research', 'project': 'fraud', 'environment': 'prod',
        'pod-security.kubernetes.io/enforce': 'restricted', 'mlops/kueue-managed': 'true',
      },
    });
    const fraud = resourceAt(json, 'kubernetes_namespace_v1', 'test/Fraud/Namespace');
    expect(fraud.metadata.name).toBe('team-fraud');
    expect(fraud.metadata.labels).toMatchObject({ 'cost-center': 'cc-4512', 'team': 'fraud', 'pod-security.kubernetes.io/enforce': 'baseline' });
    expect(fraud.metadata.labels['mlops/kueue-managed']).toBeUndefined();
  });

  test('a ResourceQuota with CPU, memory, GPUs, pods and storage', () => {
    // 4 guaranteed GPUs fill one g6.12xlarge (4 GPUs, 48 vCPUs, 192 GiB): a job sized to that node must fit the quota.
    expect(resourceAt(json, 'kubernetes_resource_quota_v1', 'test/Research/Quota').spec.hard).toEqual({
      'requests.cpu': '48', 'requests.memory': '192Gi', 'requests.nvidia.com/gpu': '8', 'pods': '200', 'requests.storage': '1Ti', 'persistentvolumeclaims': '50',
    });
    const fraud = resourceAt(json, 'kubernetes_resource_quota_v1', 'test/Fraud/Quota');
    expect(fraud.metadata).toMatchObject({ name: 'team-quota', namespace: 'team-fraud' });
    expect(fraud.depends_on).toContain(addressOf(json, 'kubernetes_namespace_v1', 'test/Fraud/Namespace'));
    expect(fraud.spec.hard).toEqual({
      'requests.cpu': '8', 'requests.memory': '32Gi', 'requests.nvidia.com/gpu': '2', 'pods': '20', 'requests.storage': '100Gi', 'persistentvolumeclaims': '5',
    });
  });

  test('default CPU and memory quota: at least 32 / 128Gi, more when the guaranteed GPUs come on bigger nodes (Kueue admits against it)', () => {
    const { stack, cluster, pool, scheduling } = setup();
    const small = new Team(stack, 'Small', { cluster, name: 'small', gpuScheduling: scheduling, gpuShares: [{ pool, guaranteedGpus: 1 }] });
    const none = new Team(stack, 'None', { cluster, name: 'none', gpuScheduling: scheduling });
    const big = new Team(stack, 'Big', { cluster, name: 'big', gpuScheduling: scheduling, gpuShares: [{ pool, guaranteedGpus: 5 }] });
    const hard = (t: Team) => t.resourceQuota.specInput!.hard as { [k: string]: string };
    // 1 GPU needs one whole g6.12xlarge (48 vCPUs, 192 GiB); no share keeps the floor; 5 GPUs span two nodes.
    expect([hard(small)['requests.cpu'], hard(small)['requests.memory']]).toEqual(['48', '192Gi']);
    expect([hard(none)['requests.cpu'], hard(none)['requests.memory']]).toEqual(['32', '128Gi']);
    expect([hard(big)['requests.cpu'], hard(big)['requests.memory']]).toEqual(['96', '384Gi']);
    expect(scheduling.gpusPerNodeOf(pool)).toBe(4);
  });

  test('LimitRange defaults for containers that set none', () => {
    // No default memory limit unless asked: Kubernetes would give it to a container requesting 32Gi without a limit
    // and then reject the pod (request above limit).
    expect(resourceAt(json, 'kubernetes_limit_range_v1', 'test/Research/LimitRange').spec.limit)
      .toEqual([{ type: 'Container', default_request: { cpu: '250m', memory: '512Mi' } }]);
    expect(resourceAt(json, 'kubernetes_limit_range_v1', 'test/Fraud/LimitRange').spec.limit)
      .toEqual([{ type: 'Container', default_request: { cpu: '100m', memory: '256Mi' }, default: { memory: '1Gi' } }]);
  });

  test('default-deny NetworkPolicy: the namespace, DNS and MLflow by default', () => {
    const policy = resourceAt(json, 'kubernetes_network_policy_v1', 'test/Research/NetworkPolicy');
    expect(policy.metadata).toMatchObject({ name: 'team-default-deny', namespace: 'research' });
    expect(policy.spec).toEqual({
      pod_selector: {},
      policy_types: ['Ingress', 'Egress'],
      ingress: [{ from: [{ pod_selector: {} }] }],
      egress: [
        { to: [{ pod_selector: {} }] },
        {
          to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'kube-system' } }, pod_selector: { match_labels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ protocol: 'UDP', port: '53' }, { protocol: 'TCP', port: '53' }],
        },
        { to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'mlflow' } } }], ports: [{ protocol: 'TCP', port: '5000' }] },
      ],
    });
  });

  test('allowed services and egress rules are listed; nothing else', () => {
    const egress = resourceAt(json, 'kubernetes_network_policy_v1', 'test/Fraud/NetworkPolicy').spec.egress;
    expect(egress.slice(2)).toEqual([
      { to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'mlflow' } } }], ports: [{ protocol: 'TCP', port: '5000' }] },
      { to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'feast' } } }], ports: [{ protocol: 'TCP', port: '6566' }, { protocol: 'TCP', port: '8080' }] },
      { to: [{ ip_block: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: '80' }] },
    ]);
  });

  test('EKS access entries: one per principal, a namespace-scoped policy per access level', () => {
    const entries = resourcesOfType(json, 'aws_eks_access_entry').filter((e) => e['//'].metadata.path.includes('/NamespaceAccess/'));
    expect(entries.map((e) => e.principal_arn).sort()).toEqual([SHARED_ROLE, RESEARCH_ROLE]);
    expect(entries.every((e) => e.type === 'STANDARD')).toBe(true);
    const associations = resourcesOfType(json, 'aws_eks_access_policy_association').filter((a) => a['//'].metadata.path.includes('/NamespaceAccess/'));
    const scopes = associations.map((a) => [a.principal_arn, a.policy_arn.split('/').pop(), a.access_scope]);
    expect(scopes).toEqual(expect.arrayContaining([
      [RESEARCH_ROLE, 'AmazonEKSEditPolicy', { type: 'namespace', namespaces: ['research'] }],
      // One role viewing two teams: one association naming both namespaces (EKS allows one per principal and policy).
      [SHARED_ROLE, 'AmazonEKSViewPolicy', { type: 'namespace', namespaces: ['research', 'team-fraud'] }],
      [SHARED_ROLE, 'AmazonEKSAdminPolicy', { type: 'namespace', namespaces: ['research'] }],
    ]));
    expect(associations).toHaveLength(3);
    expect(associations.every((a) => a.policy_arn.startsWith('arn:${data.aws_partition.'))).toBe(true);
    const entry = resourcesOfType(json, 'aws_eks_access_entry').find((e) => e.principal_arn === RESEARCH_ROLE);
    expect(entry.cluster_name).toMatch(/^\$\{aws_eks_cluster\./);
    expect(entry.lifecycle).toBeUndefined();
  });

  test('on an imported cluster, the existing namespace is labelled and access entries check the authentication mode', () => {
    expect(resourcesOfType(imported, 'kubernetes_namespace_v1')).toEqual([]);
    const labels = resourceAt(imported, 'kubernetes_labels', 'imported/Research/AdoptedLabels');
    expect(labels).toMatchObject({ kind: 'Namespace', metadata: { name: 'research' }, force: true, labels: { team: 'research' } });
    const [entry] = resourcesOfType(imported, 'aws_eks_access_entry');
    expect(entry).toMatchObject({ cluster_name: 'legacy', principal_arn: RESEARCH_ROLE });
    expect(entry.lifecycle.precondition[0].condition).toMatch(/data\.aws_eks_cluster\.[^.]+\.access_config\[0\]\.authentication_mode != "CONFIG_MAP"/);
    expect(entry.lifecycle.precondition[0].error_message).toMatch(/API_AND_CONFIG_MAP/);
  });

  test('without a FairGpuScheduling, no queues and a GPU quota of 0', () => {
    expect(resourcesOfType(json, 'helm_release').filter((r) => r.name === 'kueue-queues-fraud')).toEqual([]);
    const fraud = resourceAt(imported, 'kubernetes_resource_quota_v1', 'imported/Research/Quota');
    expect(fraud.spec.hard['requests.nvidia.com/gpu']).toBe('0');
  });
});

test('a principal that is a cluster admin keeps its one access entry and gets the namespace policy on it', () => {
  const { stack, cluster } = newPlatform(newStack(), { cluster: { adminPrincipalArns: [SHARED_ROLE] } });
  new Team(stack, 'Research', { cluster, name: 'research', editorPrincipals: [SHARED_ROLE] });
  const app = stack.node.root as App;
  app.synth();
  const json = readStackOutput(app.outdir, 'test').json;
  expect(resourcesOfType(json, 'aws_eks_access_entry').map((e) => e['//'].metadata.path)).toEqual(['test/Cluster/AdminAccess1']);
  const association = resourcesOfType(json, 'aws_eks_access_policy_association').find((a) => a.policy_arn.endsWith('/AmazonEKSEditPolicy'));
  expect(association).toMatchObject({ principal_arn: SHARED_ROLE, access_scope: { type: 'namespace', namespaces: ['research'] } });
  expect(association.depends_on).toEqual([addressOf(json, 'aws_eks_access_entry', 'test/Cluster/AdminAccess1')]);
});

describe('Team validation', () => {
  test('a GPU share above the cluster\'s GPU capacity', () => {
    const { stack, cluster, pool, scheduling } = setup();
    expectValidationError(() => new Team(stack, 'T', { cluster, name: 'a', gpuScheduling: scheduling, gpuShares: [{ pool, guaranteedGpus: 9 }] }),
      'test/T', 'gpuShares', /add up to more than the cluster's GPU capacity of 8 GPUs/);
  });

  test('a GPU share above its pool', () => {
    const platform = newPlatform();
    const big = new GpuNodePool(platform.stack, 'Big', { cluster: platform.cluster, instanceType: 'g6.12xlarge', maxSize: 2 });
    const small = new GpuNodePool(platform.stack, 'Small', { cluster: platform.cluster, instanceType: 'g6.xlarge', maxSize: 2 });
    const gpuScheduling = new FairGpuScheduling(platform.stack, 'S', { cluster: platform.cluster, gpuPools: [{ pool: big, maxNodes: 2 }, { pool: small, maxNodes: 2 }] });
    expectValidationError(() => new Team(platform.stack, 'T', { cluster: platform.cluster, name: 'a', gpuScheduling, gpuShares: [{ pool: small, guaranteedGpus: 3 }] }),
      'test/T', 'gpuShares[0].guaranteedGpus', /more than the 2 GPUs pool test\/Small holds at full scale \(1 per node x 2 nodes\)/);
  });

  test('guaranteed shares of all teams above the pool', () => {
    const { stack, cluster, pool, scheduling } = setup();
    new Team(stack, 'A', { cluster, name: 'a', gpuScheduling: scheduling, gpuShares: [{ pool, guaranteedGpus: 5 }] });
    expectValidationError(() => new Team(stack, 'B', { cluster, name: 'b', gpuScheduling: scheduling, gpuShares: [{ pool, guaranteedGpus: 4 }] }),
      'test/B', 'gpuShares[0].guaranteedGpus', /brings the guaranteed shares of pool test\/Training to 9 GPUs \(test\/A: 5\), more than the 8/);
  });

  test.each([0, -2, 1.5])('a share of %p GPUs', (gpus) => {
    const { stack, cluster, pool, scheduling } = setup();
    expectValidationError(() => new Team(stack, 'T', { cluster, name: 'a', gpuScheduling: scheduling, gpuShares: [{ pool, guaranteedGpus: gpus }] }),
      'test/T', 'gpuShares[0].guaranteedGpus', /must be a whole number of GPUs, at least 1/);
  });

  test('a negative borrowing limit', () => {
    const { stack, cluster, pool, scheduling } = setup();
    expectValidationError(() => new Team(stack, 'T', { cluster, name: 'a', gpuScheduling: scheduling, gpuShares: [{ pool, guaranteedGpus: 1, borrowingLimitGpus: -1 }] }),
      'test/T', 'gpuShares[0].borrowingLimitGpus', /whole number from 0/);
  });

  test('a share of a pool the scheduling does not have, or twice the same pool', () => {
    const { stack, cluster, pool, scheduling } = setup();
    const other = new GpuNodePool(stack, 'Other', { cluster, instanceType: 'g6.xlarge' });
    expectValidationError(() => new Team(stack, 'T', { cluster, name: 'a', gpuScheduling: scheduling, gpuShares: [{ pool: other, guaranteedGpus: 1 }] }),
      'test/T', 'gpuShares[0].pool', /is not one of the GPU pools of test\/GpuScheduling/);
    expectValidationError(() => new Team(stack, 'U', { cluster, name: 'b', gpuScheduling: scheduling, gpuShares: [{ pool, guaranteedGpus: 1 }, { pool, guaranteedGpus: 1 }] }),
      'test/U', 'gpuShares[1].pool', /listed twice/);
  });

  test('shares without a scheduling', () => {
    const { stack, cluster, pool } = setup();
    expectValidationError(() => new Team(stack, 'T', { cluster, name: 'a', gpuShares: [{ pool, guaranteedGpus: 1 }] }), 'test/T', 'gpuShares', /needs gpuScheduling/);
  });

  test('overlapping teams: the same name or namespace twice on a cluster', () => {
    const { stack, cluster } = setup();
    new Team(stack, 'A', { cluster, name: 'research' });
    expectValidationError(() => new Team(stack, 'B', { cluster, name: 'research', namespace: 'research-2' }), 'test/B', 'name', /already used by test\/A/);
    expectValidationError(() => new Team(stack, 'C', { cluster, name: 'other', namespace: 'research' }), 'test/C', 'namespace', /already used by test\/A/);
  });

  test('a namespace a platform component uses', () => {
    const { stack, cluster } = setup();
    expectValidationError(() => new Team(stack, 'T', { cluster, name: 'mlflow' }), 'test/T', 'name', /a platform component uses/);
    expectValidationError(() => new Team(stack, 'U', { cluster, name: 'ok', namespace: 'kube-system' }), 'test/U', 'namespace', /a platform component uses/);
  });

  test('a name that is not a DNS label', () => {
    const { stack, cluster } = setup();
    expectValidationError(() => new Team(stack, 'T', { cluster, name: 'Research Team' }), 'test/T', 'name', /lower-case DNS label/);
  });

  test('malformed principals: not an IAM ARN, an STS session, a single string', () => {
    const { stack, cluster } = setup();
    expectValidationError(() => new Team(stack, 'T', { cluster, name: 'a', editorPrincipals: ['research-role'] }), 'test/T/Editors', 'principals[0]', /is not an IAM role or user ARN/);
    expectValidationError(() => new Team(stack, 'U', { cluster, name: 'b', viewerPrincipals: ['arn:aws:sts::111122223333:assumed-role/research/alice'] }),
      'test/U/Viewers', 'principals[0]', /STS assumed-role session ARN/);
    expectValidationError(() => new Team(stack, 'V', { cluster, name: 'c', adminPrincipals: RESEARCH_ROLE as any }), 'test/V', 'adminPrincipals', /must be a list, not a single string/);
  });

  test('bad quota, container defaults, services, egress and cost center', () => {
    const { stack, cluster } = setup();
    expectValidationError(() => new Team(stack, 'A', { cluster, name: 'a', quota: { memory: '16 GB' } }), 'test/A', 'quota.memory', /not a Kubernetes quantity/);
    expectValidationError(() => new Team(stack, 'B', { cluster, name: 'b', quota: { gpus: -1 } }), 'test/B', 'quota.gpus', /whole number from 0/);
    expectValidationError(() => new Team(stack, 'C', { cluster, name: 'c', containerDefaults: { cpuRequest: 'lots' } }), 'test/C', 'containerDefaults.cpuRequest', /not a Kubernetes quantity/);
    expectValidationError(() => new Team(stack, 'H', { cluster, name: 'h', containerDefaults: { memoryLimit: '2 GB' } }), 'test/H', 'containerDefaults.memoryLimit', /not a Kubernetes quantity/);
    expectValidationError(() => new Team(stack, 'D', { cluster, name: 'd', allowedServices: [{ namespace: 'mlflow', ports: [70000] }] }), 'test/D', 'allowedServices[0].ports[0]', /1 to 65535/);
    expectValidationError(() => new Team(stack, 'E', { cluster, name: 'e', egress: [{ cidr: '10.0.0.1/8', port: 443 }] }), 'test/E', 'egress[0].cidr', /host bits set/);
    expectValidationError(() => new Team(stack, 'F', { cluster, name: 'f', costCenter: 'cc 1' }), 'test/F', 'costCenter', /not valid/);
    expectValidationError(() => new Team(stack, 'G', { cluster, name: 'g', podSecurity: 'privileged' as any }), 'test/G', 'podSecurity', /TeamPodSecurity/);
  });
});

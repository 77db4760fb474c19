import { App } from 'cdktf';
import { AwsCloud } from '../../lib/aws/aws-cloud';
import { EksCluster, EndpointAccess } from '../../lib/aws/eks-cluster';
import { Vpc } from '../../lib/aws/vpc';
import { PlatformStack } from '../../lib/core/platform-stack';
import { GpuNodePool } from '../../lib/gpu-node-pool';
import { PlatformNamespace } from '../../lib/k8s/platform-namespace';
import { TEST_CA_DATA } from '../fuzz/fuzz-helpers';
import {
  addressOf, dataSourcesOfType, expectValidationError, helmRelease, helmValues, newApp, newPlatform, newStack, providersOfType, readStackOutput, refTo, resourceAt,
  resourcesOfType, synthStack, warningsUnder,
} from '../helpers';

const ADMINS = ['arn:aws:iam::123456789012:role/platform-admin', 'arn:aws:iam::123456789012:role/ci-deployer'];

describe('EksCluster', () => {
  let json: any;
  let report: any;
  let markdown: string;
  let privateJson: any;
  let privateReport: any;
  let publicStack: PlatformStack;
  let privateStack: PlatformStack;
  beforeAll(() => {
    const app: App = newApp();
    publicStack = newPlatform(newStack({}, app, 'test'), { cluster: { adminPrincipalArns: ADMINS, endpointAccess: EndpointAccess.publicAndPrivate(['203.0.113.0/24']) } }).stack;
    privateStack = newPlatform(newStack({}, app, 'private'), { cluster: { clusterName: 'ml_cluster', kubernetesVersion: '1.36', systemNodes: { instanceType: 'm7i.xlarge', minSize: 3, maxSize: 9 } } }).stack;
    app.synth();
    ({ json, report, markdown } = readStackOutput(app.outdir, 'test'));
    ({ json: privateJson, report: privateReport } = readStackOutput(app.outdir, 'private'));
  });

  const cluster = () => resourceAt(json, 'aws_eks_cluster', 'test/Cluster/Resource');

  test('Kubernetes 1.35 by default, standard support, API authentication', () => {
    expect(cluster()).toMatchObject({
      name: 'fraud-prod', version: '1.35', upgrade_policy: { support_type: 'STANDARD' },
      access_config: { authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: true },
    });
    expect(resourceAt(privateJson, 'aws_eks_cluster', 'private/Cluster/Resource')).toMatchObject({ name: 'ml_cluster', version: '1.36' });
  });

  test('all five control-plane log types go to an encrypted log group created first', () => {
    expect(cluster().enabled_cluster_log_types).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
    const logGroup = resourceAt(json, 'aws_cloudwatch_log_group', 'test/Cluster/ControlPlaneLogs');
    expect(logGroup).toMatchObject({ name: '/aws/eks/fraud-prod/cluster', retention_in_days: 365, kms_key_id: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryLogsKey/Resource', 'arn') });
    expect(cluster().depends_on).toContain(`aws_cloudwatch_log_group.${Object.entries(json.resource.aws_cloudwatch_log_group).find(([, v]: any) => v === logGroup)![0]}`);
  });

  test('secrets are encrypted with the primary data key', () => {
    expect(cluster().encryption_config).toEqual({ resources: ['secrets'], provider: { key_arn: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource', 'arn') } });
  });

  test('the endpoint is private plus CIDR-restricted public, in the private subnets', () => {
    expect(cluster().vpc_config).toEqual({
      endpoint_private_access: true, endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'],
      subnet_ids: [1, 2, 3].map((i) => refTo(json, 'aws_subnet', `test/Network/PrivateSubnet${i}`, 'id')),
    });
    const priv = resourceAt(privateJson, 'aws_eks_cluster', 'private/Cluster/Resource').vpc_config;
    expect(priv.endpoint_public_access).toBe(false);
    expect(priv.public_access_cidrs).toBeUndefined();
  });

  test('an access entry and cluster-admin policy association per admin ARN', () => {
    const entries = resourcesOfType(json, 'aws_eks_access_entry');
    expect(entries.map((e) => e.principal_arn)).toEqual(ADMINS);
    expect(entries.every((e) => e.type === 'STANDARD' && e.cluster_name === refTo(json, 'aws_eks_cluster', 'test/Cluster/Resource', 'name'))).toBe(true);
    const associations = resourcesOfType(json, 'aws_eks_access_policy_association');
    expect(associations).toHaveLength(2);
    associations.forEach((a, i) => {
      expect(a.principal_arn).toBe(ADMINS[i]);
      expect(a.policy_arn).toMatch(/^arn:\$\{data\.aws_partition\.[^}]+\.partition\}:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/);
      expect(a.access_scope).toEqual({ type: 'cluster' });
      expect(a.depends_on).toEqual([expect.stringMatching(new RegExp(`^aws_eks_access_entry\\.Cluster_AdminAccess${i + 1}_`))]);
    });
    expect(resourcesOfType(privateJson, 'aws_eks_access_entry')).toEqual([]);
  });

  test('the five add-ons; CoreDNS and EBS CSI wait for the system nodes, EBS CSI for its Pod Identity too', () => {
    const addons = resourcesOfType(json, 'aws_eks_addon');
    expect(addons.map((a) => a.addon_name).sort()).toEqual(['aws-ebs-csi-driver', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    for (const a of addons) {
      expect(a).toMatchObject({ resolve_conflicts_on_create: 'OVERWRITE', resolve_conflicts_on_update: 'PRESERVE' });
    }
    const systemNodes = `aws_eks_node_group.${Object.entries(json.resource.aws_eks_node_group).find(([, v]: any) => v['//'].metadata.path === 'test/Cluster/SystemNodes/Resource')![0]}`;
    expect(addons.find((a) => a.addon_name === 'coredns').depends_on).toEqual([systemNodes]);
    // The controller's pods get no AWS credentials if they start before the association.
    expect(addons.find((a) => a.addon_name === 'aws-ebs-csi-driver').depends_on).toEqual([
      systemNodes, addressOf(json, 'aws_eks_pod_identity_association', 'test/Cluster/EbsCsiIdentity/Association'),
      addressOf(json, 'aws_iam_role_policy', 'test/Cluster/EbsCsiIdentity/Policy'),
    ]);
    // NetworkPolicies (team namespaces deny by default) are enforced only with the CNI's network policy agent on.
    expect(JSON.parse(addons.find((a) => a.addon_name === 'vpc-cni').configuration_values)).toEqual({ enableNetworkPolicy: 'true' });
    const nodeGroup = resourceAt(json, 'aws_eks_node_group', 'test/Cluster/SystemNodes/Resource');
    for (const name of ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']) {
      expect(nodeGroup.depends_on).toContainEqual(expect.stringMatching(new RegExp(`^aws_eks_addon\\.Cluster_${name}_`)));
    }
  });

  test('the EBS CSI driver runs with a pod identity that may use the data key', () => {
    const association = resourceAt(json, 'aws_eks_pod_identity_association', 'test/Cluster/EbsCsiIdentity/Association');
    expect(association).toMatchObject({ namespace: 'kube-system', service_account: 'ebs-csi-controller-sa' });
    expect(resourcesOfType(json, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn))
      .toContainEqual(expect.stringMatching(/:iam::aws:policy\/service-role\/AmazonEBSCSIDriverPolicy$/));
  });

  test('the system node group: AL2023, on demand, 2-6 m7i.large by default, no SSH', () => {
    const nodeGroup = resourceAt(json, 'aws_eks_node_group', 'test/Cluster/SystemNodes/Resource');
    expect(nodeGroup).toMatchObject({
      ami_type: 'AL2023_x86_64_STANDARD', capacity_type: 'ON_DEMAND', instance_types: ['m7i.large'],
      scaling_config: { min_size: 2, max_size: 6, desired_size: 2 }, labels: { 'node-role.mlops/system': 'true' },
      launch_template: {
        id: refTo(json, 'aws_launch_template', 'test/Cluster/SystemNodes/LaunchTemplate', 'id'),
        version: refTo(json, 'aws_launch_template', 'test/Cluster/SystemNodes/LaunchTemplate', 'latest_version'),
      },
      lifecycle: { ignore_changes: ['scaling_config[0].desired_size'], create_before_destroy: true },
    });
    expect(nodeGroup.remote_access).toBeUndefined();
    expect(resourceAt(privateJson, 'aws_eks_node_group', 'private/Cluster/SystemNodes/Resource')).toMatchObject({
      instance_types: ['m7i.xlarge'], scaling_config: { min_size: 3, max_size: 9, desired_size: 3 },
    });
  });

  test('the launch template requires IMDSv2 with hop limit 1 and an encrypted gp3 root volume', () => {
    const template = resourceAt(json, 'aws_launch_template', 'test/Cluster/SystemNodes/LaunchTemplate');
    expect(template.metadata_options).toEqual({ http_tokens: 'required', http_endpoint: 'enabled', http_put_response_hop_limit: 1 });
    expect(template.block_device_mappings).toEqual([{
      device_name: '/dev/xvda',
      ebs: { volume_size: 50, volume_type: 'gp3', encrypted: 'true', kms_key_id: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource', 'arn'), delete_on_termination: 'true' },
    }]);
    expect(template.tag_specifications.map((t: any) => t.resource_type)).toEqual(['instance', 'volume', 'network-interface']);
    for (const spec of template.tag_specifications) {
      expect(spec.tags).toMatchObject({ 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod' });
    }
  });

  test('Kubernetes and Helm providers authenticate with aws eks get-token', () => {
    const args = ['eks', 'get-token', '--cluster-name', 'fraud-prod', '--region', 'us-east-1', '--output', 'json'];
    const exec = { api_version: 'client.authentication.k8s.io/v1beta1', command: 'aws', args };
    const host = refTo(json, 'aws_eks_cluster', 'test/Cluster/Resource', 'endpoint');
    const ca = `\${base64decode(${refTo(json, 'aws_eks_cluster', 'test/Cluster/Resource', 'certificate_authority').slice(2, -1)}[0].data)}`;
    expect(providersOfType(json, 'kubernetes')).toEqual([{ host, cluster_ca_certificate: ca, exec: [exec] }]);
    expect(providersOfType(json, 'helm')).toEqual([{ kubernetes: { host, cluster_ca_certificate: ca, exec } }]);
  });

  test('the report lists the cluster', () => {
    expect(report.components).toContainEqual({ path: 'test/Cluster', name: 'EksCluster', description: 'EKS 1.35 "fraud-prod", public endpoint limited to 203.0.113.0/24' });
  });

  test('the Cluster Autoscaler runs on system nodes with a scoped Pod Identity', () => {
    const release = helmRelease(json, 'cluster-autoscaler');
    expect(release).toMatchObject({ chart: 'cluster-autoscaler', version: '9.59.0', repository: 'https://kubernetes.github.io/autoscaler', namespace: 'kube-system' });
    expect(helmValues(release)).toMatchObject({
      cloudProvider: 'aws', awsRegion: 'us-east-1', autoDiscovery: { clusterName: 'fraud-prod' },
      rbac: { serviceAccount: { create: true, name: 'cluster-autoscaler' } },
      nodeSelector: { 'node-role.mlops/system': 'true' },
      additionalLabels: { 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod' },
    });
    // podLabels end up in the Deployment's immutable selector: a changed cost tag would break every later upgrade.
    expect(helmValues(release).podLabels).toBeUndefined();
    expect(release.depends_on).toEqual(expect.arrayContaining([
      addressOf(json, 'aws_eks_pod_identity_association', 'test/Cluster/ClusterAutoscaler/Identity/Association'),
      addressOf(json, 'aws_iam_role_policy', 'test/Cluster/ClusterAutoscaler/Identity/Policy'),
    ]));
    const association = resourceAt(json, 'aws_eks_pod_identity_association', 'test/Cluster/ClusterAutoscaler/Identity/Association');
    expect(association).toMatchObject({ namespace: 'kube-system', service_account: 'cluster-autoscaler', cluster_name: refTo(json, 'aws_eks_cluster', 'test/Cluster/Resource', 'name') });
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Cluster/ClusterAutoscaler/Identity/Policy').policy);
    const scaling = policy.Statement.find((st: any) => st.Action.includes('autoscaling:SetDesiredCapacity'));
    expect(scaling.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/fraud-prod': 'owned' } });
    expect(scaling.Resource).not.toBe('*');
  });

  test('Helm releases and namespaces wait for the system nodes and CoreDNS', () => {
    const nodes = addressOf(json, 'aws_eks_node_group', 'test/Cluster/SystemNodes/Resource');
    const coreDns = addressOf(json, 'aws_eks_addon', 'test/Cluster/coredns');
    const release = helmRelease(json, 'cluster-autoscaler');
    expect(release.depends_on).toEqual(expect.arrayContaining([nodes, coreDns]));
  });

  test('a workload identity always has its policy, so releases can wait for it even when nothing was granted', () => {
    const stack = newStack();
    const { cluster } = newPlatform(stack, { cluster: { clusterAutoscaler: false } });
    const identity = cluster.newWorkloadIdentity(stack, 'Idle', { namespace: 'team', serviceAccountName: 'idle' });
    const { json: out } = synthStack(stack);
    const policy = JSON.parse(resourceAt(out, 'aws_iam_role_policy', 'test/Idle/Policy').policy);
    expect(policy.Statement).toEqual([{ Sid: 'NothingGranted', Effect: 'Allow', Action: ['sts:GetCallerIdentity'], Resource: '*' }]);
    expect(identity.prerequisites.map((p: any) => p.node.path)).toEqual(['test/Idle/Association', 'test/Idle/Policy']);
  });

  test('an IAM OIDC provider for the cluster\'s issuer, for the roles of namespaced secret stores', () => {
    expect(resourceAt(json, 'aws_iam_openid_connect_provider', 'test/Cluster/OidcProvider')).toMatchObject({
      url: '${' + refTo(json, 'aws_eks_cluster', 'test/Cluster/Resource', 'identity').slice(2, -1) + '[0].oidc[0].issuer}',
      client_id_list: ['sts.amazonaws.com'],
    });
  });

  test('the report says where to run deploy (the API must be reachable) and how to get a kubeconfig', () => {
    const steps = report.deploymentSteps;
    expect(steps.find((st: any) => st.phase === 'BEFORE_DEPLOY')).toMatchObject({
      title: 'Run cdktf deploy where the API of fraud-prod is reachable', detail: expect.stringContaining('203.0.113.0/24'),
    });
    expect(steps.find((st: any) => st.title === 'Point kubectl at fraud-prod')).toMatchObject({
      phase: 'AFTER_DEPLOY', command: 'aws eks update-kubeconfig --name fraud-prod --region us-east-1',
    });
    expect(markdown).toContain('### Before the first deploy');
    expect(markdown.indexOf('### Before the first deploy')).toBeLessThan(markdown.indexOf('### After deploy'));
    expect(privateReport.deploymentSteps[0].detail).toMatch(/from inside the VPC/);
  });

  test('a private endpoint warns at synth that deploy must run from inside the VPC; a CIDR-restricted public one does not', () => {
    expect(warningsUnder(privateStack).filter((w) => w.startsWith('[private/Cluster]'))).toEqual([
      expect.stringContaining('EKS cluster ml_cluster has a private endpoint: cdktf deploy must run from inside the VPC'),
    ]);
    expect(warningsUnder(publicStack).filter((w) => /private endpoint/.test(w))).toEqual([]);
  });

  test('the autoscaler can be left out', () => {
    const app = newApp();
    newPlatform(newStack({}, app, 'noscaler'), { cluster: { clusterAutoscaler: false } });
    app.synth();
    const out = readStackOutput(app.outdir, 'noscaler').json;
    expect(resourcesOfType(out, 'helm_release').map((r) => r.name)).not.toContain('cluster-autoscaler');
  });
});

describe('EksCluster validation', () => {
  function build(props: Partial<ConstructorParameters<typeof EksCluster>[2]>) {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    const vpc = new Vpc(stack, 'Network', { cloud });
    return () => new EksCluster(stack, 'Cluster', { cloud, vpc, ...props });
  }

  test.each(['1.34', '1.29', '1.3', '2.0', 'latest', '1.35.1'])('kubernetesVersion %p is rejected', (kubernetesVersion) => {
    const error = expectValidationError(build({ kubernetesVersion }), 'test/Cluster', 'kubernetesVersion', /must be 1\.35 or newer/);
    expect(error.message).toContain(`(got "${kubernetesVersion}")`);
    expect(error.message).toContain(/^1\.\d+$/.test(kubernetesVersion)
      ? 'Use "1.35": older versions leave standard support and extended support costs 6x per cluster hour.'
      : 'Use one of 1.35, 1.36');
  });

  test.each([['0.0.0.0/0', 0], ['::/0', 1]])('a public endpoint open to %p is rejected', (cidr, index) => {
    const cidrs = ['203.0.113.0/24', cidr as string].slice(1 - (index as number));
    expectValidationError(build({ endpointAccess: EndpointAccess.publicAndPrivate(cidrs) }), 'test/Cluster', `endpointAccess.publicCidrs[${index}]`,
      /opens the API endpoint to the whole internet/);
  });

  test('a public endpoint without CIDRs is rejected', () => {
    expectValidationError(build({ endpointAccess: EndpointAccess.publicAndPrivate([]) }), 'test/Cluster', 'endpointAccess',
      /opens the public endpoint without CIDR restrictions/);
  });

  test('a malformed public CIDR is rejected', () => {
    expectValidationError(build({ endpointAccess: EndpointAccess.publicAndPrivate(['203.0.113.0/40']) }), 'test/Cluster', 'endpointAccess.publicCidrs[0]',
      /must be an IPv4 CIDR block with a prefix from \/8 to \/32/);
  });

  test('a bad cluster name is rejected', () => {
    expectValidationError(build({ clusterName: 'bad name!' }), 'test/Cluster', 'clusterName', /is not valid: 1-100 letters, digits, "-" or "_"/);
  });

  test('system node sizes are checked', () => {
    expectValidationError(build({ systemNodes: { minSize: 1 } }), 'test/Cluster', 'systemNodes.minSize', /must be a whole number from 2 to 100 \(got 1\)/);
    expectValidationError(build({ systemNodes: { minSize: 4, maxSize: 3 } }), 'test/Cluster', 'systemNodes.maxSize', /must be a whole number from 4 to 100 \(got 3\)/);
  });

  test('fromClusterAttributes requires every attribute and an https endpoint', () => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    const attrs = {
      cloud, clusterName: 'existing', endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', certificateAuthorityData: TEST_CA_DATA,
      privateSubnetIds: ['subnet-0a1b2c3d'], clusterSecurityGroupId: 'sg-0123456789abcdef0', nodeRoleArn: 'arn:aws:iam::111122223333:role/nodes',
      installPodIdentityAgent: false,
    };
    expectValidationError(() => EksCluster.fromClusterAttributes(stack, 'A', { ...attrs, privateSubnetIds: [] }), 'test/A', 'privateSubnetIds',
      /is required to reference an existing cluster/);
    expectValidationError(() => EksCluster.fromClusterAttributes(stack, 'B', { ...attrs, endpoint: '' }), 'test/B', 'endpoint', /is not valid/);
    expectValidationError(() => EksCluster.fromClusterAttributes(stack, 'C', { ...attrs, endpoint: 'http://insecure' }), 'test/C', 'endpoint',
      /is not valid: an https:\/\/ URL/);
    const imported = EksCluster.fromClusterAttributes(stack, 'D', attrs);
    expect(imported.clusterName).toBe('existing');
    expect(imported.clusterSecurityGroupId).toBe('sg-0123456789abcdef0');
  });
});

describe('EksCluster.fromClusterAttributes', () => {
  const BASE = {
    clusterName: 'existing', privateSubnetIds: ['subnet-0a1b2c3d'], clusterSecurityGroupId: 'sg-0123456789abcdef0',
    nodeRoleArn: 'arn:aws:iam::111122223333:role/nodes',
  };
  const OIDC_ARN = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789';

  function imported(attrs: any) {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    const cluster = EksCluster.fromClusterAttributes(stack, 'Cluster', { cloud, ...BASE, ...attrs });
    return { stack, cloud, cluster };
  }

  test('without endpoint and CA, both are read from AWS at plan time (no invalid default CA)', () => {
    const { stack } = imported({ installPodIdentityAgent: false, openIdConnectProviderArn: OIDC_ARN });
    const { json } = synthStack(stack);
    const [lookup] = dataSourcesOfType(json, 'aws_eks_cluster');
    expect(lookup.name).toBe('existing');
    const address = Object.keys(json.data.aws_eks_cluster)[0];
    const host = `\${data.aws_eks_cluster.${address}.endpoint}`;
    const ca = `\${base64decode(data.aws_eks_cluster.${address}.certificate_authority[0].data)}`;
    expect(providersOfType(json, 'kubernetes')).toEqual([expect.objectContaining({ host, cluster_ca_certificate: ca })]);
    expect(providersOfType(json, 'helm')).toEqual([{ kubernetes: expect.objectContaining({ host, cluster_ca_certificate: ca }) }]);
  });

  test('an endpoint and CA, when given, are used as given', () => {
    const { stack } = imported({
      installPodIdentityAgent: false, openIdConnectProviderArn: OIDC_ARN, endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', certificateAuthorityData: TEST_CA_DATA,
    });
    const { json } = synthStack(stack);
    expect(providersOfType(json, 'kubernetes')[0]).toMatchObject({
      host: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', cluster_ca_certificate: `\${base64decode("${TEST_CA_DATA}")}`,
    });
  });

  test('installPodIdentityAgent true installs the add-on, and workloads wait for it; false installs nothing', () => {
    const withAgent = imported({ installPodIdentityAgent: true, openIdConnectProviderArn: OIDC_ARN });
    new PlatformNamespace(withAgent.stack, 'Ns', { cluster: withAgent.cluster, name: 'team' });
    const { json } = synthStack(withAgent.stack);
    expect(resourceAt(json, 'aws_eks_addon', 'test/Cluster/eks-pod-identity-agent')).toMatchObject({
      cluster_name: 'existing', addon_name: 'eks-pod-identity-agent', resolve_conflicts_on_create: 'OVERWRITE', resolve_conflicts_on_update: 'PRESERVE',
    });
    expect(resourceAt(json, 'kubernetes_namespace_v1', 'test/Ns/Resource').depends_on).toEqual([addressOf(json, 'aws_eks_addon', 'test/Cluster/eks-pod-identity-agent')]);
    const without = imported({ installPodIdentityAgent: false, openIdConnectProviderArn: OIDC_ARN });
    expect(resourcesOfType(synthStack(without.stack).json, 'aws_eks_addon')).toEqual([]);
  });

  test.each([undefined, 'yes', 1])('installPodIdentityAgent %p is rejected: it is a required choice', (installPodIdentityAgent) => {
    expectValidationError(() => imported({ installPodIdentityAgent, openIdConnectProviderArn: OIDC_ARN }), 'test/Cluster', 'installPodIdentityAgent', /must be true or false/);
  });

  test('an OIDC provider ARN, when given, is used; otherwise one is created for the issuer, with a warning', () => {
    const given = imported({ installPodIdentityAgent: false, openIdConnectProviderArn: OIDC_ARN });
    expect(given.cluster.openIdConnectProviderArn).toBe(OIDC_ARN);
    expect(resourcesOfType(synthStack(given.stack).json, 'aws_iam_openid_connect_provider')).toEqual([]);
    expect(warningsUnder(given.stack).filter((w) => /OIDC provider/.test(w))).toEqual([]);

    const created = imported({ installPodIdentityAgent: false });
    const { json } = synthStack(created.stack);
    const address = Object.keys(json.data.aws_eks_cluster)[0];
    expect(resourceAt(json, 'aws_iam_openid_connect_provider', 'test/Cluster/OidcProvider')).toMatchObject({
      url: `\${data.aws_eks_cluster.${address}.identity[0].oidc[0].issuer}`, client_id_list: ['sts.amazonaws.com'],
    });
    expect(warningsUnder(created.stack)).toContainEqual(expect.stringMatching(/^\[test\/Cluster\] .*creating an IAM OIDC provider.*openIdConnectProviderArn/));
  });

  test('existing namespaces are labelled (kubernetes_labels), not created; others are created', () => {
    const { stack, cluster } = imported({ installPodIdentityAgent: false, openIdConnectProviderArn: OIDC_ARN, existingNamespaces: ['team'] });
    expect(cluster.existingNamespaces).toEqual(['team']);
    new PlatformNamespace(stack, 'Existing', { cluster, name: 'team' });
    new PlatformNamespace(stack, 'Fresh', { cluster, name: 'fresh' });
    const { json } = synthStack(stack);
    expect(resourceAt(json, 'kubernetes_labels', 'test/Existing/AdoptedLabels')).toMatchObject({
      api_version: 'v1', kind: 'Namespace', metadata: { name: 'team' }, force: true,
      labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'cost-center': 'cc-4512' },
    });
    expect(resourcesOfType(json, 'kubernetes_namespace_v1').map((n) => n.metadata.name)).toEqual(['fresh']);
  });

  test('a scalable GPU pool on an imported cluster without installClusterAutoscaler warns that it will not scale', () => {
    const { stack, cluster } = imported({ installPodIdentityAgent: false, openIdConnectProviderArn: OIDC_ARN });
    new GpuNodePool(stack, 'Gpus', { cluster, instanceType: 'g6.xlarge' });
    expect(warningsUnder(stack)).toContainEqual(expect.stringMatching(/^\[test\/Gpus\] GPU pool test\/Gpus on test\/Cluster: this stack runs no Cluster Autoscaler.*installClusterAutoscaler: true/));
  });

  test('with installClusterAutoscaler true the autoscaler is installed and no warning is given', () => {
    const { stack, cluster } = imported({ installPodIdentityAgent: false, openIdConnectProviderArn: OIDC_ARN, installClusterAutoscaler: true });
    new GpuNodePool(stack, 'Gpus', { cluster, instanceType: 'g6.xlarge' });
    expect(warningsUnder(stack).filter((w) => /Cluster Autoscaler/.test(w))).toEqual([]);
    expect(helmRelease(synthStack(stack).json, 'cluster-autoscaler').namespace).toBe('kube-system');
  });
});

import { App } from 'cdktf';
import { CloudWatchLogDestination } from '../lib/aws/cloudwatch-log-destination';
import { LogSource } from '../lib/core/interfaces';
import { LogShipping } from '../lib/k8s/log-shipping';
import {
  addressOf, expectValidationError, helmRelease, helmValues, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt,
} from './helpers';

describe('LogShipping to CloudWatch Logs', () => {
  let json: any;
  let report: any;
  let custom: any;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    const destination = new CloudWatchLogDestination(stack, 'Logs', { cloud, clusterName: cluster.clusterName });
    new LogShipping(stack, 'LogShipping', { cluster, destination });
    const other = newPlatform(newStack({}, app, 'custom'));
    const logs = new CloudWatchLogDestination(other.stack, 'Logs', { cloud: other.cloud, clusterName: other.cluster.clusterName, retentionDays: 731, ingestionGiBPerDay: 10 });
    new LogShipping(other.stack, 'LogShipping', { cluster: other.cluster, destination: logs, namespace: 'observability', nodeUnits: ['kubelet.service'] });
    app.synth();
    ({ json, report } = readStackOutput(app.outdir, 'test'));
    custom = readStackOutput(app.outdir, 'custom').json;
  });

  const release = () => helmRelease(json, 'fluent-bit');
  const values = () => helmValues(release());

  test('Fluent Bit 0.58.1 as a DaemonSet in a privileged namespace of its own', () => {
    expect(release()).toMatchObject({
      repository: 'https://fluent.github.io/helm-charts', chart: 'fluent-bit', version: '0.58.1', atomic: true, wait: true,
      namespace: '${' + refTo(json, 'kubernetes_namespace_v1', 'test/LogShipping/Namespace/Resource', 'metadata').slice(2, -1) + '[0].name}',
    });
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'test/LogShipping/Namespace/Resource');
    expect(ns.metadata.name).toBe('logging');
    // hostPath volumes are forbidden by baseline and restricted.
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(values()).toMatchObject({
      kind: 'DaemonSet', testFramework: { enabled: false }, serviceAccount: { create: true, name: 'fluent-bit' },
      image: { repository: 'cr.fluentbit.io/fluent/fluent-bit', tag: '5.1.1' },
      tolerations: [{ operator: 'Exists' }],
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
      podLabels: { 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod' },
    });
  });

  test('least privilege inside the privileged namespace: no privilege, no capabilities, read-only root and /var/log', () => {
    expect(values().securityContext).toEqual({
      runAsUser: 0, runAsNonRoot: false, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
    expect(values().podSecurityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(values().daemonSetVolumeMounts).toEqual([
      { name: 'varlog', mountPath: '/var/log', readOnly: true },
      { name: 'state', mountPath: '/var/fluent-bit/state' },
      { name: 'etcmachineid', mountPath: '/etc/machine-id', readOnly: true },
    ]);
  });

  test('container logs and the kubelet and containerd journals, with namespace labels', () => {
    const config = values().config;
    expect(config.inputs).toContain('Path /var/log/containers/*.log');
    expect(config.inputs).toContain('Systemd_Filter _SYSTEMD_UNIT=kubelet.service\n    Systemd_Filter _SYSTEMD_UNIT=containerd.service');
    expect(config.filters).toMatch(/Name kubernetes[\s\S]*Namespace_Labels On/);
    expect(config.filters).toMatch(/Name lua\n {4}Match \*\n {4}script \/fluent-bit\/scripts\/cost_allocation.lua\n {4}call cost_allocation/);
    // The chart renders configuration and scripts with tpl.
    expect(JSON.stringify(values())).not.toContain('{{');
    const custom1 = helmValues(helmRelease(custom, 'fluent-bit'));
    expect(custom1.config.inputs).not.toContain('containerd');
  });

  test('every record carries the cost allocation: the namespace labels, else the stack\'s', () => {
    const script: string = values().luaScripts['cost_allocation.lua'];
    expect(script).toContain('["cost-center"] = "cc-4512",');
    expect(script).toContain('["team"] = "ml-platform",');
    expect(script).toContain('labels = record["kubernetes"]["namespace_labels"]');
    expect(script).toContain('function cost_allocation(tag, timestamp, record)');
  });

  test('outputs to the two encrypted log groups, never creating groups', () => {
    const outputs: string = values().config.outputs;
    expect(outputs).toContain('Name cloudwatch_logs\n    Match kube.*\n    region us-east-1\n    log_group_name /aws/eks/fraud-prod/containers');
    expect(outputs).toContain('Match host.*\n    region us-east-1\n    log_group_name /aws/eks/fraud-prod/nodes');
    expect(outputs).toContain('log_stream_template $_HOSTNAME.$_SYSTEMD_UNIT');
    expect(outputs.match(/auto_create_group Off/g)).toHaveLength(2);
    for (const [id, name] of [['ContainerLogs', 'containers'], ['NodeLogs', 'nodes']]) {
      expect(resourceAt(json, 'aws_cloudwatch_log_group', `test/Logs/${id}`)).toMatchObject({
        name: `/aws/eks/fraud-prod/${name}`, retention_in_days: 365, kms_key_id: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryLogsKey/Resource', 'arn'),
      });
    }
    expect(resourceAt(custom, 'aws_cloudwatch_log_group', 'custom/Logs/NodeLogs').retention_in_days).toBe(731);
  });

  test('Fluent Bit\'s pod identity may only create streams in and write to those two groups', () => {
    const association = resourceAt(json, 'aws_eks_pod_identity_association', 'test/LogShipping/Identity/Association');
    expect(association).toMatchObject({
      namespace: '${' + refTo(json, 'kubernetes_namespace_v1', 'test/LogShipping/Namespace/Resource', 'metadata').slice(2, -1) + '[0].name}', service_account: 'fluent-bit',
    });
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/LogShipping/Identity/Policy').policy);
    const groups = ['ContainerLogs', 'NodeLogs'].map((id) => refTo(json, 'aws_cloudwatch_log_group', `test/Logs/${id}`, 'arn'));
    expect(policy.Statement).toEqual([{
      Sid: 'ShipLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      Resource: [...groups, ...groups.map((g) => `${g}:log-stream:*`)],
    }]);
  });

  test('the release waits for the namespace, the identity and the log groups', () => {
    expect(release().depends_on).toEqual(expect.arrayContaining([
      addressOf(json, 'kubernetes_namespace_v1', 'test/LogShipping/Namespace/Resource'),
      addressOf(json, 'aws_eks_pod_identity_association', 'test/LogShipping/Identity/Association'),
      addressOf(json, 'aws_iam_role_policy', 'test/LogShipping/Identity/Policy'),
      addressOf(json, 'aws_cloudwatch_log_group', 'test/Logs/ContainerLogs'),
      addressOf(json, 'aws_cloudwatch_log_group', 'test/Logs/NodeLogs'),
    ]));
  });

  test('a cost line for log ingestion from the GiB-per-day assumption', () => {
    const line = report.costEstimate.lines.find((l: any) => l.component === 'test/Logs');
    expect(line).toMatchObject({ unit: 'GB', priceKey: 'logs:ingestion', baselineQuantity: 60.84, fullScaleQuantity: 60.84 });
    expect(line.assumption).toMatch(/2 GiB\/day \(ingestionGiBPerDay\)/);
    expect(line.unitPriceUsd).toBeGreaterThan(0);
    expect(report.components.find((c: any) => c.name === 'LogShipping').description).toMatch(/Fluent Bit 5\.1\.1 .* to CloudWatch Logs/);
  });

  test('the destination renders an output per source', () => {
    const { stack, cloud } = newPlatform();
    const logs = new CloudWatchLogDestination(stack, 'L', { cloud, clusterName: 'c1' });
    expect(logs.fluentBitOutput(LogSource.CONTAINERS, 'kube.*')).toContain('log_stream_prefix container-');
    expect(logs.description).toMatch(/KMS, 365 days/);
  });
});

describe('LogShipping validation', () => {
  test('a retention CloudWatch does not accept', () => {
    const { stack, cloud } = newPlatform();
    expectValidationError(() => new CloudWatchLogDestination(stack, 'L', { cloud, clusterName: 'c', retentionDays: 100 }), 'test/L', 'retentionDays', /not a retention period/);
  });

  test('an ingestion of 0 GiB per day', () => {
    const { stack, cloud } = newPlatform();
    expectValidationError(() => new CloudWatchLogDestination(stack, 'L', { cloud, clusterName: 'c', ingestionGiBPerDay: 0 }), 'test/L', 'ingestionGiBPerDay', /greater than 0/);
  });

  test('a destination that is not one, a bad unit, two shippers on a cluster', () => {
    const { stack, cloud, cluster } = newPlatform();
    expectValidationError(() => new LogShipping(stack, 'A', { cluster, destination: {} as any }), 'test/A', 'destination', /must be a log destination/);
    const destination = new CloudWatchLogDestination(stack, 'L', { cloud, clusterName: 'c' });
    expectValidationError(() => new LogShipping(stack, 'B', { cluster, destination, nodeUnits: ['kubelet'] }), 'test/B', 'nodeUnits[0]', /systemd unit/);
    new LogShipping(stack, 'C', { cluster, destination });
    expectValidationError(() => new LogShipping(stack, 'D', { cluster, destination, namespace: 'logs2' }), 'test/D', 'cluster', /already used by test\/C/);
  });

  test('an identity that is not an AWS one', () => {
    const { stack, cloud } = newPlatform();
    const logs = new CloudWatchLogDestination(stack, 'L', { cloud, clusterName: 'c' });
    expect(() => logs.grantWrite({ node: { path: 'x' } } as any)).toThrow(/identity .*is not an AWS workload identity/);
  });
});

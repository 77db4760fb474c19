import { App } from 'cdktf';
import { CostMonitoring, CostMonitoringProps } from '../lib/cost-monitoring';
import { Monitoring } from '../lib/monitoring';
import { addressOf, expectValidationError, helmRelease, helmValues, newApp, newPlatform, newStack, readStackOutput, resourceAt, warningsUnder } from './helpers';

describe('CostMonitoring', () => {
  let json: any;
  let report: any;
  let custom: any;
  let cost: CostMonitoring;
  let withUi: CostMonitoring;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    const monitoring = new Monitoring(stack, 'Monitoring', { cluster, cloud });
    cost = new CostMonitoring(stack, 'CostMonitoring', { cluster, monitoring });
    const other = newPlatform(newStack({}, app, 'custom'));
    const otherMonitoring = new Monitoring(other.stack, 'Monitoring', { cluster: other.cluster, cloud: other.cloud });
    withUi = new CostMonitoring(other.stack, 'CostMonitoring', {
      cluster: other.cluster, monitoring: otherMonitoring, namespace: 'costs', ui: true,
      customPrices: { cpuHourlyUsd: 0.031, ramGiBHourlyUsd: 0.004, gpuHourlyUsd: 0.95, storageGbMonthlyUsd: 0.08 },
    });
    app.synth();
    ({ json, report } = readStackOutput(app.outdir, 'test'));
    custom = readStackOutput(app.outdir, 'custom').json;
  });

  const release = (j = json) => helmRelease(j, 'opencost');
  const values = (j = json) => helmValues(release(j));

  test('OpenCost 2.5.17 from the OCI registry, after the Prometheus operator CRDs', () => {
    expect(release()).toMatchObject({ chart: 'opencost', version: '2.5.17', repository: 'oci://ghcr.io/opencost/charts', atomic: true });
    expect(release().depends_on).toContain(addressOf(json, 'helm_release', 'test/Monitoring/Release/Resource'));
  });

  test('queries the platform Prometheus, which scrapes it through a ServiceMonitor', () => {
    const v = values();
    expect(v.opencost.prometheus.internal).toEqual({
      enabled: true, serviceName: 'kube-prometheus-stack-prometheus', port: 9090, scheme: 'http',
      namespaceName: '${' + addressOf(json, 'kubernetes_namespace_v1', 'test/Monitoring/Namespace/Resource') + '.metadata[0].name}',
    });
    expect(v.opencost.metrics.serviceMonitor).toMatchObject({ enabled: true, honorLabels: true });
    expect(v.opencost.exporter.defaultClusterId).toBe('fraud-prod');
  });

  test('restricted Pod Security: non-root, seccomp, no privilege escalation, capabilities dropped; UI and MCP off, no ingress', () => {
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'test/CostMonitoring/Namespace/Resource');
    expect(ns.metadata).toMatchObject({ name: 'opencost', labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'team': 'ml-platform' } });
    const v = values();
    expect(v.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(v.opencost.exporter.securityContext).toEqual({
      allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' }, runAsNonRoot: true,
    });
    expect(v.opencost.exporter.resources.limits.memory).toBe('1Gi');
    expect(v.opencost.ui).toMatchObject({ enabled: false, ingress: { enabled: false } });
    expect(v.opencost.mcp).toEqual({ enabled: false });
    expect(v.opencost.customPricing).toBeUndefined();
    expect(v.podLabels).toEqual({ 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod' });
  });

  test('Monitoring exports the cost labels of pods and namespaces that OpenCost allocates by', () => {
    const ksm = helmValues(helmRelease(json, 'kube-prometheus-stack'))['kube-state-metrics'];
    expect(ksm.metricLabelsAllowlist).toEqual(expect.arrayContaining([
      'pods=[cost-center,team,project,environment]', 'namespaces=[cost-center,team,project,environment]',
    ]));
  });

  test('custom prices and the UI (baseline namespace, warned)', () => {
    const v = values(custom);
    expect(v.opencost.customPricing).toMatchObject({
      enabled: true, provider: 'custom', costModel: { CPU: 0.031, RAM: 0.004, GPU: 0.95, storage: 0.08 },
    });
    expect(v.opencost.ui.enabled).toBe(true);
    const ns = resourceAt(custom, 'kubernetes_namespace_v1', 'custom/CostMonitoring/Namespace/Resource');
    expect(ns.metadata).toMatchObject({ name: 'costs', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } });
    expect(warningsUnder(withUi).join('\n')).toMatch(/runs nginx as root/);
    expect(withUi.portForwardCommand).toBe('kubectl -n costs port-forward svc/opencost 9003:9003 9090:9090');
  });

  test('the report says how to read cost per team', () => {
    const step = report.deploymentSteps.find((s: any) => s.title === 'Read cost per team (OpenCost)');
    expect(step.command).toContain('kubectl -n opencost port-forward svc/opencost 9003:9003');
    expect(step.command).toContain('aggregate=label:team');
    expect(step.detail).toContain('`aggregate=namespace`');
    expect(cost.costPerTeamCommand).toContain('window=7d');
    const component = report.components.find((c: any) => c.name === 'CostMonitoring');
    expect(component.description).toMatch(/OpenCost 1\.120\.1 \(chart 2\.5\.17\).*label:team/);
  });

  describe('validation', () => {
    const build = (props: Partial<CostMonitoringProps>) => {
      const { stack, cloud, cluster } = newPlatform();
      const monitoring = new Monitoring(stack, 'Monitoring', { cluster, cloud });
      return () => new CostMonitoring(stack, 'CostMonitoring', { cluster, monitoring, ...props });
    };
    test('monitoring must be a Monitoring', () => {
      expectValidationError(build({ monitoring: {} as any }), 'test/CostMonitoring', 'monitoring', /needs its Prometheus/);
    });
    test('namespace', () => {
      expectValidationError(build({ namespace: 'monitoring' }), 'test/CostMonitoring', 'namespace', /already uses/);
      expectValidationError(build({ namespace: 'Open_Cost' }), 'test/CostMonitoring', 'namespace', /.+/);
    });
    test('custom prices must be positive and complete', () => {
      expectValidationError(build({ customPrices: { cpuHourlyUsd: 0, ramGiBHourlyUsd: 0.004, gpuHourlyUsd: 0.95, storageGbMonthlyUsd: 0.08 } }),
        'test/CostMonitoring', 'customPrices.cpuHourlyUsd', /greater than 0/);
      expectValidationError(build({ customPrices: { cpuHourlyUsd: 0.03 } as any }), 'test/CostMonitoring', 'customPrices.ramGiBHourlyUsd', /is required/);
    });
    test('one per cluster', () => {
      const { stack, cloud, cluster } = newPlatform();
      const monitoring = new Monitoring(stack, 'Monitoring', { cluster, cloud });
      new CostMonitoring(stack, 'CostMonitoring', { cluster, monitoring });
      expectValidationError(() => new CostMonitoring(stack, 'Again', { cluster, monitoring, namespace: 'opencost2' }), 'test/Again', 'cluster',
        /only one CostMonitoring per cluster/);
    });
  });
});

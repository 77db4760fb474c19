import { App } from 'cdktf';
import { BackupPolicy } from '../lib/backup-policy';
import { ExperimentTracking } from '../lib/experiment-tracking';
import { CapacityType, GpuNodePool } from '../lib/gpu-node-pool';
import { Monitoring, MonitoringProps } from '../lib/monitoring';
import { AwsMlopsPlatform } from '../lib/platform/aws-mlops-platform';
import {
  addressOf, expectValidationError, helmRelease, helmValues, manifestObjects, newApp, newPlatform, newStack, parseJson, readStackOutput, resourceAt,
  resourcesOfType, synthStack, warningsUnder,
} from './helpers';

describe('Monitoring', () => {
  let json: any;
  let report: any;
  let dir: string;
  let bare: any;
  let bareDir: string;
  let monitoring: Monitoring;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    const tracking = new ExperimentTracking(stack, 'Tracking', { cluster, cloud });
    new GpuNodePool(stack, 'Training', { cluster, instanceType: 'g6e.12xlarge', capacityType: CapacityType.SPOT });
    new GpuNodePool(stack, 'Inference', { cluster, instanceType: 'g6.xlarge' });
    new BackupPolicy(stack, 'Backups', { cloud, cluster });
    monitoring = new Monitoring(stack, 'Monitoring', {
      cluster, cloud, experimentTracking: tracking, alertEmails: ['ml-platform@example.com'], gpuIdleMinutes: 45, retentionDays: 30,
      storageGiB: 200, monthlyBudgetUsd: 25000,
    });
    const other = newPlatform(newStack({}, app, 'bare'));
    new Monitoring(other.stack, 'Monitoring', { cluster: other.cluster, cloud: other.cloud, clusterBackups: false });
    app.synth();
    ({ json, report, dir } = readStackOutput(app.outdir, 'test'));
    ({ json: bare, dir: bareDir } = readStackOutput(app.outdir, 'bare'));
  });

  const release = () => helmRelease(json, 'kube-prometheus-stack');
  // MLflow's namespace as a reference to its namespace resource (Terraform resolves it to "mlflow").
  const mlflowNs = () => '${' + addressOf(json, 'kubernetes_namespace_v1', 'test/Tracking/Namespace/Resource') + '.metadata[0].name}';
  const values = () => helmValues(release());
  const rulesRelease = (j = json) => helmRelease(j, 'mlops-alert-rules');
  const objects = (name: string, j = json, d = dir) => manifestObjects(d, helmRelease(j, name));
  const rule = (alert: string, pool?: string) => {
    const groups = objects('mlops-alert-rules').find((o) => o.kind === 'PrometheusRule').spec.groups;
    const hits = groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert === alert && (pool === undefined || r.labels.pool === pool));
    expect(hits).toHaveLength(1);
    return hits[0];
  };

  test('kube-prometheus-stack 88.5.3, atomic, in a restricted namespace; node exporter in a privileged one', () => {
    expect(release()).toMatchObject({
      chart: 'kube-prometheus-stack', version: '88.5.3', repository: 'https://prometheus-community.github.io/helm-charts', atomic: true,
    });
    const ns = resourceAt(json, 'kubernetes_namespace_v1', 'test/Monitoring/Namespace/Resource');
    expect(ns.metadata).toMatchObject({ name: 'monitoring', labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'team': 'ml-platform' } });
    const nodeNs = resourceAt(json, 'kubernetes_namespace_v1', 'test/Monitoring/NodeAgentNamespace/Resource');
    expect(nodeNs.metadata).toMatchObject({ name: 'monitoring-node', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } });
    expect(values()['prometheus-node-exporter'].namespaceOverride).toBe('${kubernetes_namespace_v1.' +
      addressOf(json, 'kubernetes_namespace_v1', 'test/Monitoring/NodeAgentNamespace/Resource').split('.')[1] + '.metadata[0].name}');
  });

  test('Prometheus selects monitors and rules of every namespace, with retention and an encrypted volume', () => {
    const spec = values().prometheus.prometheusSpec;
    expect(spec).toMatchObject({
      serviceMonitorSelectorNilUsesHelmValues: false, podMonitorSelectorNilUsesHelmValues: false, ruleSelectorNilUsesHelmValues: false,
      probeSelectorNilUsesHelmValues: false, scrapeConfigSelectorNilUsesHelmValues: false,
      retention: '30d', retentionSize: '170GB',
      resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { memory: '4Gi' } },
    });
    expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: 'gp3-encrypted', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '200Gi' } },
    });
    const sc = resourceAt(json, 'kubernetes_storage_class_v1', 'test/Cluster/EncryptedStorageClass');
    expect(sc).toMatchObject({
      metadata: { name: 'gp3-encrypted' }, storage_provisioner: 'ebs.csi.aws.com', volume_binding_mode: 'WaitForFirstConsumer',
      parameters: { type: 'gp3', encrypted: 'true', kmsKeyId: '${aws_kms_key.' + addressOf(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource').split('.')[1] + '.arn}' },
    });
    expect(sc.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_eks_addon\..*aws-ebs-csi-driver/)]));
    expect(release().depends_on).toContain(addressOf(json, 'kubernetes_storage_class_v1', 'test/Cluster/EncryptedStorageClass'));
  });

  test('kube-state-metrics exports the pool and team labels; managed control-plane targets are off', () => {
    const v = values();
    expect(v['kube-state-metrics'].metricLabelsAllowlist).toEqual(expect.arrayContaining([
      expect.stringMatching(/^nodes=\[mlops\/gpu-pool,/), expect.stringMatching(/^namespaces=\[.*\bteam\b/),
    ]));
    expect(v).toMatchObject({ kubeControllerManager: { enabled: false }, kubeScheduler: { enabled: false }, kubeEtcd: { enabled: false }, kubeProxy: { enabled: false } });
  });

  test('Grafana: auth on, no anonymous access, admin password from a secret generated in the cluster', () => {
    const g = values().grafana;
    expect(g.admin).toEqual({ existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' });
    expect(g.adminPassword).toBeUndefined();
    expect(g['grafana.ini']['auth.anonymous']).toEqual({ enabled: false });
    expect(g['grafana.ini'].users.allow_sign_up).toBe(false);
    expect(g.ingress).toEqual({ enabled: false });
    const secret = objects('grafana-admin-secret');
    expect(secret.map((o) => o.kind)).toEqual(['Password', 'ExternalSecret']);
    expect(secret[1].spec.target.template.data).toEqual({ 'admin-user': 'admin', 'admin-password': '{{ .password }}' });
    expect(release().depends_on).toContain(addressOf(json, 'helm_release', 'test/Monitoring/GrafanaAdminSecret/Resource'));
    expect(JSON.stringify(values())).not.toMatch(/prom-operator/);
  });

  test('Alertmanager publishes to the alert topic with SigV4 as its pod identity', () => {
    const am = values().alertmanager;
    expect(am.serviceAccount).toEqual({ create: true, name: 'alertmanager' });
    const platform = am.config.receivers.find((r: any) => r.name === 'platform');
    expect(platform.sns_configs).toEqual([{
      topic_arn: '${aws_sns_topic.' + addressOf(json, 'aws_sns_topic', 'test/Aws/AlertTopic/Resource').split('.')[1] + '.arn}',
      sigv4: { region: 'us-east-1' }, send_resolved: true,
    }]);
    expect(platform.sns_configs[0].sigv4.access_key).toBeUndefined();
    expect(am.config.route.receiver).toBe('platform');
    const association = resourcesOfType(json, 'aws_eks_pod_identity_association').find((a) => a.service_account === 'alertmanager');
    expect(association.namespace).toContain('kubernetes_namespace_v1');
    const policies = resourcesOfType(json, 'aws_iam_role_policy').map((p) => parseJson(p.policy));
    const publish = policies.flatMap((p) => p.Statement).find((s: any) => s.Sid === 'PublishAlerts');
    expect(publish).toMatchObject({ Effect: 'Allow', Action: ['sns:Publish'] });
    expect(resourcesOfType(json, 'aws_sns_topic_subscription').map((s) => s.endpoint)).toContain('ml-platform@example.com');
  });

  test('alert rules install after the CRDs (depends_on the release)', () => {
    expect(rulesRelease().depends_on).toContain(addressOf(json, 'helm_release', 'test/Monitoring/Release/Resource'));
    expect(helmRelease(json, 'mlops-dashboards').depends_on).toBeDefined();
  });

  test('idle GPU alert per pool with the hourly cost of an idle GPU and the threshold', () => {
    const training = rule('GpuIdle', 'training');
    expect(training.for).toBe('45m');
    expect(training.expr).toBe('(DCGM_FI_DEV_GPU_UTIL < 5) * on (node) group_left (label_mlops_gpu_pool) kube_node_labels{label_mlops_gpu_pool="training"}');
    // g6e.12xlarge: 4 x L40S at the catalog's on-demand price, split per GPU.
    const price = Number(training.annotations.idle_cost_usd_per_hour);
    expect(price).toBeGreaterThan(1);
    expect(training.annotations.summary).toContain(`costing about $${price.toFixed(2)} per hour`);
    expect(training.annotations.description).toMatch(/g6e\.12xlarge on-demand \$\d+\.\d\d\/h over 4 GPU\(s\)/);
    expect(training.annotations.description).toContain('{{ $labels.node }}');
    const inference = rule('GpuIdle', 'inference');
    expect(inference.annotations.description).toContain('over 1 GPU(s)');
    const unknown = rule('GpuIdle', 'unknown');
    expect(unknown.expr).toContain('unless on (node) kube_node_labels{label_mlops_gpu_pool=~"training|inference"}');
    expect(unknown.annotations.description).toContain('not known here');
    expect(monitoring.pricedGpuPools).toEqual(['training', 'inference']);
  });

  test('GPU memory pressure, pending GPU pods, node not ready, targets down, MLflow down', () => {
    expect(rule('GpuMemoryPressure').expr).toBe('100 * DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > 95');
    const pending = rule('GpuPodsPending');
    expect(pending.expr).toContain('kube_pod_container_resource_requests{resource="nvidia_com_gpu"}');
    expect(pending.expr).toContain('kube_pod_status_phase{phase="Pending"}');
    expect(pending.for).toBe('15m');
    expect(rule('NodeNotReady')).toMatchObject({ expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0', labels: { severity: 'critical' } });
    expect(rule('PlatformTargetDown').expr).toContain('up == 0');
    const sel = `namespace="${mlflowNs()}", service="mlflow"`;
    expect(rule('MlflowDown').expr).toBe(`sum(up{${sel}}) == 0 or absent(up{${sel}})`);
  });

  test('failing and stale backups (Velero metrics), and the cost run rate against the budget', () => {
    expect(rule('ClusterBackupFailed').expr).toBe('increase(velero_backup_failure_total{schedule!=""}[1h]) > 0');
    // businessCritical RPO is 1 h: alert after 2 h without a successful backup.
    expect(rule('ClusterBackupTooOld').expr).toBe('time() - velero_backup_last_successful_timestamp{schedule!=""} > 7200');
    expect(rule('ClusterCostRunRateOverBudget').expr).toBe('sum(node_total_hourly_cost) * 730 > 25000');
    const velero = helmValues(helmRelease(json, 'velero'));
    expect(velero.metrics).toEqual({ enabled: true, serviceMonitor: { enabled: false } });
  });

  test('ServiceMonitors for MLflow (with its admin credentials), Velero and the DCGM exporter, after the CRDs', () => {
    const monitors = objects('mlops-alert-rules').filter((o) => o.kind === 'ServiceMonitor');
    const mlflow = monitors.find((m) => m.metadata.name === 'mlflow');
    expect(mlflow.metadata.namespace).toBe(mlflowNs());
    expect(mlflow.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics', basicAuth: { password: { name: 'mlflow-admin', key: 'password' } } });
    const velero = monitors.find((m) => m.metadata.name === 'velero');
    expect(velero.spec).toMatchObject({ namespaceSelector: { matchNames: ['velero'] }, endpoints: [{ port: 'http-monitoring' }] });
    expect(helmValues(helmRelease(json, 'mlflow')).extraArgs).toEqual({ exposePrometheus: '/tmp/prometheus-metrics' });
    // The operator's own ServiceMonitor stays off: the GPU operator may be installed on a cluster without the CRD.
    expect(helmValues(helmRelease(json, 'gpu-operator')).dcgmExporter).toEqual({ enabled: true });
    const dcgm = monitors.find((m) => m.metadata.name === 'nvidia-dcgm-exporter');
    expect(dcgm.spec).toMatchObject({
      namespaceSelector: { matchNames: ['gpu-operator'] }, selector: { matchLabels: { app: 'nvidia-dcgm-exporter' } },
      endpoints: [{ port: 'gpu-metrics', honorLabels: true, relabelings: [{ targetLabel: 'node', sourceLabels: ['__meta_kubernetes_pod_node_name'] }, {}] }],
    });
    // Idle GPUs (no pod label from the exporter) must not inherit the exporter pod's namespace and pod as target labels.
    expect(dcgm.spec.endpoints[0].relabelings[1]).toEqual({ action: 'labeldrop', regex: 'namespace|pod|container' });
  });

  test('dashboards as ConfigMaps for the Grafana sidecar: GPU per pool and team, capacity, MLflow', () => {
    const maps = objects('mlops-dashboards');
    expect(maps.every((m) => m.kind === 'ConfigMap' && m.metadata.labels.grafana_dashboard === '1')).toBe(true);
    const boards = maps.map((m) => JSON.parse(Object.values(m.data)[0] as string));
    expect(boards.map((b) => b.uid)).toEqual(['mlops-gpu-pools', 'mlops-gpu-teams', 'mlops-cluster-capacity', 'mlops-mlflow']);
    const exprs = (uid: string) => boards.find((b) => b.uid === uid).panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)).join('\n');
    expect(exprs('mlops-gpu-pools')).toContain('avg by (label_mlops_gpu_pool) (DCGM_FI_DEV_GPU_UTIL * on (node) group_left (label_mlops_gpu_pool)');
    expect(exprs('mlops-gpu-pools')).toContain('DCGM_FI_DEV_FB_FREE');
    expect(exprs('mlops-gpu-teams')).toContain('group_left (label_team) kube_namespace_labels');
    expect(exprs('mlops-cluster-capacity')).toContain('kube_node_status_allocatable{resource="nvidia_com_gpu"}');
    expect(exprs('mlops-mlflow')).toContain(`up{namespace="${mlflowNs()}", service="mlflow"}`);
    const pools = boards[0];
    expect(pools.templating.list[0]).toMatchObject({ name: 'pool', definition: 'label_values(kube_node_labels, label_mlops_gpu_pool)' });
    // Panels are laid out on the 24-column grid without overlaps.
    for (const b of boards) {
      for (const p of b.panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      }
    }
  });

  test('restricted security contexts and resources on what the chart runs in the restricted namespace', () => {
    const v = values();
    expect(v.grafana.resources.limits.memory).toBe('512Mi');
    expect(v['kube-state-metrics'].resources.requests.cpu).toBe('50m');
    expect(v.prometheusOperator.resources.limits.memory).toBe('256Mi');
    expect(v.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toBe('gp3-encrypted');
    // Cost labels on every pod the release creates.
    expect(v.prometheus.prometheusSpec.podMetadata.labels).toMatchObject({ 'cost-center': 'cc-4512' });
    expect(v['prometheus-node-exporter'].podLabels).toMatchObject({ team: 'ml-platform' });
  });

  test('cost lines for the volumes, component and Grafana sign-in step in the report', () => {
    const lines = report.costEstimate.lines.filter((l: any) => l.component === 'test/Monitoring');
    expect(lines.map((l: any) => [l.resource.split(' (')[0], l.baselineQuantity, l.priceKey])).toEqual([
      ['Prometheus volume', 200, 'ebs:gp3'], ['Alertmanager volume', 10, 'ebs:gp3'],
    ]);
    const component = report.components.find((c: any) => c.name === 'Monitoring');
    expect(component.description).toMatch(/idle GPU > 45 min \(2 pool\(s\) priced\)/);
    const step = report.deploymentSteps.find((s: any) => s.title === 'Sign in to Grafana in monitoring');
    expect(step.command).toContain('port-forward svc/kube-prometheus-stack-grafana 3000:80');
    expect(monitoring.prometheusUrl).toBe('http://kube-prometheus-stack-prometheus.monitoring.svc:9090');
  });

  test('without MLflow, Velero or a budget: no such rules, monitors or dashboard (DCGM is always scraped)', () => {
    const groups = manifestObjects(bareDir, helmRelease(bare, 'mlops-alert-rules'))[0].spec.groups;
    expect(groups.map((g: any) => g.name)).toEqual(['mlops.gpu', 'mlops.cluster']);
    expect(manifestObjects(bareDir, helmRelease(bare, 'mlops-alert-rules')).filter((o) => o.kind === 'ServiceMonitor').map((o) => o.metadata.name))
      .toEqual(['nvidia-dcgm-exporter']);
    expect(manifestObjects(bareDir, helmRelease(bare, 'mlops-dashboards'))).toHaveLength(3);
    // No pool in the stack: only the unpriced idle rule.
    expect(groups[0].rules.filter((r: any) => r.alert === 'GpuIdle').map((r: any) => r.labels.pool)).toEqual(['unknown']);
  });

  test('warns about GPU pools created after Monitoring', () => {
    const { stack, cloud, cluster } = newPlatform();
    const m = new Monitoring(stack, 'Monitoring', { cluster, cloud });
    new GpuNodePool(stack, 'Late', { cluster, instanceType: 'g6.xlarge' });
    m.node.validate();
    expect(warningsUnder(m).join('\n')).toMatch(/GPU pools late were created after test\/Monitoring/);
  });

  describe('validation', () => {
    const build = (props: Partial<MonitoringProps>) => {
      const { stack, cloud, cluster } = newPlatform();
      return () => new Monitoring(stack, 'Monitoring', { cluster, cloud, ...props });
    };
    test.each([0, -5, 1.5, 1441])('gpuIdleMinutes %p', (v) => {
      expectValidationError(build({ gpuIdleMinutes: v }), 'test/Monitoring', 'gpuIdleMinutes', /0 or less would flag every GPU as idle/);
    });
    test('retentionDays', () => {
      expectValidationError(build({ retentionDays: 0 }), 'test/Monitoring', 'retentionDays', /whole number from 1 to 3650/);
    });
    test('retentionSizeGiB above 90% of the volume', () => {
      expectValidationError(build({ storageGiB: 50, retentionSizeGiB: 50 }), 'test/Monitoring', 'retentionSizeGiB', /too little of the 50 GiB volume/);
    });
    test('storageGiB', () => {
      expectValidationError(build({ storageGiB: 5 }), 'test/Monitoring', 'storageGiB', /from 10 to 16384/);
    });
    test('prometheusMemory', () => {
      expectValidationError(build({ prometheusMemory: '4 GB' }), 'test/Monitoring', 'prometheusMemory', /Kubernetes quantity/);
    });
    test('gpuMemoryPressurePercent', () => {
      expectValidationError(build({ gpuMemoryPressurePercent: 101 }), 'test/Monitoring', 'gpuMemoryPressurePercent', /from 50 to 100/);
    });
    test('gpuPendingMinutes', () => {
      expectValidationError(build({ gpuPendingMinutes: 0 }), 'test/Monitoring', 'gpuPendingMinutes', /from 1 to 1440/);
    });
    test('namespace reserved, or equal to the node agent namespace', () => {
      expectValidationError(build({ namespace: 'kube-system' }), 'test/Monitoring', 'namespace', /already uses/);
      expectValidationError(build({ namespace: 'mon', nodeAgentNamespace: 'mon' }), 'test/Monitoring', 'nodeAgentNamespace', /must differ from namespace/);
    });
    test('alertEmails', () => {
      expectValidationError(build({ alertEmails: ['not-an-email'] }), 'test/Monitoring', 'alertEmails[0]', /email address/);
    });
    test('monthlyBudgetUsd', () => {
      expectValidationError(build({ monthlyBudgetUsd: -1 }), 'test/Monitoring', 'monthlyBudgetUsd', /greater than 0/);
    });
    test('cluster and cloud are required', () => {
      const { stack, cloud } = newPlatform();
      expectValidationError(() => new Monitoring(stack, 'Monitoring', { cloud } as any), 'test/Monitoring', 'cluster', /Kubernetes cluster/);
    });
    test('one Monitoring per cluster', () => {
      const { stack, cloud, cluster } = newPlatform();
      new Monitoring(stack, 'Monitoring', { cluster, cloud });
      expectValidationError(() => new Monitoring(stack, 'Monitoring2', { cluster, cloud, namespace: 'monitoring2', nodeAgentNamespace: 'monitoring2-node' }),
        'test/Monitoring2', 'cluster', /only one Monitoring per cluster/);
    });
  });
});

describe('Monitoring in the AWS platform', () => {
  // Prometheus scrapes MLflow's /metrics by pod IP; MLflow answers a Host it does not allow with 403 (only /health is
  // exempt), so without the VPC pattern MlflowDown would fire on every platform without an ingress.
  const mlflowHosts = (props: { monitoring?: boolean; costMonitoring?: boolean }) => {
    const stack = newStack();
    new AwsMlopsPlatform(stack, 'Platform', { monthlyBudgetUsd: 25000, alertEmails: ['ml-platform@example.com'], ...props });
    const { json } = synthStack(stack);
    return helmValues(helmRelease(json, 'mlflow')).serverAllowedHosts as string[];
  };
  test('MLflow allows the pod IPs of the VPC as Host when monitoring scrapes it, without an ingress', () => {
    expect(mlflowHosts({})).toContain('10.40.*');
  });
  test('without monitoring (and ingress) MLflow keeps to its service names', () => {
    expect(mlflowHosts({ monitoring: false, costMonitoring: false })).not.toContain('10.40.*');
  });
});

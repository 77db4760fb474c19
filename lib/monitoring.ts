import { Annotations } from 'cdktf';
import { Construct } from 'constructs';
import { CostUnit } from './core/cost-estimate';
import { ValidationError } from './core/errors';
import { IAlertDestination, ICloudServices, IKubernetesCluster, IWorkloadIdentity } from './core/interfaces';
import { DeploymentPhase } from './core/platform-report';
import { PlatformStack } from './core/platform-stack';
import {
  checkDnsLabel, checkEmails, checkInteger, checkPattern, checkUsdAmount, claimUnique, isCloudServices, isKubernetesCluster, isUnresolved,
  requireConstruct, requireList, requireProps,
} from './core/validate';
import { ExperimentTracking } from './experiment-tracking';
import { GpuNodePool } from './gpu-node-pool';
import { ChartCatalog } from './k8s/chart-catalog';
import { ExternalSecretsOperator } from './k8s/external-secrets-operator';
import { ManifestChart } from './k8s/manifest-chart';
import { GpuPoolPrice, platformAlertGroups } from './k8s/monitoring/platform-alert-rules';
import { clusterCapacityDashboard, gpuPoolDashboard, gpuTeamDashboard, mlflowDashboard } from './k8s/monitoring/platform-dashboards';
import { PinnedRelease } from './k8s/pinned-release';
import { PlatformNamespace } from './k8s/platform-namespace';

/** Properties of a {@link Monitoring}. */
export interface MonitoringProps {
  /** Cluster to monitor (Prometheus, Alertmanager and Grafana run on it). */
  readonly cluster: IKubernetesCluster;
  /** Cloud that provides the alert destination (the alert topic). */
  readonly cloud: ICloudServices;
  /**
   * Namespace of Prometheus, Alertmanager, Grafana, the operator and kube-state-metrics (Pod Security `restricted`).
   *
   * @default 'monitoring'
   */
  readonly namespace?: string;
  /**
   * Namespace of the node exporter, which needs the host's network, PIDs and file system (Pod Security `privileged`).
   *
   * @default 'monitoring-node'
   */
  readonly nodeAgentNamespace?: string;
  /**
   * Days Prometheus keeps metrics.
   *
   * @default 15
   */
  readonly retentionDays?: number;
  /**
   * Size of Prometheus' encrypted volume, GiB.
   *
   * @default 100
   */
  readonly storageGiB?: number;
  /**
   * Metrics Prometheus keeps at most, GiB (oldest blocks go first); must leave room on the volume for the
   * write-ahead log and compaction.
   *
   * @default - 85% of storageGiB, rounded down
   */
  readonly retentionSizeGiB?: number;
  /**
   * CPU Prometheus requests (a Kubernetes quantity).
   *
   * @default '1'
   */
  readonly prometheusCpu?: string;
  /**
   * Memory Prometheus requests and is limited to (a Kubernetes quantity).
   *
   * @default '4Gi'
   */
  readonly prometheusMemory?: string;
  /**
   * Minutes a GPU stays under `gpuIdleUtilisationPercent` before the idle alert fires (with the GPU's hourly cost).
   *
   * @default 30
   */
  readonly gpuIdleMinutes?: number;
  /**
   * Utilisation, percent, under which a GPU counts as idle.
   *
   * @default 5
   */
  readonly gpuIdleUtilisationPercent?: number;
  /**
   * GPU memory use, percent, above which the memory-pressure alert fires (after 10 minutes).
   *
   * @default 95
   */
  readonly gpuMemoryPressurePercent?: number;
  /**
   * Minutes a pod requesting GPUs may stay pending before it alerts.
   *
   * @default 15
   */
  readonly gpuPendingMinutes?: number;
  /**
   * Hours after the last successful cluster backup (Velero) before it alerts.
   *
   * @default - twice the stack's RPO, at least 2 hours
   */
  readonly backupMaxAgeHours?: number;
  /**
   * Scrape Velero (namespace `velero`, installed by BackupPolicy with a cluster) and alert on failing backups.
   *
   * @default true
   */
  readonly clusterBackups?: boolean;
  /**
   * Email addresses subscribed to the alert destination.
   *
   * @default - none (subscribe a chat or paging integration to the destination)
   */
  readonly alertEmails?: string[];
  /**
   * The MLflow server to scrape, chart on its dashboard and alert on when down. Prometheus scrapes each pod by IP,
   * so the server must allow the pods' addresses as Host (`extraAllowedHosts`, e.g. `10.40.*` for the VPC): MLflow
   * answers any other Host on /metrics with 403, and MlflowDown would fire for good.
   *
   * @default - no MLflow scraping
   */
  readonly experimentTracking?: ExperimentTracking;
  /**
   * Monthly budget, USD: alerts when the run rate of the cluster's nodes (from OpenCost, see CostMonitoring)
   * exceeds it. The cloud's budget service alerts on the whole bill separately.
   *
   * @default - no run-rate alert
   */
  readonly monthlyBudgetUsd?: number;
}

/** Namespaces Kubernetes or other parts of this library own. */
const RESERVED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'external-secrets', 'gpu-operator', 'velero'];
const RELEASE_NAME = 'kube-prometheus-stack';
const ALERTMANAGER_SERVICE_ACCOUNT = 'alertmanager';
const GRAFANA_ADMIN_SECRET = 'grafana-admin';
const ALERTMANAGER_STORAGE_GIB = 10;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/**
 * Metrics, dashboards and alerts for the platform: kube-prometheus-stack (pinned) with Prometheus on an
 * encrypted volume with time and size retention, selecting ServiceMonitors and rules from every namespace;
 * node and cluster metrics (node exporter in a privileged namespace of its own, kube-state-metrics exporting
 * the GPU pool and team labels), the DCGM exporter, MLflow and Velero; Grafana with authentication on, no
 * anonymous access and a generated admin password (never in Terraform state or Helm values), with GPU, team,
 * capacity and MLflow dashboards shipped as code; alert rules for idle GPUs (with the hourly cost of the idle
 * GPU), GPU memory pressure, pending GPU pods, nodes not ready, failing or stale backups, targets down and the
 * cost run rate; Alertmanager sending to the cloud's alert destination as its own workload identity.
 *
 * Create it after the GpuNodePools of the stack: their prices go into the idle-GPU alerts.
 *
 * @example
 * new Monitoring(stack, 'Monitoring', { cluster, cloud, experimentTracking: tracking, alertEmails: ['ml-platform@example.com'] });
 */
export class Monitoring extends Construct {
  /** Namespace of Prometheus, Alertmanager and Grafana. */
  public readonly namespace: string;
  /** Namespace of the node exporter. */
  public readonly nodeAgentNamespace: string;
  /** The kube-prometheus-stack release (custom resources of the Prometheus operator must depend on it). */
  public readonly release: PinnedRelease;
  /** The platform's PrometheusRule and ServiceMonitors. */
  public readonly alertRules: ManifestChart;
  /** The dashboards (ConfigMaps the Grafana sidecar loads). */
  public readonly dashboards: ManifestChart;
  /** Where Alertmanager sends alerts. */
  public readonly alertDestination: IAlertDestination;
  /** Identity Alertmanager runs as. */
  public readonly alertmanagerIdentity: IWorkloadIdentity;
  /** In-cluster URL of Prometheus (for OpenCost and other consumers). */
  public readonly prometheusUrl: string;
  /** Name of Prometheus' Service (port 9090) in {@link namespace}. */
  public readonly prometheusServiceName = `${RELEASE_NAME}-prometheus`;
  /** Name of the Grafana Service (port 80) in {@link Monitoring.namespace}. */
  public readonly grafanaServiceName = `${RELEASE_NAME}-grafana`;
  /** Shell command that forwards http://localhost:3000 to Grafana. */
  public readonly grafanaPortForwardCommand: string;
  /** Shell command that prints Grafana's generated `admin` password (needs kubectl access). */
  public readonly grafanaAdminPasswordCommand: string;
  /** Days of retention. */
  public readonly retentionDays: number;
  /** Prometheus volume size, GiB. */
  public readonly storageGiB: number;
  /** GPU pools priced in the idle-GPU alerts. */
  public readonly pricedGpuPools: string[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    validateInput(this, props);
    const stack = PlatformStack.ofConstruct(this);
    const { cluster, cloud } = props;
    const settings = resolveSettings(this, props, stack);
    this.retentionDays = settings.retentionDays;
    this.storageGiB = settings.storageGiB;
    claimUnique(this, 'cluster', cluster.node.path, 'Monitoring per cluster', cluster.node.path,
      'Keep one Monitoring per cluster: a second Prometheus operator would fight the first over the same objects.');

    const namespace = new PlatformNamespace(this, 'Namespace', { cluster, name: settings.namespace });
    const nodeNamespace = new PlatformNamespace(this, 'NodeAgentNamespace', { cluster, name: settings.nodeAgentNamespace, podSecurity: 'privileged' });
    this.namespace = namespace.name;
    this.nodeAgentNamespace = nodeNamespace.name;
    const storage = cluster.encryptedStorageClass();

    this.alertDestination = cloud.newAlertDestination(this, 'AlertDestination', { emails: props.alertEmails });
    this.alertmanagerIdentity = cluster.newWorkloadIdentity(this, 'AlertmanagerIdentity', {
      namespace: this.namespace, serviceAccountName: ALERTMANAGER_SERVICE_ACCOUNT,
    });
    const receiver = this.alertDestination.bindAlertmanager(this.alertmanagerIdentity);
    const adminSecret = this.generateGrafanaAdminSecret(cluster, namespace);
    const labels = stack.costAllocation.tags;

    const volume = (gib: number) => ({
      volumeClaimTemplate: {
        metadata: { labels },
        spec: { storageClassName: storage.storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: `${gib}Gi` } } },
      },
    });
    const resources = (cpu: string, memory: string, memoryLimit: string) => ({ requests: { cpu, memory }, limits: { memory: memoryLimit } });

    this.release = new PinnedRelease(this, 'Release', {
      cluster,
      chart: ChartCatalog.KUBE_PROMETHEUS_STACK,
      releaseName: RELEASE_NAME,
      namespace: this.namespace,
      dependsOn: [namespace.resource, nodeNamespace.resource, adminSecret.resource, ...storage.prerequisites, ...receiver.prerequisites],
      values: {
        crds: { enabled: true },
        // A managed control plane exposes no scheduler, controller-manager or etcd metrics, and EKS' kube-proxy
        // listens on localhost only: scraping them would only raise TargetDown.
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        defaultRules: { create: true, rules: { etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false, kubeProxy: false } },
        prometheusOperator: {
          podLabels: labels,
          resources: resources('100m', '128Mi', '256Mi'),
          prometheusConfigReloader: { resources: resources('10m', '32Mi', '64Mi') },
          admissionWebhooks: { patch: { resources: resources('10m', '32Mi', '64Mi') } },
        },
        prometheus: {
          prometheusSpec: {
            // Select ServiceMonitors, PodMonitors, rules and probes of every namespace, not only this release's.
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            ruleSelectorNilUsesHelmValues: false,
            probeSelectorNilUsesHelmValues: false,
            scrapeConfigSelectorNilUsesHelmValues: false,
            retention: `${settings.retentionDays}d`,
            retentionSize: `${settings.retentionSizeGiB}GB`,
            resources: resources(settings.prometheusCpu, settings.prometheusMemory, settings.prometheusMemory),
            storageSpec: volume(settings.storageGiB),
            podMetadata: { labels },
          },
        },
        alertmanager: {
          serviceAccount: { create: true, name: ALERTMANAGER_SERVICE_ACCOUNT },
          alertmanagerSpec: {
            storage: volume(ALERTMANAGER_STORAGE_GIB),
            resources: resources('50m', '128Mi', '256Mi'),
            podMetadata: { labels },
          },
          config: {
            global: { resolve_timeout: '5m' },
            route: {
              receiver: 'platform',
              group_by: ['alertname', 'namespace'],
              group_wait: '30s',
              group_interval: '5m',
              repeat_interval: '4h',
              routes: [
                { receiver: 'null', matchers: ['alertname = "Watchdog"'] },
                { receiver: 'null', matchers: ['alertname = "InfoInhibitor"'] },
              ],
            },
            receivers: [{ name: 'null' }, { name: 'platform', ...receiver.receiver }],
            inhibit_rules: [
              { source_matchers: ['severity = critical'], target_matchers: ['severity =~ warning|info'], equal: ['namespace', 'alertname'] },
              { source_matchers: ['severity = warning'], target_matchers: ['severity = info'], equal: ['namespace', 'alertname'] },
            ],
          },
        },
        grafana: {
          enabled: true,
          admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' },
          'grafana.ini': {
            'auth.anonymous': { enabled: false },
            'auth.basic': { enabled: true },
            'users': { allow_sign_up: false, allow_org_create: false },
            'security': { disable_gravatar: true },
            'analytics': { check_for_updates: false, reporting_enabled: false },
          },
          persistence: { enabled: false },
          ingress: { enabled: false },
          podLabels: labels,
          resources: resources('100m', '256Mi', '512Mi'),
          sidecar: {
            resources: resources('50m', '64Mi', '128Mi'),
            dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' },
          },
        },
        'kube-state-metrics': {
          // Node and namespace labels the dashboards and alerts join on (kube_node_labels, kube_namespace_labels).
          // Pod and namespace cost labels are what OpenCost allocates by (label:team, label:project, ...).
          metricLabelsAllowlist: [
            'nodes=[mlops/gpu-pool,mlops/gpu-model,k8s.amazonaws.com/accelerator]',
            `namespaces=[${Object.keys(labels).join(',')}]`,
            `pods=[${Object.keys(labels).join(',')}]`,
          ],
          customLabels: labels,
          resources: resources('50m', '128Mi', '512Mi'),
        },
        'prometheus-node-exporter': {
          // hostNetwork, hostPID and hostPath mounts: only a privileged namespace admits it.
          namespaceOverride: this.nodeAgentNamespace,
          podLabels: labels,
          resources: resources('50m', '32Mi', '128Mi'),
        },
      },
    });
    this.prometheusUrl = `http://${this.prometheusServiceName}.${settings.namespace}.svc:9090`;

    const pools = gpuPoolPrices(stack);
    this.pricedGpuPools = pools.map((p) => p.poolLabel);
    const mlflowNamespace = settings.mlflowNamespace;
    this.alertRules = new ManifestChart(this, 'AlertRules', {
      cluster,
      releaseName: 'mlops-alert-rules',
      namespace: this.namespace,
      // The PrometheusRule and ServiceMonitor CRDs come with the release; MLflow's ServiceMonitor goes into its namespace.
      dependsOn: [this.release.resource, ...(props.experimentTracking ? [props.experimentTracking.release.resource] : [])],
      manifests: [
        {
          apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule',
          metadata: { name: 'mlops-platform', namespace: settings.namespace, labels },
          spec: {
            groups: platformAlertGroups({
              gpuIdleMinutes: settings.gpuIdleMinutes,
              gpuIdleUtilisationPercent: settings.gpuIdleUtilisationPercent,
              gpuMemoryPressurePercent: settings.gpuMemoryPressurePercent,
              gpuPendingMinutes: settings.gpuPendingMinutes,
              backupMaxAgeHours: settings.backupMaxAgeHours,
              clusterBackups: settings.clusterBackups,
              pools,
              mlflowNamespace,
              monthlyBudgetUsd: props.monthlyBudgetUsd,
            }),
          },
        },
        ...(props.experimentTracking ? [mlflowServiceMonitor(props.experimentTracking, labels)] : []),
        ...(settings.clusterBackups ? [veleroServiceMonitor(settings.namespace, labels)] : []),
        dcgmServiceMonitor(settings.namespace, labels),
      ],
    });
    this.dashboards = new ManifestChart(this, 'Dashboards', {
      cluster,
      releaseName: 'mlops-dashboards',
      namespace: this.namespace,
      dependsOn: [namespace.resource],
      manifests: [gpuPoolDashboard(), gpuTeamDashboard(), clusterCapacityDashboard(), ...(mlflowNamespace ? [mlflowDashboard(mlflowNamespace)] : [])]
        .map((d) => ({
          apiVersion: 'v1', kind: 'ConfigMap',
          metadata: { name: `dashboard-${d.uid}`, namespace: settings.namespace, labels: { ...labels, grafana_dashboard: '1' } },
          data: { [`${d.uid}.json`]: JSON.stringify(d.toJson()) },
        })),
    });
    this.node.addValidation({ validate: () => this.unpricedPools(stack) });

    this.grafanaPortForwardCommand = `kubectl -n ${settings.namespace} port-forward svc/${RELEASE_NAME}-grafana 3000:80`;
    this.grafanaAdminPasswordCommand = `kubectl -n ${settings.namespace} get secret ${GRAFANA_ADMIN_SECRET} -o jsonpath='{.data.admin-password}' | base64 -d`;
    this.record(stack, settings, storage.priceKey, storage.description, pools);
  }

  /** GPU pools created after this construct: their idle alerts fall back to the unpriced rule. */
  private unpricedPools(stack: PlatformStack): string[] {
    const late = gpuPoolPrices(stack).filter((p) => !this.pricedGpuPools.includes(p.poolLabel)).map((p) => p.poolLabel);
    if (late.length > 0) {
      Annotations.of(this).addWarning(`GPU pools ${late.join(', ')} were created after ${this.node.path}: their idle-GPU alerts carry no hourly cost. ` +
        'Create Monitoring after the GpuNodePools.');
    }
    return [];
  }

  private record(stack: PlatformStack, s: ResolvedSettings, priceKey: string, storageDescription: string, pools: GpuPoolPrice[]): void {
    const chart = ChartCatalog.KUBE_PROMETHEUS_STACK;
    const volumeLine = (resource: string, gib: number, assumption: string) => stack.addCostLine({
      component: this.node.path, resource, region: stack.primaryRegion, unit: CostUnit.GB_MONTH,
      baselineQuantity: gib, fullScaleQuantity: gib, priceKey, assumption,
    });
    volumeLine(`Prometheus volume (${storageDescription})`, s.storageGiB, `storageGiB = ${s.storageGiB} GiB, provisioned in full; compute runs on the system nodes`);
    volumeLine(`Alertmanager volume (${storageDescription})`, ALERTMANAGER_STORAGE_GIB, `${ALERTMANAGER_STORAGE_GIB} GiB for silences and notification state`);
    stack.addComponent({
      path: this.node.path, name: 'Monitoring',
      description: `kube-prometheus-stack ${chart.version} (operator ${chart.appVersion}): Prometheus ${s.retentionDays} d / ${s.retentionSizeGiB} GB retention on ` +
        `${s.storageGiB} GiB encrypted volume; Grafana (auth on, no anonymous access) with GPU pool, GPU team, cluster capacity` +
        `${s.mlflowNamespace ? ' and MLflow health' : ''} dashboards; alerts: idle GPU > ${s.gpuIdleMinutes} min ` +
        `(${pools.length} pool(s) priced), GPU memory > ${s.gpuMemoryPressurePercent}%, GPU pods pending > ${s.gpuPendingMinutes} min, node not ready, targets down` +
        `${s.clusterBackups ? `, failed or stale (> ${s.backupMaxAgeHours} h) Velero backups` : ''}; Alertmanager to ${this.alertDestination.description}`,
    });
    stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: `Sign in to Grafana in ${s.namespace}`,
      detail: 'Grafana has no ingress and no anonymous access. Forward a port and open http://localhost:3000 as user `admin`; the password was ' +
        'generated in the cluster and is read with the second command. Dashboards are in the "MLOps" tag.',
      command: `${this.grafanaPortForwardCommand}\n${this.grafanaAdminPasswordCommand}`,
    });
    stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: 'Confirm the alert subscriptions',
      detail: `Alertmanager sends to ${this.alertDestination.description}. Each email address gets a confirmation mail and receives nothing until it ` +
        'confirms. Budget and cost anomaly alerts come from the cloud\'s budget service (BudgetAlerts) to its own notification channel: give ' +
        'BudgetAlerts the same addresses so one team receives both.',
    });
  }

  /** An `admin` user whose 32-character password External Secrets generates once, inside the cluster. */
  private generateGrafanaAdminSecret(cluster: IKubernetesCluster, namespace: PlatformNamespace): ManifestChart {
    const generator = 'grafana-admin-password';
    return new ManifestChart(this, 'GrafanaAdminSecret', {
      cluster,
      releaseName: 'grafana-admin-secret',
      namespace: namespace.name,
      dependsOn: [ExternalSecretsOperator.of(cluster).release.resource, namespace.resource],
      manifests: [
        {
          apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', metadata: { name: generator, namespace: namespace.name },
          spec: { length: 32, digits: 8, symbols: 0, noUpper: false, allowRepeat: true },
        },
        {
          apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: GRAFANA_ADMIN_SECRET, namespace: namespace.name },
          spec: {
            // Generated once: a refresh would change the password under a running Grafana.
            refreshInterval: '0',
            target: {
              name: GRAFANA_ADMIN_SECRET, creationPolicy: 'Owner',
              template: { data: { 'admin-user': 'admin', 'admin-password': '{{ .password }}' } },
            },
            dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: generator } } }],
          },
        },
      ],
    });
  }
}

interface ResolvedSettings {
  readonly namespace: string;
  readonly nodeAgentNamespace: string;
  readonly retentionDays: number;
  readonly storageGiB: number;
  readonly retentionSizeGiB: number;
  readonly prometheusCpu: string;
  readonly prometheusMemory: string;
  readonly gpuIdleMinutes: number;
  readonly gpuIdleUtilisationPercent: number;
  readonly gpuMemoryPressurePercent: number;
  readonly gpuPendingMinutes: number;
  readonly backupMaxAgeHours: number;
  readonly clusterBackups: boolean;
  readonly mlflowNamespace?: string;
}

function validateInput(scope: Construct, props: MonitoringProps): void {
  requireProps(scope, props, '{ cluster, cloud }');
  requireConstruct(scope, 'cluster', props.cluster, 'a Kubernetes cluster (an EksCluster, or EksCluster.fromClusterAttributes)', isKubernetesCluster,
    "Pass e.g. new EksCluster(stack, 'Cluster', { cloud, vpc }).");
  requireConstruct(scope, 'cloud', props.cloud, 'a cloud (ICloudServices, e.g. an AwsCloud)', isCloudServices, "Pass the stack's AwsCloud, e.g. new AwsCloud(stack, 'Aws').");
  if (props.experimentTracking !== undefined && !(props.experimentTracking instanceof ExperimentTracking)) {
    throw new ValidationError(scope, 'experimentTracking', props.experimentTracking, 'must be an ExperimentTracking',
      'Pass the ExperimentTracking construct of the stack, or leave it unset.');
  }
  requireList(scope, 'alertEmails', props.alertEmails, { example: "['ml-platform@example.com']" });
  checkEmails(scope, 'alertEmails', props.alertEmails);
  checkUsdAmount(scope, 'monthlyBudgetUsd', props.monthlyBudgetUsd);
}

function resolveSettings(scope: Construct, props: MonitoringProps, stack: PlatformStack): ResolvedSettings {
  const namespace = props.namespace ?? 'monitoring';
  const nodeAgentNamespace = props.nodeAgentNamespace ?? 'monitoring-node';
  for (const [prop, value] of [['namespace', namespace], ['nodeAgentNamespace', nodeAgentNamespace]]) {
    checkDnsLabel(scope, prop, value, 'namespace');
    if (RESERVED_NAMESPACES.includes(value)) {
      throw new ValidationError(scope, prop, value, 'is a namespace the library or Kubernetes already uses', 'Choose a namespace of its own, e.g. "monitoring".');
    }
  }
  if (namespace === nodeAgentNamespace) {
    throw new ValidationError(scope, 'nodeAgentNamespace', nodeAgentNamespace, 'must differ from namespace: the node exporter needs a privileged namespace, ' +
      'and everything else runs restricted', 'Leave nodeAgentNamespace unset ("monitoring-node") or give it another name.');
  }
  const retentionDays = props.retentionDays ?? 15;
  checkInteger(scope, 'retentionDays', retentionDays, 1, 3650);
  const storageGiB = props.storageGiB ?? 100;
  checkInteger(scope, 'storageGiB', storageGiB, 10, 16384);
  const retentionSizeGiB = props.retentionSizeGiB ?? Math.floor(storageGiB * 0.85);
  checkInteger(scope, 'retentionSizeGiB', retentionSizeGiB, 1, 16384);
  if (!isUnresolved(retentionSizeGiB) && !isUnresolved(storageGiB) && retentionSizeGiB > storageGiB * 0.9) {
    throw new ValidationError(scope, 'retentionSizeGiB', retentionSizeGiB, `leaves too little of the ${storageGiB} GiB volume (storageGiB) for the write-ahead log ` +
      'and compaction: Prometheus stops ingesting when the volume fills', `Set retentionSizeGiB at most ${Math.floor(storageGiB * 0.9)}, or raise storageGiB.`);
  }
  const prometheusCpu = props.prometheusCpu ?? '1';
  const prometheusMemory = props.prometheusMemory ?? '4Gi';
  checkPattern(scope, 'prometheusCpu', prometheusCpu, QUANTITY, 'a Kubernetes quantity such as "1" or "500m"');
  checkPattern(scope, 'prometheusMemory', prometheusMemory, QUANTITY, 'a Kubernetes quantity such as "4Gi"');
  const gpuIdleMinutes = props.gpuIdleMinutes ?? 30;
  if (!isUnresolved(gpuIdleMinutes) && (typeof gpuIdleMinutes !== 'number' || !Number.isInteger(gpuIdleMinutes) || gpuIdleMinutes <= 0 || gpuIdleMinutes > 1440)) {
    throw new ValidationError(scope, 'gpuIdleMinutes', gpuIdleMinutes,
      'must be a whole number of minutes from 1 to 1440: 0 or less would flag every GPU as idle the moment its job pauses',
      'Set how long a GPU may sit idle before it alerts, e.g. 30.');
  }
  const gpuIdleUtilisationPercent = props.gpuIdleUtilisationPercent ?? 5;
  checkInteger(scope, 'gpuIdleUtilisationPercent', gpuIdleUtilisationPercent, 1, 100);
  const gpuMemoryPressurePercent = props.gpuMemoryPressurePercent ?? 95;
  checkInteger(scope, 'gpuMemoryPressurePercent', gpuMemoryPressurePercent, 50, 100);
  const gpuPendingMinutes = props.gpuPendingMinutes ?? 15;
  checkInteger(scope, 'gpuPendingMinutes', gpuPendingMinutes, 1, 1440);
  const rpoHours = stack.recoveryObjective.rpo.toMinutes() / 60;
  const backupMaxAgeHours = props.backupMaxAgeHours ?? Math.max(2, Math.ceil(2 * rpoHours));
  checkInteger(scope, 'backupMaxAgeHours', backupMaxAgeHours, 1, 24 * 30);
  return {
    namespace, nodeAgentNamespace, retentionDays, storageGiB, retentionSizeGiB, prometheusCpu, prometheusMemory,
    gpuIdleMinutes, gpuIdleUtilisationPercent, gpuMemoryPressurePercent, gpuPendingMinutes, backupMaxAgeHours,
    clusterBackups: props.clusterBackups ?? true,
    mlflowNamespace: props.experimentTracking?.namespace,
  };
}

/** The GPU pools of the stack with their catalog prices (pools without a price are left to the unpriced rule). */
function gpuPoolPrices(stack: PlatformStack): GpuPoolPrice[] {
  return stack.node.findAll()
    .filter((c): c is GpuNodePool => c instanceof GpuNodePool)
    // A type without a published on-demand price (reservation-only capacity) is left to the unpriced rule.
    .filter((p) => (p.spec.onDemandHourlyUsd ?? 0) > 0 && p.spec.gpuCount > 0)
    .map((p) => ({
      poolLabel: p.nodeLabels['mlops/gpu-pool'],
      instanceType: p.spec.instanceType,
      gpuModel: p.spec.gpuModel,
      gpusPerNode: p.spec.gpuCount,
      nodeHourlyUsd: p.spec.onDemandHourlyUsd!,
    }));
}

/**
 * Scrapes MLflow's /metrics (exposed with `--expose-prometheus`). MLflow's basic-auth app guards every route but
 * /health and static files, so Prometheus signs in with the admin credentials from MLflow's own secret; the
 * ServiceMonitor lives in MLflow's namespace because the operator reads the secret there.
 */
function mlflowServiceMonitor(tracking: ExperimentTracking, labels: { [key: string]: string }): any {
  const secret = tracking.adminSecretName;
  return {
    apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor',
    metadata: { name: 'mlflow', namespace: tracking.namespace, labels },
    spec: {
      namespaceSelector: { matchNames: [tracking.namespace] },
      selector: { matchLabels: { 'app.kubernetes.io/name': 'mlflow', 'app.kubernetes.io/instance': 'mlflow' } },
      endpoints: [{
        port: 'http', path: '/metrics', interval: '30s',
        basicAuth: { username: { name: secret, key: 'username' }, password: { name: secret, key: 'password' } },
      }],
    },
  };
}

/**
 * Scrapes the DCGM exporter the GPU operator runs on every GPU node (Service `nvidia-dcgm-exporter`, port
 * `gpu-metrics`). honorLabels keeps the namespace and pod of the workload holding each GPU (per-team views); `node`
 * joins GPU metrics to the node's pool label.
 */
function dcgmServiceMonitor(namespace: string, labels: { [key: string]: string }): any {
  return {
    apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor',
    metadata: { name: 'nvidia-dcgm-exporter', namespace, labels },
    spec: {
      namespaceSelector: { matchNames: ['gpu-operator'] },
      selector: { matchLabels: { app: 'nvidia-dcgm-exporter' } },
      endpoints: [{
        port: 'gpu-metrics', path: '/metrics', interval: '30s', honorLabels: true,
        relabelings: [
          { sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' },
          // The exporter labels only GPUs a pod holds; without this an idle GPU would carry the exporter's own namespace
          // and pod as target labels, counting it to the GPU operator's team and naming the exporter as its holder.
          { action: 'labeldrop', regex: 'namespace|pod|container' },
        ],
      }],
    },
  };
}

/** Scrapes the metrics Service of the Velero release BackupPolicy installs. */
function veleroServiceMonitor(namespace: string, labels: { [key: string]: string }): any {
  return {
    apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor',
    metadata: { name: 'velero', namespace, labels },
    spec: {
      namespaceSelector: { matchNames: ['velero'] },
      selector: { matchLabels: { 'app.kubernetes.io/name': 'velero', 'app.kubernetes.io/instance': 'velero' } },
      endpoints: [{ port: 'http-monitoring', path: '/metrics', interval: '30s' }],
    },
  };
}

import { GrafanaDashboard, PanelKind, PanelUnit } from './grafana-dashboard';

/*
 * The platform's dashboards. GPU metrics come from the DCGM exporter, whose ServiceMonitor (GPU operator) adds a
 * `node` label and keeps the workload's `namespace` and `pod`; node and namespace labels come from
 * kube-state-metrics (`kube_node_labels`, `kube_namespace_labels`), which the Monitoring construct allows to
 * export the pool and team labels.
 */

/** kube-state-metrics' name of the node label `mlops/gpu-pool`. */
export const POOL_LABEL = 'label_mlops_gpu_pool';
/** kube-state-metrics' name of the namespace label `team`. */
export const TEAM_LABEL = 'label_team';

/** `<metric>` with the GPU pool of its node joined on. */
export function withPool(metric: string, poolMatcher = `${POOL_LABEL}=~"$pool"`): string {
  return `(${metric} * on (node) group_left (${POOL_LABEL}) kube_node_labels{${poolMatcher}})`;
}

/** `<metric>` with the team of its namespace joined on. */
export function withTeam(metric: string, teamMatcher = `${TEAM_LABEL}=~"$team"`): string {
  return `(${metric} * on (namespace) group_left (${TEAM_LABEL}) kube_namespace_labels{${teamMatcher}})`;
}

/** GPU utilisation and memory per pool. */
export function gpuPoolDashboard(): GrafanaDashboard {
  const d = new GrafanaDashboard({ uid: 'mlops-gpu-pools', title: 'MLOps / GPU pools', tags: ['mlops', 'gpu'] });
  d.addVariable('pool', 'GPU pool', 'kube_node_labels', POOL_LABEL);
  d.addPanel({
    title: 'GPU utilisation per pool', unit: PanelUnit.PERCENT,
    queries: [{ expr: `avg by (${POOL_LABEL}) ${withPool('DCGM_FI_DEV_GPU_UTIL')}`, legend: `{{${POOL_LABEL}}}` }],
  });
  d.addPanel({
    title: 'GPU memory used per pool', unit: PanelUnit.PERCENT_UNIT,
    queries: [{
      expr: `sum by (${POOL_LABEL}) ${withPool('DCGM_FI_DEV_FB_USED')} / ` +
        `sum by (${POOL_LABEL}) ${withPool('(DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)')}`,
      legend: `{{${POOL_LABEL}}}`,
    }],
  });
  d.addPanel({
    title: 'GPU utilisation per GPU', unit: PanelUnit.PERCENT,
    queries: [{ expr: withPool('DCGM_FI_DEV_GPU_UTIL'), legend: `{{${POOL_LABEL}}} {{node}} gpu {{gpu}}` }],
  });
  d.addPanel({
    title: 'GPU memory used per GPU', unit: PanelUnit.MEBIBYTES,
    queries: [{ expr: withPool('DCGM_FI_DEV_FB_USED'), legend: `{{${POOL_LABEL}}} {{node}} gpu {{gpu}}` }],
  });
  d.addPanel({
    title: 'GPUs allocatable and requested per pool', unit: PanelUnit.NONE,
    queries: [
      { expr: `sum by (${POOL_LABEL}) ${withPool('kube_node_status_allocatable{resource="nvidia_com_gpu"}')}`, legend: 'allocatable {{' + POOL_LABEL + '}}' },
      {
        expr: `sum by (${POOL_LABEL}) (sum by (node) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"} ` +
          `* on (namespace, pod) group_left () (kube_pod_status_phase{phase="Running"} == 1)) * on (node) group_left (${POOL_LABEL}) ` +
          `kube_node_labels{${POOL_LABEL}=~"$pool"})`,
        legend: 'requested {{' + POOL_LABEL + '}}',
      },
    ],
  });
  d.addPanel({
    title: 'Idle GPUs (utilisation under 5%)', kind: PanelKind.STAT, unit: PanelUnit.NONE, width: 12,
    queries: [{ expr: `count(${withPool('DCGM_FI_DEV_GPU_UTIL')} < 5) or vector(0)`, legend: 'idle GPUs' }],
  });
  return d;
}

/** GPU use per team (the `team` label of the workload's namespace). */
export function gpuTeamDashboard(): GrafanaDashboard {
  const d = new GrafanaDashboard({ uid: 'mlops-gpu-teams', title: 'MLOps / GPU use per team', tags: ['mlops', 'gpu', 'teams'] });
  d.addVariable('team', 'Team', 'kube_namespace_labels', TEAM_LABEL);
  // DCGM attributes a GPU to a pod only while a pod holds it: `pod!=""` leaves out idle GPUs.
  d.addPanel({
    title: 'GPU utilisation per team', unit: PanelUnit.PERCENT,
    queries: [{ expr: `avg by (${TEAM_LABEL}) ${withTeam('DCGM_FI_DEV_GPU_UTIL{pod!=""}')}`, legend: `{{${TEAM_LABEL}}}` }],
  });
  d.addPanel({
    title: 'GPU memory used per team', unit: PanelUnit.MEBIBYTES,
    queries: [{ expr: `sum by (${TEAM_LABEL}) ${withTeam('DCGM_FI_DEV_FB_USED{pod!=""}')}`, legend: `{{${TEAM_LABEL}}}` }],
  });
  d.addPanel({
    title: 'GPUs requested per team (running pods)', unit: PanelUnit.NONE,
    queries: [{
      expr: `sum by (${TEAM_LABEL}) ${withTeam('(kube_pod_container_resource_requests{resource="nvidia_com_gpu"} ' +
        '* on (namespace, pod) group_left () (kube_pod_status_phase{phase="Running"} == 1))')}`,
      legend: `{{${TEAM_LABEL}}}`,
    }],
  });
  d.addPanel({
    title: 'GPU pods pending per team', unit: PanelUnit.NONE,
    queries: [{
      expr: `sum by (${TEAM_LABEL}) ${withTeam('((max by (namespace, pod) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"}) > bool 0) ' +
        '* on (namespace, pod) max by (namespace, pod) (kube_pod_status_phase{phase="Pending"}))')}`,
      legend: `{{${TEAM_LABEL}}}`,
    }],
  });
  return d;
}

/** Nodes, requests against allocatable, pending pods. */
export function clusterCapacityDashboard(): GrafanaDashboard {
  const d = new GrafanaDashboard({ uid: 'mlops-cluster-capacity', title: 'MLOps / Cluster capacity', tags: ['mlops', 'capacity'] });
  d.addPanel({
    title: 'Ready nodes', kind: PanelKind.STAT, width: 6,
    queries: [{ expr: 'sum(kube_node_status_condition{condition="Ready",status="true"})', legend: 'ready' }],
  });
  d.addPanel({
    title: 'Not ready nodes', kind: PanelKind.STAT, width: 6,
    queries: [{ expr: 'sum(kube_node_status_condition{condition="Ready",status="true"} == 0) or vector(0)', legend: 'not ready' }],
  });
  d.addPanel({
    title: 'Pending pods', kind: PanelKind.STAT, width: 6,
    queries: [{ expr: 'sum(kube_pod_status_phase{phase="Pending"})', legend: 'pending' }],
  });
  d.addPanel({
    title: 'GPUs allocatable', kind: PanelKind.STAT, width: 6,
    queries: [{ expr: 'sum(kube_node_status_allocatable{resource="nvidia_com_gpu"}) or vector(0)', legend: 'GPUs' }],
  });
  for (const [resource, title] of [['cpu', 'CPU'], ['memory', 'Memory'], ['nvidia_com_gpu', 'GPU']]) {
    d.addPanel({
      title: `${title} requested / allocatable`, unit: PanelUnit.PERCENT_UNIT, width: 8,
      queries: [{
        expr: `sum(kube_pod_container_resource_requests{resource="${resource}"} * on (namespace, pod) group_left () ` +
          `(kube_pod_status_phase{phase=~"Running|Pending"} == 1)) / sum(kube_node_status_allocatable{resource="${resource}"})`,
        legend: 'requested',
      }],
    });
  }
  d.addPanel({
    title: 'Node CPU utilisation', unit: PanelUnit.PERCENT_UNIT,
    queries: [{ expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', legend: '{{instance}}' }],
  });
  d.addPanel({
    title: 'Node memory utilisation', unit: PanelUnit.PERCENT_UNIT,
    queries: [{ expr: '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', legend: '{{instance}}' }],
  });
  return d;
}

/** MLflow: up, request rate and errors, latency, restarts. */
export function mlflowDashboard(namespace: string): GrafanaDashboard {
  const d = new GrafanaDashboard({ uid: 'mlops-mlflow', title: 'MLOps / MLflow health', tags: ['mlops', 'mlflow'] });
  const sel = `namespace="${namespace}"`;
  d.addPanel({
    title: 'MLflow replicas up', kind: PanelKind.STAT, width: 8,
    queries: [{ expr: `sum(up{${sel}, service="mlflow"}) or vector(0)`, legend: 'up' }],
  });
  d.addPanel({
    title: 'Container restarts (1h)', kind: PanelKind.STAT, width: 8,
    queries: [{ expr: `sum(increase(kube_pod_container_status_restarts_total{${sel}}[1h])) or vector(0)`, legend: 'restarts' }],
  });
  d.addPanel({
    title: '5xx share (5m)', kind: PanelKind.STAT, width: 8, unit: PanelUnit.PERCENT_UNIT,
    queries: [{
      expr: `sum(rate(mlflow_http_request_total{${sel}, status=~"5.."}[5m])) / sum(rate(mlflow_http_request_total{${sel}}[5m]))`,
      legend: '5xx',
    }],
  });
  d.addPanel({
    title: 'Requests per second by status', unit: PanelUnit.REQUESTS_PER_SECOND,
    queries: [{ expr: `sum by (status) (rate(mlflow_http_request_total{${sel}}[5m]))`, legend: '{{status}}' }],
  });
  d.addPanel({
    title: 'Request latency p95', unit: PanelUnit.SECONDS,
    queries: [{ expr: `histogram_quantile(0.95, sum by (le) (rate(mlflow_http_request_duration_seconds_bucket{${sel}}[5m])))`, legend: 'p95' }],
  });
  d.addPanel({
    title: 'Memory per pod', unit: PanelUnit.BYTES,
    queries: [{ expr: `sum by (pod) (container_memory_working_set_bytes{${sel}, container="mlflow"})`, legend: '{{pod}}' }],
  });
  d.addPanel({
    title: 'CPU per pod', unit: PanelUnit.NONE,
    queries: [{ expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${sel}, container="mlflow"}[5m]))`, legend: '{{pod}}' }],
  });
  return d;
}

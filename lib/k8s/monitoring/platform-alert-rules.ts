import { POOL_LABEL } from './platform-dashboards';

/*
 * The platform's Prometheus alert rules, as the `spec.groups` of a PrometheusRule. Alert text keeps Prometheus'
 * own `{{ $labels.x }}` templates; the ManifestChart that installs the rule passes them through Helm unrendered.
 */

/** The price of one GPU pool's GPUs, for the idle-GPU alert. */
export interface GpuPoolPrice {
  /** Value of the pool's `mlops/gpu-pool` node label. */
  readonly poolLabel: string;
  /** Instance type of the pool's nodes. */
  readonly instanceType: string;
  /** GPU model. */
  readonly gpuModel: string;
  /** GPUs per node. */
  readonly gpusPerNode: number;
  /** On-demand price of a node per hour, USD. */
  readonly nodeHourlyUsd: number;
}

/** Thresholds and scope of the platform alert rules. */
export interface PlatformAlertSettings {
  /** Minutes a GPU stays under the idle utilisation before it alerts. */
  readonly gpuIdleMinutes: number;
  /** Utilisation (percent) under which a GPU counts as idle. */
  readonly gpuIdleUtilisationPercent: number;
  /** Framebuffer use (percent) above which a GPU is under memory pressure. */
  readonly gpuMemoryPressurePercent: number;
  /** Minutes a pod requesting GPUs may stay pending. */
  readonly gpuPendingMinutes: number;
  /** Hours after the last successful Velero backup of a schedule before it alerts. */
  readonly backupMaxAgeHours: number;
  /** GPU pools with their prices. */
  readonly pools: GpuPoolPrice[];
  /**
   * Namespace of MLflow, to alert when it is down.
   *
   * @default - no MLflow rule
   */
  readonly mlflowNamespace?: string;
  /**
   * Monthly budget in USD: alert when the cluster's hourly cost (OpenCost) runs above it.
   *
   * @default - no run-rate rule
   */
  readonly monthlyBudgetUsd?: number;
  /**
   * Include the Velero backup rules.
   *
   * @default true
   */
  readonly clusterBackups?: boolean;
}

/** USD with cents, e.g. `$1.23`. */
export function usd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

/** The idle cost of one GPU of a pool per hour: the node's on-demand price split over its GPUs. */
export function idleGpuHourlyUsd(pool: GpuPoolPrice): number {
  return pool.nodeHourlyUsd / pool.gpusPerNode;
}

/** The PrometheusRule groups. */
export function platformAlertGroups(s: PlatformAlertSettings): any[] {
  const idle = `DCGM_FI_DEV_GPU_UTIL < ${s.gpuIdleUtilisationPercent}`;
  const idleFor = `${s.gpuIdleMinutes}m`;
  const idleText = `has been under ${s.gpuIdleUtilisationPercent}% utilisation for more than ${s.gpuIdleMinutes} minutes`;
  const gpuRules: any[] = s.pools.map((pool) => ({
    alert: 'GpuIdle',
    expr: `(${idle}) * on (node) group_left (${POOL_LABEL}) kube_node_labels{${POOL_LABEL}="${pool.poolLabel}"}`,
    for: idleFor,
    labels: { severity: 'warning', pool: pool.poolLabel },
    annotations: {
      summary: `Idle ${pool.gpuModel} GPU in pool ${pool.poolLabel}, costing about ${usd(idleGpuHourlyUsd(pool))} per hour`,
      description: `GPU {{ $labels.gpu }} on node {{ $labels.node }} (pool ${pool.poolLabel}) ${idleText}` +
        '{{ if $labels.pod }}, held by pod {{ $labels.namespace }}/{{ $labels.pod }}{{ end }}. ' +
        `An idle GPU of this pool costs about ${usd(idleGpuHourlyUsd(pool))} per hour (${pool.instanceType} on-demand ` +
        `${usd(pool.nodeHourlyUsd)}/h over ${pool.gpusPerNode} GPU(s); spot capacity pays less). ` +
        'Stop or scale down the workload holding it, or let the pool scale in.',
      idle_cost_usd_per_hour: idleGpuHourlyUsd(pool).toFixed(2),
    },
  }));
  const known = s.pools.map((p) => p.poolLabel);
  gpuRules.push({
    alert: 'GpuIdle',
    // GPUs on nodes of no pool this stack defines (another stack's pool, a node group made by hand).
    expr: known.length === 0 ? `${idle}` : `(${idle}) unless on (node) kube_node_labels{${POOL_LABEL}=~"${known.join('|')}"}`,
    for: idleFor,
    labels: { severity: 'warning', pool: 'unknown' },
    annotations: {
      summary: 'Idle GPU outside the pools of this stack',
      description: `GPU {{ $labels.gpu }} on node {{ $labels.node }} ${idleText}. Its node is in no GPU pool this stack defines, ` +
        'so its hourly cost is not known here: look up the instance type of {{ $labels.node }} in your price list.',
    },
  });
  gpuRules.push({
    alert: 'GpuMemoryPressure',
    expr: `100 * DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > ${s.gpuMemoryPressurePercent}`,
    for: '10m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'GPU memory nearly full',
      description: `GPU {{ $labels.gpu }} on node {{ $labels.node }} has used more than ${s.gpuMemoryPressurePercent}% of its memory for 10 minutes ` +
        '({{ $value | printf "%.0f" }}%){{ if $labels.pod }}, pod {{ $labels.namespace }}/{{ $labels.pod }}{{ end }}: the next allocation may fail with out-of-memory.',
    },
  });
  gpuRules.push({
    alert: 'GpuPodsPending',
    expr: '(max by (namespace, pod) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"}) > 0) ' +
      'and on (namespace, pod) (max by (namespace, pod) (kube_pod_status_phase{phase="Pending"}) == 1)',
    for: `${s.gpuPendingMinutes}m`,
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Pod waiting for GPUs',
      description: `Pod {{ $labels.namespace }}/{{ $labels.pod }} requests GPUs and has been pending for more than ${s.gpuPendingMinutes} minutes: ` +
        'the GPU pools are at their maximum size, capacity is short in the zone, or the pod asks for a GPU no pool has.',
    },
  });

  const clusterRules: any[] = [{
    alert: 'NodeNotReady',
    expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
    for: '10m',
    labels: { severity: 'critical' },
    annotations: {
      summary: 'Node not ready',
      description: 'Node {{ $labels.node }} has not been Ready for 10 minutes; its pods are being evicted or cannot start.',
    },
  }, {
    alert: 'PlatformTargetDown',
    expr: '100 * (count by (job, namespace, service) (up == 0) / count by (job, namespace, service) (up)) > 10',
    for: '10m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Platform targets down',
      description: '{{ $value | printf "%.0f" }}% of the {{ $labels.job }} targets in {{ $labels.namespace }} have been unreachable for 10 minutes.',
    },
  }];
  if (s.mlflowNamespace !== undefined) {
    const sel = `namespace="${s.mlflowNamespace}", service="mlflow"`;
    clusterRules.push({
      alert: 'MlflowDown',
      expr: `sum(up{${sel}}) == 0 or absent(up{${sel}})`,
      for: '5m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'MLflow is down',
        description: `No MLflow replica in namespace ${s.mlflowNamespace} has answered a scrape for 5 minutes: tracking and the model registry are unavailable.`,
      },
    });
  }
  const groups = [
    { name: 'mlops.gpu', rules: gpuRules },
    { name: 'mlops.cluster', rules: clusterRules },
  ];
  if (s.clusterBackups ?? true) {
    groups.push({
      name: 'mlops.backups',
      rules: [{
        alert: 'ClusterBackupFailed',
        expr: 'increase(velero_backup_failure_total{schedule!=""}[1h]) > 0',
        for: '0m',
        labels: { severity: 'critical' },
        annotations: {
          summary: 'Velero backup failed',
          description: 'A backup of Velero schedule {{ $labels.schedule }} failed in the last hour: the cluster state in the DR region is getting older. ' +
            'Check `velero backup get` and `velero backup logs <name>`.',
        },
      }, {
        alert: 'ClusterBackupTooOld',
        expr: `time() - velero_backup_last_successful_timestamp{schedule!=""} > ${s.backupMaxAgeHours * 3600}`,
        for: '15m',
        labels: { severity: 'critical' },
        annotations: {
          summary: 'No recent successful Velero backup',
          description: `The last successful backup of Velero schedule {{ $labels.schedule }} is more than ${s.backupMaxAgeHours} hours old: ` +
            'the recovery objective for cluster state is not met.',
        },
      }],
    });
  }
  if (s.monthlyBudgetUsd !== undefined) {
    groups.push({
      name: 'mlops.cost',
      rules: [{
        alert: 'ClusterCostRunRateOverBudget',
        // node_total_hourly_cost is OpenCost's; without CostMonitoring the rule has no data and stays silent.
        expr: `sum(node_total_hourly_cost) * 730 > ${s.monthlyBudgetUsd}`,
        for: '1h',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Cluster nodes cost more than the monthly budget',
          description: `At the current hourly cost of the cluster's nodes (OpenCost), a month costs {{ $value | printf "%.0f" }} USD, over the budget of ${usd(s.monthlyBudgetUsd)}. ` +
            'Idle GPU pools are the usual cause: see the GpuIdle alerts and the GPU dashboards.',
        },
      }],
    });
  }
  return groups;
}

/** A Helm chart pinned to one version. */
export interface PinnedChart {
  /** Repository URL (`https://...`), or OCI registry path without the chart name. */
  readonly repository: string;
  /** Chart name. */
  readonly chart: string;
  /** Exact chart version. */
  readonly version: string;
  /** Version of the application the chart deploys. */
  readonly appVersion: string;
}

/**
 * Every Helm chart the library installs, pinned in one place. Bump a version here only after checking the
 * values the library sets against that version's `values.yaml`.
 */
export class ChartCatalog {
  /** MLflow tracking server (community-charts). */
  public static readonly MLFLOW: PinnedChart = {
    repository: 'https://community-charts.github.io/helm-charts', chart: 'mlflow', version: '1.11.5', appVersion: '3.15.1',
  };
  /** NVIDIA GPU operator. */
  public static readonly GPU_OPERATOR: PinnedChart = {
    repository: 'https://helm.ngc.nvidia.com/nvidia', chart: 'gpu-operator', version: 'v26.7.0', appVersion: 'v26.7.0',
  };
  /** Velero cluster backups. */
  public static readonly VELERO: PinnedChart = {
    repository: 'https://vmware-tanzu.github.io/helm-charts', chart: 'velero', version: '12.1.0', appVersion: '1.18.1',
  };
  /** Cluster Autoscaler: scales node groups (GPU pools from zero) to pending pods. Its minor follows Kubernetes. */
  public static readonly CLUSTER_AUTOSCALER: PinnedChart = {
    repository: 'https://kubernetes.github.io/autoscaler', chart: 'cluster-autoscaler', version: '9.59.0', appVersion: '1.35.0',
  };
  /** External Secrets Operator: syncs cloud secrets into Kubernetes secrets. */
  public static readonly EXTERNAL_SECRETS: PinnedChart = {
    repository: 'https://charts.external-secrets.io', chart: 'external-secrets', version: '2.9.0', appVersion: 'v2.9.0',
  };

  private constructor() {}
}

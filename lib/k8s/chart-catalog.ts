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

  /**
   * Kueue: job queueing with quotas, borrowing and preemption between teams. The published chart's images are
   * `registry.k8s.io/kueue/kueue:v0.19.2`; the chart source still names the staging registry, so FairGpuScheduling
   * sets the image values explicitly.
   */
  public static readonly KUEUE: PinnedChart = {
    repository: 'oci://registry.k8s.io/kueue/charts', chart: 'kueue', version: '0.19.2', appVersion: 'v0.19.2',
  };
  /** Fluent Bit (fluent/helm-charts): the node log shipper of LogShipping. */
  public static readonly FLUENT_BIT: PinnedChart = {
    repository: 'https://fluent.github.io/helm-charts', chart: 'fluent-bit', version: '0.58.1', appVersion: '5.1.1',
  };
  /** kube-prometheus-stack: Prometheus operator, Prometheus, Alertmanager, Grafana, kube-state-metrics, node-exporter. */
  public static readonly KUBE_PROMETHEUS_STACK: PinnedChart = {
    repository: 'https://prometheus-community.github.io/helm-charts', chart: 'kube-prometheus-stack', version: '88.5.3', appVersion: 'v0.93.1',
  };
  /** OpenCost: cost allocation per namespace, label and pod from Prometheus metrics and cloud prices (OCI only for 2.5.17). */
  public static readonly OPENCOST: PinnedChart = {
    repository: 'oci://ghcr.io/opencost/charts', chart: 'opencost', version: '2.5.17', appVersion: '1.120.1',
  };
  /** AWS Load Balancer Controller: ALBs for Ingress objects of class `alb`. */
  public static readonly AWS_LOAD_BALANCER_CONTROLLER: PinnedChart = {
    repository: 'https://aws.github.io/eks-charts', chart: 'aws-load-balancer-controller', version: '3.5.0', appVersion: 'v3.5.0',
  };
  /** Karpenter: provisions EC2 nodes for pending pods (an alternative to the Cluster Autoscaler for GPU pools). */
  public static readonly KARPENTER: PinnedChart = {
    repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter', version: '1.14.1', appVersion: '1.14.1',
  };
  /**
   * Feast feature server (feast-dev/feast `infra/charts/feast-feature-server`). The chart sets no appVersion; its
   * image tag (quay.io/feastdev/feature-server) is the chart version.
   */
  public static readonly FEAST_FEATURE_SERVER: PinnedChart = {
    repository: 'https://feast-helm-charts.storage.googleapis.com', chart: 'feast-feature-server', version: '0.66.0', appVersion: '0.66.0',
  };
  /** Argo Workflows (argo-helm): workflow controller, Argo Server and CRDs, for Pipelines. */
  public static readonly ARGO_WORKFLOWS: PinnedChart = {
    repository: 'https://argoproj.github.io/argo-helm', chart: 'argo-workflows', version: '1.0.18', appVersion: 'v4.0.6',
  };
  /** KServe's CRDs (InferenceService, ServingRuntime, ...): installed before the controller. The version includes the `v`. */
  public static readonly KSERVE_CRD: PinnedChart = {
    repository: 'oci://ghcr.io/kserve/charts', chart: 'kserve-crd', version: 'v0.20.0', appVersion: 'v0.20.0',
  };
  /** KServe controller, webhooks and inferenceservice-config (all values under `kserve:`); needs cert-manager. */
  public static readonly KSERVE_RESOURCES: PinnedChart = {
    repository: 'oci://ghcr.io/kserve/charts', chart: 'kserve-resources', version: 'v0.20.0', appVersion: 'v0.20.0',
  };
  /** KServe's ClusterServingRuntimes (sklearn, xgboost, huggingface, triton, ...), a chart of their own. */
  public static readonly KSERVE_RUNTIME_CONFIGS: PinnedChart = {
    repository: 'oci://ghcr.io/kserve/charts', chart: 'kserve-runtime-configs', version: 'v0.20.0', appVersion: 'v0.20.0',
  };

  private constructor() {}
}

import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { checkCommonPlatformProps } from './platform-validation';
import { BackupPolicy } from '../backup-policy';
import { BudgetAlerts } from '../budget-alerts';
import { ExperimentTracking } from '../experiment-tracking';
import { GcpCloud } from '../gcp/gcp-cloud';
import { GcpNetwork } from '../gcp/gcp-network';
import { GkeCluster } from '../gcp/gke-cluster';
import { GpuNodePool } from '../gpu-node-pool';
import { ModelRegistry } from '../model-registry';
import type { PlatformGpuPool } from './aws-mlops-platform';

/** Properties of a {@link GcpMlopsPlatform}. */
export interface GcpMlopsPlatformProps {
  /** Google Cloud project ID to deploy to. */
  readonly projectId: string;
  /** Monthly budget in USD. */
  readonly monthlyBudgetUsd: number;
  /** Addresses that get budget alerts (at most 5: Cloud Billing budgets notify 5 channels). */
  readonly alertEmails: string[];
  /**
   * GPU pools.
   *
   * @default - one on-demand pool of g2-standard-8 (1 x L4), 0-4 nodes
   */
  readonly gpuPools?: PlatformGpuPool[];
  /**
   * CIDR blocks allowed to the control plane's IP endpoint (the DNS endpoint is IAM-guarded and always on).
   *
   * @default - the VPC only
   */
  readonly authorizedNetworks?: string[];
  /**
   * The `gke-security-groups@<domain>` group for Google Groups for RBAC.
   *
   * @default - off (the policy pack reports CKV_GCP_65)
   */
  readonly rbacSecurityGroup?: string;
  /**
   * Zones of the primary region GPU pools run in (accelerators are offered in some zones only).
   *
   * @default - the cluster's zones
   */
  readonly gpuNodeLocations?: string[];
  /**
   * Days model versions are retained (bucket retention policy).
   *
   * @default - no retention policy
   */
  readonly modelObjectLockDays?: number;
}

/**
 * The reference MLOps platform on Google Cloud: a GcpCloud, a custom-mode VPC with Cloud NAT and private services
 * access, a private regional GKE cluster, and the five cloud-neutral constructs on top (ExperimentTracking,
 * ModelRegistry, GpuNodePool, BackupPolicy, BudgetAlerts), with Terraform outputs for what a user needs after
 * deploy. Construct ids match AwsMlopsPlatform where the part is the same (`Network`, `Cluster`, `Tracking`,
 * `Registry`, `Backups`, `Budget`).
 *
 * @example
 * new GcpMlopsPlatform(stack, 'Platform', { projectId: 'fraud-ml-prod', monthlyBudgetUsd: 25000, alertEmails: ['ml-platform@example.com'] });
 */
export class GcpMlopsPlatform extends Construct {
  /** The cloud. */
  public readonly cloud: GcpCloud;
  /** The network. */
  public readonly network: GcpNetwork;
  /** The GKE cluster. */
  public readonly cluster: GkeCluster;
  /** MLflow. */
  public readonly tracking: ExperimentTracking;
  /** Model store and image repository. */
  public readonly registry: ModelRegistry;
  /** GPU pools. */
  public readonly gpuPools: GpuNodePool[];
  /** Backups. */
  public readonly backups: BackupPolicy;
  /** Budget. */
  public readonly budget: BudgetAlerts;

  constructor(scope: Construct, id: string, props: GcpMlopsPlatformProps) {
    super(scope, id);
    validatePlatformProps(this, props);
    this.cloud = new GcpCloud(this, 'Gcp', { projectId: props.projectId });
    const cloud = this.cloud;
    this.network = new GcpNetwork(this, 'Network', { cloud });
    this.cluster = new GkeCluster(this, 'Cluster', {
      cloud, network: this.network, authorizedNetworks: props.authorizedNetworks, rbacSecurityGroup: props.rbacSecurityGroup,
      gpuNodeLocations: props.gpuNodeLocations,
    });
    this.tracking = new ExperimentTracking(this, 'Tracking', { cluster: this.cluster, cloud });
    this.registry = new ModelRegistry(this, 'Registry', { cloud, objectLockDays: props.modelObjectLockDays });
    this.registry.grantPublish(this.tracking.identity);
    const pools = props.gpuPools ?? [{ name: 'Gpu', instanceType: 'g2-standard-8' }];
    this.gpuPools = pools.map((pool) => new GpuNodePool(this, pool.name, { ...pool, cluster: this.cluster }));
    this.backups = new BackupPolicy(this, 'Backups', { cloud, cluster: this.cluster });
    this.budget = new BudgetAlerts(this, 'Budget', { cloud, monthlyLimitUsd: props.monthlyBudgetUsd, emails: props.alertEmails });
    const outputs: Array<[string, string, string]> = [
      ['cluster_name', this.cluster.clusterName, 'GKE cluster name'],
      ['kubeconfig_command', `gcloud container clusters get-credentials ${this.cluster.clusterName} --region ${cloud.primaryRegion} --project ${cloud.projectId} --dns-endpoint`,
        'Writes a kubeconfig entry for the cluster (DNS endpoint)'],
      ['mlflow_url', this.tracking.url, 'MLflow tracking URL inside the cluster (no ingress)'],
      ['mlflow_port_forward_command', this.tracking.portForwardCommand, 'Forwards http://localhost:5000 to MLflow'],
      ['mlflow_admin_password_command', this.tracking.adminPasswordCommand, 'Prints the password of the MLflow admin user'],
      ['mlflow_artifact_bucket', this.tracking.artifactStore.bucketName, 'GCS bucket of MLflow artifacts'],
      ['model_bucket', this.registry.modelStore.bucketName, 'GCS bucket of model versions'],
      ['model_image_repository_url', this.registry.imageRepository.repositoryUrl, 'Artifact Registry repository of serving images'],
    ];
    for (const [name, value, description] of outputs) {
      new TerraformOutput(this, name, { value, description }).overrideLogicalId(name);
    }
  }
}

const RESERVED_CHILD_IDS = ['Gcp', 'Network', 'Cluster', 'Tracking', 'Registry', 'Backups', 'Budget'];

function validatePlatformProps(scope: Construct, props: GcpMlopsPlatformProps): void {
  checkCommonPlatformProps(scope, props, {
    exampleProps: "{ projectId: 'fraud-ml-prod', monthlyBudgetUsd: 25000, alertEmails: ['ml-platform@example.com'] }",
    examplePool: "{ name: 'Gpu', instanceType: 'g2-standard-8' }",
    reservedChildIds: RESERVED_CHILD_IDS,
  });
}

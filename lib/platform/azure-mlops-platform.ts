import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { AksCluster } from '../azure/aks-cluster';
import { AzureCloud, AzurermVersion } from '../azure/azure-cloud';
import { AzureNetworkOptions } from '../azure/azure-network';
import { checkCommonPlatformProps } from './platform-validation';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { requireList } from '../core/validate';
import { BackupPolicy } from '../backup-policy';
import { BudgetAlerts } from '../budget-alerts';
import { ExperimentTracking } from '../experiment-tracking';
import { GpuNodePool } from '../gpu-node-pool';
import { ModelRegistry } from '../model-registry';
import type { PlatformGpuPool } from './aws-mlops-platform';

/** Properties of an {@link AzureMlopsPlatform}. */
export interface AzureMlopsPlatformProps {
  /** Subscription ID (a GUID) to deploy to. */
  readonly subscriptionId: string;
  /**
   * Entra tenant ID.
   *
   * @default - the tenant of the identity running Terraform
   */
  readonly tenantId?: string;
  /** Monthly budget in USD. */
  readonly monthlyBudgetUsd: number;
  /** Addresses that get budget alerts. */
  readonly alertEmails: string[];
  /**
   * GPU pools.
   *
   * @default - one on-demand pool of Standard_NC4as_T4_v3 (1 x T4), 0-4 nodes
   */
  readonly gpuPools?: PlatformGpuPool[];
  /**
   * Public CIDRs `cdktf deploy` runs from: the AKS API server, Key Vault and Blob firewalls admit them (and nothing
   * else). Without them everything is private and the deploy runs inside the VNet.
   *
   * @default - none: private endpoints only
   */
  readonly deployerCidrs?: string[];
  /**
   * Entra group object IDs that administer the cluster.
   *
   * @default - none besides the identity running Terraform
   */
  readonly adminGroupObjectIds?: string[];
  /**
   * The platform network.
   *
   * @default - AzureNetwork defaults (10.60.0.0/16)
   */
  readonly network?: AzureNetworkOptions;
  /**
   * Days model versions are immutable (container immutability policy).
   *
   * @default - no immutability policy
   */
  readonly modelObjectLockDays?: number;
  /**
   * The azurerm major version the stack is written for.
   *
   * @default AzurermVersion.V4
   */
  readonly azurermVersion?: AzurermVersion;
}

/**
 * The reference MLOps platform on Azure: an AzureCloud (provider, resource groups, Key Vaults, the VNet with NAT
 * gateway, private endpoints and private DNS), an AKS cluster (Entra ID + Azure RBAC, KMS etcd, workload identity,
 * Azure CNI overlay with Cilium), and the five cloud-neutral constructs on top (ExperimentTracking, ModelRegistry,
 * GpuNodePool, BackupPolicy, BudgetAlerts), with Terraform outputs for what a user needs after deploy. Construct
 * ids match AwsMlopsPlatform and GcpMlopsPlatform where the part is the same (`Cluster`, `Tracking`, `Registry`,
 * `Backups`, `Budget`); the network is the cloud's (`Azure/Network`).
 *
 * @example
 * new AzureMlopsPlatform(stack, 'Platform', {
 *   subscriptionId: '00000000-0000-0000-0000-000000000000', monthlyBudgetUsd: 25000, alertEmails: ['ml-platform@example.com'],
 * });
 */
export class AzureMlopsPlatform extends Construct {
  /** The cloud (and its network: `cloud.network`). */
  public readonly cloud: AzureCloud;
  /** The AKS cluster. */
  public readonly cluster: AksCluster;
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

  constructor(scope: Construct, id: string, props: AzureMlopsPlatformProps) {
    super(scope, id);
    validatePlatformProps(this, props);
    this.cloud = new AzureCloud(this, 'Azure', {
      subscriptionId: props.subscriptionId, tenantId: props.tenantId, deployerCidrs: props.deployerCidrs, network: props.network,
      azurermVersion: props.azurermVersion,
    });
    const cloud = this.cloud;
    if (cloud.deployerCidrs.length > 0) {
      // The choice of deployer CIDRs opens the storage firewalls to them (default deny otherwise), so Terraform can
      // manage containers from outside the VNet it creates.
      PolicySuppressions.add(this, [{
        id: 'CKV_AZURE_59',
        reason: `Storage accounts keep a public endpoint behind a default-deny firewall that admits only deployerCidrs (${cloud.deployerCidrs.join(', ')}), `
          + 'so cdktf deploy can manage containers from outside the VNet; workloads use the private endpoints. Leave deployerCidrs empty to close it.',
      }]);
    }
    this.cluster = new AksCluster(this, 'Cluster', { cloud, adminGroupObjectIds: props.adminGroupObjectIds });
    this.tracking = new ExperimentTracking(this, 'Tracking', { cluster: this.cluster, cloud });
    this.registry = new ModelRegistry(this, 'Registry', { cloud, objectLockDays: props.modelObjectLockDays });
    this.registry.grantPublish(this.tracking.identity);
    const pools = props.gpuPools ?? [{ name: 'Gpu', instanceType: 'Standard_NC4as_T4_v3' }];
    this.gpuPools = pools.map((pool) => new GpuNodePool(this, pool.name, { ...pool, cluster: this.cluster }));
    this.backups = new BackupPolicy(this, 'Backups', { cloud, cluster: this.cluster });
    this.budget = new BudgetAlerts(this, 'Budget', { cloud, monthlyLimitUsd: props.monthlyBudgetUsd, emails: props.alertEmails });
    const outputs: Array<[string, string, string]> = [
      ['cluster_name', this.cluster.clusterName, 'AKS cluster name'],
      ['kubeconfig_command', `az aks get-credentials --resource-group ${cloud.resourceGroupName()} --name ${this.cluster.clusterName} `
        + '&& kubelogin convert-kubeconfig -l azurecli', 'Writes a kubeconfig entry for the cluster (Entra ID through kubelogin)'],
      ['mlflow_url', this.tracking.url, 'MLflow tracking URL inside the cluster (no ingress)'],
      ['mlflow_port_forward_command', this.tracking.portForwardCommand, 'Forwards http://localhost:5000 to MLflow'],
      ['mlflow_admin_password_command', this.tracking.adminPasswordCommand, 'Prints the password of the MLflow admin user'],
      ['mlflow_artifact_bucket', this.tracking.artifactStore.bucketName, 'Blob container of MLflow artifacts'],
      ['model_bucket', this.registry.modelStore.bucketName, 'Blob container of model versions'],
      ['model_image_repository_url', this.registry.imageRepository.repositoryUrl, 'Azure Container Registry repository of serving images'],
      ['egress_ip', cloud.network.egressIp.ipAddress, 'Public IP the cluster reaches the Internet from (NAT gateway)'],
    ];
    for (const [name, value, description] of outputs) {
      new TerraformOutput(this, name, { value, description }).overrideLogicalId(name);
    }
  }
}

const RESERVED_CHILD_IDS = ['Azure', 'Network', 'Cluster', 'Tracking', 'Registry', 'Backups', 'Budget'];

function validatePlatformProps(scope: Construct, props: AzureMlopsPlatformProps): void {
  checkCommonPlatformProps(scope, props, {
    exampleProps: "{ subscriptionId: '00000000-0000-0000-0000-000000000000', monthlyBudgetUsd: 25000, alertEmails: ['ml-platform@example.com'] }",
    examplePool: "{ name: 'Gpu', instanceType: 'Standard_NC4as_T4_v3' }",
    reservedChildIds: RESERVED_CHILD_IDS,
  });
  requireList(scope, 'deployerCidrs', props.deployerCidrs, { example: "['203.0.113.0/24']" });
}

import { Construct } from 'constructs';
import { AwsCloud } from '../aws/aws-cloud';
import { EksCluster, EndpointAccess } from '../aws/eks-cluster';
import { Vpc } from '../aws/vpc';
import { BackupPolicy } from '../backup-policy';
import { BudgetAlerts } from '../budget-alerts';
import { ExperimentTracking } from '../experiment-tracking';
import { GpuNodePool, GpuNodePoolOptions } from '../gpu-node-pool';
import { ModelRegistry } from '../model-registry';

/** A named GPU pool of the platform. */
export interface PlatformGpuPool extends GpuNodePoolOptions {
  /** Construct ID of the pool: never rename it once deployed (a new ID replaces the node group). */
  readonly name: string;
}

/** Properties of an {@link AwsMlopsPlatform}. */
export interface AwsMlopsPlatformProps {
  /** Monthly budget in USD. */
  readonly monthlyBudgetUsd: number;
  /** Who receives budget and anomaly alerts. */
  readonly alertEmails: string[];
  /**
   * GPU pools.
   *
   * @default - one g6.xlarge pool scaling 0-4 on demand
   */
  readonly gpuPools?: PlatformGpuPool[];
  /**
   * VPC CIDR block.
   *
   * @default '10.40.0.0/16'
   */
  readonly vpcCidr?: string;
  /**
   * Who can reach the Kubernetes API.
   *
   * @default EndpointAccess.private()
   */
  readonly endpointAccess?: EndpointAccess;
  /**
   * IAM role ARNs given cluster-admin.
   *
   * @default - only the identity that creates the cluster
   */
  readonly adminPrincipalArns?: string[];
  /**
   * Object lock days for the model bucket.
   *
   * @default - no object lock
   */
  readonly modelObjectLockDays?: number;
  /**
   * AWS account IDs the stack may deploy to.
   *
   * @default - any
   */
  readonly allowedAccountIds?: string[];
}

/**
 * The reference MLOps platform on AWS, composed from the library's constructs: network, EKS cluster,
 * experiment tracking, model registry, GPU pools, backups and budget alerts. Place it in a PlatformStack,
 * which supplies the cost allocation and recovery objective.
 *
 * @example
 * new AwsMlopsPlatform(stack, 'Platform', { monthlyBudgetUsd: 25000, alertEmails: ['ml-platform@example.com'] });
 */
export class AwsMlopsPlatform extends Construct {
  /** The AWS providers, keys and store factory. */
  public readonly cloud: AwsCloud;
  /** The network. */
  public readonly vpc: Vpc;
  /** The cluster. */
  public readonly cluster: EksCluster;
  /** MLflow tracking. */
  public readonly tracking: ExperimentTracking;
  /** Model store and serving images. */
  public readonly registry: ModelRegistry;
  /** GPU pools, in the order given. */
  public readonly gpuPools: GpuNodePool[];
  /** Backups. */
  public readonly backups: BackupPolicy;
  /** Budget alerts. */
  public readonly budget: BudgetAlerts;

  constructor(scope: Construct, id: string, props: AwsMlopsPlatformProps) {
    super(scope, id);
    this.cloud = new AwsCloud(this, 'Aws', { allowedAccountIds: props.allowedAccountIds });
    const cloud = this.cloud;
    this.vpc = new Vpc(this, 'Network', { cloud, cidrBlock: props.vpcCidr });
    this.cluster = new EksCluster(this, 'Cluster', {
      cloud, vpc: this.vpc, endpointAccess: props.endpointAccess, adminPrincipalArns: props.adminPrincipalArns,
    });
    this.tracking = new ExperimentTracking(this, 'Tracking', { cluster: this.cluster, cloud });
    this.registry = new ModelRegistry(this, 'Registry', { cloud, objectLockDays: props.modelObjectLockDays });
    this.registry.grantPublish(this.tracking.identity);
    const pools = props.gpuPools ?? [{ name: 'Gpu', instanceType: 'g6.xlarge' }];
    this.gpuPools = pools.map((pool) => new GpuNodePool(this, pool.name, { ...pool, cluster: this.cluster }));
    this.backups = new BackupPolicy(this, 'Backups', { cloud, cluster: this.cluster });
    this.budget = new BudgetAlerts(this, 'Budget', { cloud, monthlyLimitUsd: props.monthlyBudgetUsd, emails: props.alertEmails });
  }
}

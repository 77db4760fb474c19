import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from '../core/errors';
import { checkCidr, checkEmails, checkInteger, checkUnique, checkUsdAmount, requireList, requireProps } from '../core/validate';
import { checkAccountId, checkBudgetLimits, checkIamPrincipalArn } from '../aws/aws-catalogs';
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
    validatePlatformProps(this, props);
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
    this.addOutputs();
  }

  /** What a user needs after deploy, as `cdktf output` (names are stable: scripts read them). */
  private addOutputs(): void {
    const outputs: Array<[string, string, string]> = [
      ['cluster_name', this.cluster.clusterName, 'EKS cluster name'],
      ['kubeconfig_command', `aws eks update-kubeconfig --name ${this.cluster.clusterName} --region ${this.cloud.primaryRegion}`, 'Writes a kubeconfig entry for the cluster'],
      ['mlflow_url', this.tracking.url, 'MLflow tracking URL inside the cluster (no ingress)'],
      ['mlflow_port_forward_command', this.tracking.portForwardCommand, 'Forwards http://localhost:5000 to MLflow'],
      ['mlflow_admin_password_command', this.tracking.adminPasswordCommand, 'Prints the password of the MLflow admin user'],
      ['mlflow_artifact_bucket', this.tracking.artifactStore.bucketName, 'S3 bucket of MLflow artifacts'],
      ['model_bucket', this.registry.modelStore.bucketName, 'S3 bucket of model versions'],
      ['model_image_repository_url', this.registry.imageRepository.repositoryUrl, 'ECR repository of serving images'],
    ];
    for (const [name, value, description] of outputs) {
      new TerraformOutput(this, name, { value, description }).overrideLogicalId(name);
    }
  }
}

/** Names of the platform's own children, which a GPU pool cannot take. */
const RESERVED_CHILD_IDS = ['Aws', 'Network', 'Cluster', 'Tracking', 'Registry', 'Backups', 'Budget'];

/** Checks the platform's own props, so errors name the prop the user set rather than an inner construct's. */
function validatePlatformProps(scope: Construct, props: AwsMlopsPlatformProps): void {
  requireProps(scope, props, "{ monthlyBudgetUsd: 25000, alertEmails: ['ml-platform@example.com'] }");
  if (props?.monthlyBudgetUsd === undefined) {
    throw new ValidationError(scope, 'monthlyBudgetUsd', undefined, 'is required', 'Set the monthly budget in USD, e.g. 25000.');
  }
  checkUsdAmount(scope, 'monthlyBudgetUsd', props.monthlyBudgetUsd);
  requireList(scope, 'alertEmails', props.alertEmails, { example: "['ml-platform@example.com']" });
  if (!Array.isArray(props.alertEmails) || props.alertEmails.length === 0) {
    throw new ValidationError(scope, 'alertEmails', props.alertEmails, 'must list at least one address',
      'Add the address of the team that owns the spend.');
  }
  checkEmails(scope, 'alertEmails', props.alertEmails);
  checkUnique(scope, 'alertEmails', props.alertEmails);
  checkBudgetLimits(scope, 'alertEmails', props.alertEmails, 'alertEmails', 0);
  if (props.endpointAccess !== undefined && !(props.endpointAccess instanceof EndpointAccess)) {
    throw new ValidationError(scope, 'endpointAccess', props.endpointAccess,
      'must be an EndpointAccess (a string or plain object would leave the public endpoint open to the internet)',
      "Use EndpointAccess.private() or EndpointAccess.publicAndPrivate(['203.0.113.0/24']).");
  }
  requireList(scope, 'adminPrincipalArns', props.adminPrincipalArns, { example: "['arn:aws:iam::111122223333:role/platform-admins']" });
  (Array.isArray(props.adminPrincipalArns) ? props.adminPrincipalArns : []).forEach((arn, i) => checkIamPrincipalArn(scope, `adminPrincipalArns[${i}]`, arn));
  requireList(scope, 'allowedAccountIds', props.allowedAccountIds, { minLength: 1, example: "['111122223333']" });
  (Array.isArray(props.allowedAccountIds) ? props.allowedAccountIds : []).forEach((id, i) => checkAccountId(scope, `allowedAccountIds[${i}]`, id));
  checkCidr(scope, 'vpcCidr', props.vpcCidr, 16, 20);
  checkInteger(scope, 'modelObjectLockDays', props.modelObjectLockDays, 1, 36500);
  if (props.gpuPools !== undefined && !Array.isArray(props.gpuPools)) {
    throw new ValidationError(scope, 'gpuPools', props.gpuPools, 'must be a list', "Pass e.g. [{ name: 'Gpu', instanceType: 'g6.xlarge' }].");
  }
  const names = new Set<string>();
  (props.gpuPools ?? []).forEach((pool, i) => {
    const name = pool?.name;
    if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9]{0,62}$/.test(name)) {
      throw new ValidationError(scope, `gpuPools[${i}].name`, name, 'must be 1-63 letters or digits, starting with a letter',
        'Name the pool after its use, e.g. "TrainingGpus"; the name becomes part of Terraform addresses, so keep it once deployed.');
    }
    if (RESERVED_CHILD_IDS.includes(name) || names.has(name)) {
      throw new ValidationError(scope, `gpuPools[${i}].name`, name,
        names.has(name) ? 'repeats the name of an earlier pool' : 'is taken by a part of the platform',
        `Give every pool its own name, other than ${RESERVED_CHILD_IDS.join(', ')}.`);
    }
    names.add(name);
  });
}

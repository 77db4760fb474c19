import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from '../core/errors';
import { checkCommonPlatformProps } from './platform-validation';
import { checkCidr, checkEnum, requireList } from '../core/validate';
import { checkAccountId, checkBudgetLimits, checkIamPrincipalArn } from '../aws/aws-catalogs';
import { AuditTrail } from '../aws/audit-trail';
import { AwsCloud } from '../aws/aws-cloud';
import { CloudWatchLogDestination } from '../aws/cloudwatch-log-destination';
import { EksCluster, EndpointAccess } from '../aws/eks-cluster';
import { Autoscaler } from '../aws/karpenter';
import { ThreatDetection } from '../aws/guard-duty';
import { IngressBackend, InternalIngress } from '../aws/internal-ingress';
import { LoadBalancerController } from '../aws/load-balancer-controller';
import { ImageScanType, RegistryScanning } from '../aws/registry-scanning';
import { Vpc } from '../aws/vpc';
import { BackupPolicy } from '../backup-policy';
import { BudgetAlerts } from '../budget-alerts';
import { RedisCache } from '../aws/redis-cache';
import { CostMonitoring } from '../cost-monitoring';
import { ExperimentTracking } from '../experiment-tracking';
import { FeatureStore } from '../feature-store';
import { GpuNodePool, GpuNodePoolOptions } from '../gpu-node-pool';
import { FairGpuScheduling } from '../k8s/kueue';
import { LogShipping } from '../k8s/log-shipping';
import { ModelRegistry } from '../model-registry';
import { ModelServing, PlatformServingOptions } from '../model-serving';
import { Monitoring } from '../monitoring';
import { Pipelines } from '../pipelines';
import { Team } from '../team';
import { PlatformIngressOptions, PlatformTeam } from './platform-options';

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
  /**
   * Metrics, dashboards and alerts (kube-prometheus-stack): GPU use per pool and team, idle GPUs with their cost,
   * nodes, backups, MLflow; alerts go to the platform's alert topic, which `alertEmails` subscribe to.
   *
   * @default true
   */
  readonly monitoring?: boolean;
  /**
   * Cost per team and namespace with OpenCost, on the platform's Prometheus (needs monitoring).
   *
   * @default true
   */
  readonly costMonitoring?: boolean;
  /**
   * Minutes a GPU may sit idle before it alerts.
   *
   * @default 30
   */
  readonly gpuIdleMinutes?: number;
  /**
   * Teams sharing the cluster: each gets a namespace billed to it, quotas, a default-deny network policy, access for
   * its IAM roles and a Kueue queue with its guaranteed GPU shares (Kueue is installed when there is a team).
   *
   * @default - none, and no Kueue
   */
  readonly teams?: PlatformTeam[];
  /**
   * Ship container and node logs to CloudWatch Logs (KMS, a year's retention) with Fluent Bit.
   *
   * @default true
   */
  readonly logShipping?: boolean;
  /**
   * Logs the cluster ships per day, GiB, for the cost estimate.
   *
   * @default 2
   */
  readonly logIngestionGiBPerDay?: number;
  /**
   * A multi-region CloudTrail trail to a locked, replicated bucket.
   *
   * @default true
   */
  readonly auditTrail?: boolean;
  /**
   * How ECR scans images; HIGH and CRITICAL findings go to the alert topic.
   *
   * @default ImageScanType.BASIC_ON_PUSH
   */
  readonly imageScanning?: ImageScanType;
  /**
   * GuardDuty with EKS audit log and runtime monitoring, findings to the alert topic.
   *
   * @default false
   */
  readonly threatDetection?: boolean;
  /**
   * ID of the account's GuardDuty detector in the region (one per account and region), to adopt instead of creating.
   *
   * @default - a detector is created when threatDetection is on
   */
  readonly guardDutyDetectorId?: string;
  /**
   * What scales the GPU pools.
   *
   * @default Autoscaler.CLUSTER_AUTOSCALER
   */
  readonly autoscaler?: Autoscaler;
  /**
   * An internal HTTPS load balancer for MLflow and Grafana (AWS Load Balancer Controller).
   *
   * @default - none: reach them with kubectl port-forward
   */
  readonly ingress?: PlatformIngressOptions;
  /**
   * Argo Workflows: pipelines in the teams' namespaces (or `workflows`), artifacts in their own bucket through pod
   * identity, the workflow archive in the tracking database under its own role.
   *
   * @default false
   */
  readonly pipelines?: boolean;
  /**
   * A Feast feature store: SQL registry in the tracking database, an offline store bucket, and an ElastiCache for
   * Valkey online store (TLS, AUTH token never in state, KMS, Multi-AZ).
   *
   * @default false
   */
  readonly featureStore?: boolean;
  /**
   * Node type of the feature store's online store.
   *
   * @default 'cache.r7g.large'
   */
  readonly featureStoreCacheNodeType?: string;
  /**
   * Model serving with KServe (raw deployment mode by default) and the endpoints it serves from the model registry.
   * cert-manager must run on the cluster first (`certManager`).
   *
   * @default - no model serving
   */
  readonly modelServing?: PlatformServingOptions;
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
  /** Metrics, dashboards and alerts, unless turned off. */
  public readonly monitoring?: Monitoring;
  /** OpenCost, unless turned off. */
  public readonly costMonitoring?: CostMonitoring;
  /** Kueue, when the platform has teams. */
  public readonly gpuScheduling?: FairGpuScheduling;
  /** Teams, in the order given. */
  public readonly teams: Team[] = [];
  /** Log shipping, unless turned off. */
  public readonly logShipping?: LogShipping;
  /** The CloudTrail trail, unless turned off. */
  public readonly auditTrail?: AuditTrail;
  /** ECR image scanning. */
  public readonly imageScanning: RegistryScanning;
  /** GuardDuty, when turned on. */
  public readonly threatDetection?: ThreatDetection;
  /** The internal load balancer, when asked for. */
  public readonly ingress?: InternalIngress;
  /** Argo Workflows, when turned on. */
  public readonly pipelines?: Pipelines;
  /** The feature store, when turned on. */
  public readonly featureStore?: FeatureStore;
  /** KServe and its endpoints, when asked for. */
  public readonly modelServing?: ModelServing;

  constructor(scope: Construct, id: string, props: AwsMlopsPlatformProps) {
    super(scope, id);
    validatePlatformProps(this, props);
    this.cloud = new AwsCloud(this, 'Aws', { allowedAccountIds: props.allowedAccountIds });
    const cloud = this.cloud;
    this.vpc = new Vpc(this, 'Network', { cloud, cidrBlock: props.vpcCidr });
    this.cluster = new EksCluster(this, 'Cluster', {
      cloud, vpc: this.vpc, endpointAccess: props.endpointAccess, adminPrincipalArns: props.adminPrincipalArns, autoscaler: props.autoscaler,
    });
    // Behind the load balancer MLflow sees its public host name. The load balancer's health checks and Prometheus'
    // scrapes of /metrics send the pod IP as Host: MLflow rejects a Host it does not allow (only /health is exempt),
    // so without the VPC pattern every scrape fails and MlflowDown fires for good.
    const podIpHosts = props.ingress !== undefined || (props.monitoring ?? true) ? [vpcHostPattern(props.vpcCidr ?? DEFAULT_VPC_CIDR)] : [];
    const mlflowHosts = [...(props.ingress ? [props.ingress.mlflowHostName] : []), ...podIpHosts];
    this.tracking = new ExperimentTracking(this, 'Tracking', {
      cluster: this.cluster, cloud, extraAllowedHosts: mlflowHosts.length > 0 ? mlflowHosts : undefined,
    });
    this.registry = new ModelRegistry(this, 'Registry', { cloud, objectLockDays: props.modelObjectLockDays });
    this.registry.grantPublish(this.tracking.identity);
    const pools = props.gpuPools ?? [{ name: 'Gpu', instanceType: 'g6.xlarge' }];
    this.gpuPools = pools.map((pool) => new GpuNodePool(this, pool.name, { ...pool, cluster: this.cluster }));
    this.backups = new BackupPolicy(this, 'Backups', { cloud, cluster: this.cluster });
    this.budget = new BudgetAlerts(this, 'Budget', { cloud, monthlyLimitUsd: props.monthlyBudgetUsd, emails: props.alertEmails });

    // Operations around the models. Monitoring comes after the GPU pools, whose prices its idle alerts quote.
    if (props.monitoring ?? true) {
      this.monitoring = new Monitoring(this, 'Monitoring', {
        cluster: this.cluster, cloud, experimentTracking: this.tracking, alertEmails: props.alertEmails,
        monthlyBudgetUsd: props.monthlyBudgetUsd, gpuIdleMinutes: props.gpuIdleMinutes,
      });
      if (props.costMonitoring ?? true) {
        this.costMonitoring = new CostMonitoring(this, 'CostMonitoring', { cluster: this.cluster, monitoring: this.monitoring });
      }
    } else {
      // Without Alertmanager's subscription the security findings would reach nobody.
      props.alertEmails.forEach((email) => cloud.alertTopic().addEmail(email));
    }
    this.addTeams(props.teams ?? [], pools);
    if (props.logShipping ?? true) {
      const logs = new CloudWatchLogDestination(this, 'Logs', { cloud, clusterName: this.cluster.clusterName, ingestionGiBPerDay: props.logIngestionGiBPerDay });
      this.logShipping = new LogShipping(this, 'LogShipping', { cluster: this.cluster, destination: logs });
    }
    if (props.auditTrail ?? true) {
      this.auditTrail = new AuditTrail(this, 'AuditTrail', { cloud });
    }
    this.imageScanning = new RegistryScanning(this, 'ImageScanning', { cloud, scanType: props.imageScanning });
    if (props.threatDetection) {
      this.threatDetection = new ThreatDetection(this, 'ThreatDetection', { cloud, existingDetectorId: props.guardDutyDetectorId });
    }
    if (props.ingress) {
      this.ingress = this.addIngress(props.ingress);
    }

    // The ML lifecycle: pipelines, features, serving.
    if (props.pipelines) {
      this.pipelines = new Pipelines(this, 'Pipelines', {
        cluster: this.cluster, cloud, database: this.tracking.database, monitoring: this.monitoring,
        teams: this.teams.length > 0 ? this.teams : undefined,
        // The EKS Pod Identity agent: workflow pods in team namespaces get their artifact credentials there.
        workflowEgress: [{ cidr: '169.254.170.23/32', port: 80 }],
      });
    }
    if (props.featureStore) {
      const onlineStore = new RedisCache(this, 'FeatureCache', {
        cloud, clients: this.cluster, purpose: 'feast-online', nodeType: props.featureStoreCacheNodeType,
      });
      this.featureStore = new FeatureStore(this, 'FeatureStore', { cluster: this.cluster, cloud, database: this.tracking.database, onlineStore });
    }
    if (props.modelServing) {
      const serving = props.modelServing;
      this.modelServing = new ModelServing(this, 'ModelServing', {
        cluster: this.cluster, certManager: serving.certManager, mode: serving.mode, gateway: serving.gateway, gatewayDomain: serving.gatewayDomain,
      });
      this.modelServing.addNamedEndpoints(this.registry, serving.endpoints ?? [], this.gpuPools, this.teams);
    }
    this.addOutputs();
  }

  /** Kueue and one Team per entry; GPU shares name the platform's pools. */
  private addTeams(teams: PlatformTeam[], pools: PlatformGpuPool[]): void {
    if (teams.length === 0) {
      return;
    }
    // Kueue hands out what the pools hold at full scale: their maxSize (GpuNodePool's default is 4).
    const scheduling = new FairGpuScheduling(this, 'GpuScheduling', {
      cluster: this.cluster, gpuPools: this.gpuPools.map((pool, i) => ({ pool, maxNodes: pools[i].maxSize ?? 4 })),
    });
    (this as { gpuScheduling?: FairGpuScheduling }).gpuScheduling = scheduling;
    teams.forEach((team, t) => {
      const gpuShares = (team.gpuShares ?? []).map((share, i) => {
        const pool = this.gpuPools[pools.findIndex((p) => p.name === share?.pool)];
        if (pool === undefined) {
          throw new ValidationError(this, `teams[${t}].gpuShares[${i}].pool`, share?.pool, 'is not the name of a GPU pool of the platform',
            `Use one of ${pools.map((p) => p.name).join(', ')}.`);
        }
        return { pool, guaranteedGpus: share.guaranteedGpus, borrowingLimitGpus: share.borrowingLimitGpus };
      });
      this.teams.push(new Team(this, `Team-${team.name}`, { ...team, cluster: this.cluster, gpuScheduling: scheduling, gpuShares }));
    });
  }

  /** The load balancer controller and one internal HTTPS load balancer for MLflow (and Grafana). */
  private addIngress(options: PlatformIngressOptions): InternalIngress {
    if (options.grafanaHostName !== undefined && this.monitoring === undefined) {
      throw new ValidationError(this, 'ingress.grafanaHostName', options.grafanaHostName, 'needs monitoring on (Grafana is part of it)',
        'Turn monitoring on, or leave grafanaHostName unset.');
    }
    const controller = new LoadBalancerController(this, 'LoadBalancerController', { cluster: this.cluster });
    const backends: IngressBackend[] = [
      { hostName: options.mlflowHostName, serviceName: this.tracking.serviceName, namespace: this.tracking.namespace, port: this.tracking.servicePort, healthCheckPath: '/health' },
    ];
    const dependsOn = [this.tracking.release.resource];
    if (options.grafanaHostName !== undefined && this.monitoring !== undefined) {
      backends.push({ hostName: options.grafanaHostName, serviceName: this.monitoring.grafanaServiceName, namespace: this.monitoring.namespace, port: 80, healthCheckPath: '/api/health' });
      dependsOn.push(this.monitoring.release.resource);
    }
    return new InternalIngress(this, 'Ingress', {
      controller, certificateArn: options.certificateArn, allowedCidrs: options.allowedCidrs, backends, dependsOn,
    });
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
    if (this.monitoring) {
      outputs.push(
        ['grafana_port_forward_command', this.monitoring.grafanaPortForwardCommand, 'Forwards http://localhost:3000 to Grafana'],
        ['grafana_admin_password_command', this.monitoring.grafanaAdminPasswordCommand, 'Prints the password of the Grafana admin user'],
      );
    }
    if (this.costMonitoring) {
      outputs.push(['opencost_port_forward_command', this.costMonitoring.portForwardCommand, 'Forwards http://localhost:9003 to the OpenCost API']);
    }
    if (this.pipelines) {
      outputs.push(['argo_port_forward_command', this.pipelines.portForwardCommand, 'Forwards https://localhost:2746 to the Argo Server']);
    }
    if (this.featureStore) {
      outputs.push(
        ['feature_server_url', this.featureStore.url, 'Feast feature server URL inside the cluster'],
        ['feature_server_port_forward_command', this.featureStore.portForwardCommand, 'Forwards http://localhost:6566 to the feature server'],
        ['feature_offline_bucket', this.featureStore.offlineStore.bucketName, 'S3 bucket of Feast offline data'],
      );
    }
    for (const [name, value, description] of outputs) {
      new TerraformOutput(this, name, { value, description }).overrideLogicalId(name);
    }
  }
}

/** Names of the platform's own children, which a GPU pool cannot take. */
const RESERVED_CHILD_IDS = ['Aws', 'Network', 'Cluster', 'Tracking', 'Registry', 'Backups', 'Budget', 'Monitoring', 'CostMonitoring',
  'GpuScheduling', 'Logs', 'LogShipping', 'AuditTrail', 'ImageScanning', 'ThreatDetection', 'LoadBalancerController', 'Ingress', 'Pipelines',
  'FeatureCache', 'FeatureStore', 'ModelServing'];
const DEFAULT_VPC_CIDR = '10.40.0.0/16';

/** An fnmatch pattern for the IPv4 addresses of a VPC (at least its first two octets), e.g. `10.40.*`. */
function vpcHostPattern(cidr: string): string {
  return `${cidr.split('.').slice(0, 2).join('.')}.*`;
}

/** Checks the platform's own props, so errors name the prop the user set rather than an inner construct's. */
function validatePlatformProps(scope: Construct, props: AwsMlopsPlatformProps): void {
  checkCommonPlatformProps(scope, props, {
    exampleProps: "{ monthlyBudgetUsd: 25000, alertEmails: ['ml-platform@example.com'] }",
    examplePool: "{ name: 'Gpu', instanceType: 'g6.xlarge' }",
    reservedChildIds: RESERVED_CHILD_IDS,
  });
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
  if (props.costMonitoring === true && props.monitoring === false) {
    throw new ValidationError(scope, 'costMonitoring', true, 'needs monitoring (OpenCost reads its Prometheus)', 'Turn monitoring on, or costMonitoring off.');
  }
  checkEnum(scope, 'imageScanning', props.imageScanning, ImageScanType as any, 'ImageScanType');
  checkEnum(scope, 'autoscaler', props.autoscaler, Autoscaler as any, 'Autoscaler');
  requireList(scope, 'teams', props.teams, { example: "[{ name: 'fraud', gpuShares: [{ pool: 'Gpu', guaranteedGpus: 2 }] }]" });
  if (props.ingress !== undefined && (typeof props.ingress !== 'object' || props.ingress === null)) {
    throw new ValidationError(scope, 'ingress', props.ingress, 'must be an object',
      "Pass { certificateArn, allowedCidrs: ['10.0.0.0/8'], mlflowHostName: 'mlflow.ml.example.com' }.");
  }
}

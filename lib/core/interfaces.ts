import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import type { DataStoreRecord } from './data-store-registry';
import type { RestoreProcedure } from './restore';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { ITerraformDependable } from 'cdktf';
import { IConstruct } from 'constructs';
import { Duration } from './duration';
import type { IGpuCatalog } from './gpu-catalog';

/*
 * Cloud-neutral contracts. The platform constructs (ExperimentTracking, ModelRegistry, ...) depend only on
 * these; lib/aws implements them today, lib/gcp and lib/azure will later.
 */

/** A pod's identity in a cloud: a Kubernetes service account bound to a cloud principal. */
export interface IWorkloadIdentity extends IConstruct {
  /** Namespace of the service account. */
  readonly namespace: string;
  /** Name of the Kubernetes service account the pods run as. */
  readonly serviceAccountName: string;
  /** Identifier of the cloud principal (an IAM role ARN on AWS). */
  readonly principalId: string;
  /**
   * What pods running as this identity must be created after: the binding of the service account and the
   * principal's permissions. Pods started earlier get no credentials (EKS Pod Identity injects them only into
   * pods created after the association) or are denied.
   */
  readonly prerequisites: ITerraformDependable[];
  /**
   * Annotations the Kubernetes service account must carry for the binding to work (GKE Workload Identity:
   * `iam.gke.io/gcp-service-account`). Charts that create the service account set them.
   *
   * @default - none needed (EKS Pod Identity binds by namespace and name)
   */
  readonly serviceAccountAnnotations?: { [key: string]: string };
  /**
   * Labels the pods running as this identity must carry for the binding to work (AKS workload identity:
   * `azure.workload.identity/use: "true"`, which makes the AKS webhook inject the federated token). Charts that
   * run the pods add them to the pod labels.
   *
   * @default - none needed (EKS Pod Identity and GKE Workload Identity need no pod label)
   */
  readonly podLabels?: { [key: string]: string };
}

/** Options for a workload identity. */
export interface WorkloadIdentityOptions {
  /** Namespace of the service account. */
  readonly namespace: string;
  /** Name of the service account. */
  readonly serviceAccountName: string;
}

/** Options for GPU capacity on a cluster, as the cloud-neutral GpuNodePool asks for it. */
export interface GpuNodeGroupOptions {
  /** Instance type, already checked against the GPU catalog. */
  readonly instanceType: string;
  /** Minimum nodes. */
  readonly minSize: number;
  /** Maximum nodes. */
  readonly maxSize: number;
  /** Nodes at creation. */
  readonly desiredSize: number;
  /** Spot (true) or on-demand (false) capacity. */
  readonly spot: boolean;
  /** Root disk size in GiB. */
  readonly diskSizeGiB: number;
  /** Kubernetes labels for the nodes. */
  readonly labels: { [key: string]: string };
  /** True for an ARM64 instance type. */
  readonly arm64: boolean;
  /** GPU model of the instance type, e.g. `L4`. */
  readonly gpuModel: string;
  /**
   * GPUs each node advertises to the scheduler: the physical count, times the time-slicing replicas when the
   * GPUs are shared. An autoscaler scaling from zero must plan with this number, not the physical one.
   */
  readonly advertisedGpusPerNode: number;
  /** Name of the pool, to tell pools apart in cost reports and node names. */
  readonly poolName: string;
  /**
   * ID of an EC2 capacity reservation (or equivalent) to launch into.
   *
   * @default - none
   */
  readonly capacityReservationId?: string;
  /**
   * Time-slicing replicas per GPU, for clouds that share GPUs in the node pool itself (GKE `gpu_sharing_config`).
   *
   * @default - no sharing
   */
  readonly timeSlicingReplicas?: number;
  /**
   * Whether the pool partitions its GPUs with MIG, for clouds that partition in the node pool (GKE
   * `gpu_partition_size`).
   *
   * @default false
   */
  readonly migEnabled?: boolean;
}

/** GPU capacity created by a cluster. */
export interface IGpuNodeGroup extends IConstruct {
  /** Name of the node group. */
  readonly nodeGroupName: string;
}

/** Kubernetes access a team's people get in their own namespace (the built-in aggregated cluster roles). */
export enum NamespaceAccessLevel {
  /** Read most objects (ClusterRole `view`): no secrets. */
  VIEW = 'view',
  /** Create and change workloads (ClusterRole `edit`): no roles or role bindings. */
  EDIT = 'edit',
  /** Everything in the namespace, including role bindings (ClusterRole `admin`). */
  ADMIN = 'admin',
}

/** Options for {@link IKubernetesCluster.grantNamespaceAccess}. */
export interface NamespaceAccessOptions {
  /** Namespace the principals get access to. */
  readonly namespace: string;
  /**
   * Cloud principals that get the access: IAM role ARNs on AWS, Google account or group emails on GCP,
   * Entra object IDs on Azure.
   */
  readonly principals: string[];
  /** What they may do there. */
  readonly accessLevel: NamespaceAccessLevel;
}

/** A Kubernetes cluster the library can install workloads on. */
export interface IKubernetesCluster extends IConstruct {
  /** Name of the cluster. */
  readonly clusterName: string;
  /** Helm provider wired to this cluster. */
  readonly helmProvider: HelmProvider;
  /** Kubernetes provider wired to this cluster. */
  readonly kubernetesProvider: KubernetesProvider;
  /**
   * What must exist before workloads are installed (nodes, DNS): Helm releases and namespaces depend on these,
   * so a first apply does not install charts onto a cluster with no nodes to run them.
   */
  readonly workloadPrerequisites: ITerraformDependable[];
  /**
   * Namespaces that exist on the cluster before this stack: the library adopts (imports) them rather than
   * failing to create them.
   */
  readonly existingNamespaces: string[];
  /** The GPU machine types this cluster's cloud offers: GpuNodePool validates and prices against it. */
  readonly gpuCatalog: IGpuCatalog;
  /** Binds a Kubernetes service account to a cloud principal (EKS Pod Identity on AWS). */
  newWorkloadIdentity(scope: IConstruct, id: string, options: WorkloadIdentityOptions): IWorkloadIdentity;
  /** Adds GPU worker nodes to the cluster. */
  addGpuNodeGroup(scope: IConstruct, id: string, options: GpuNodeGroupOptions): IGpuNodeGroup;
  /**
   * Lets people, as the cloud principals they sign in with, work in one namespace (EKS access entries with a
   * namespace-scoped access policy on AWS; RoleBindings to their Google identities on GKE).
   */
  grantNamespaceAccess(scope: IConstruct, id: string, options: NamespaceAccessOptions): void;
  /**
   * A StorageClass whose volumes are encrypted with the platform's key (an EBS gp3 class with the data key on
   * EKS), created on first call; volume claims of stateful workloads (Prometheus, Alertmanager) name it.
   */
  encryptedStorageClass(): EncryptedStorageClass;
}

/** A StorageClass whose volumes are encrypted with the platform's key. */
export interface EncryptedStorageClass {
  /** Name of the StorageClass. */
  readonly storageClassName: string;
  /** Key of the volume's price per GB-month in the cloud's price catalog, e.g. `ebs:gp3`. */
  readonly priceKey: string;
  /** What the volumes are, for the report, e.g. `EBS gp3, encrypted with the data key`. */
  readonly description: string;
  /** What pods with claims on the class must be created after (the class and its CSI driver). */
  readonly prerequisites: ITerraformDependable[];
}

/** An object store bucket. */
export interface IObjectStore extends IConstruct {
  /** Bucket name. */
  readonly bucketName: string;
  /** Region of the bucket. */
  readonly region: string;
  /** URL to reach objects with, e.g. `s3://bucket`. */
  readonly url: string;
  /**
   * Storage account that holds the bucket, on clouds that have one (an Azure storage account; the bucket is a
   * blob container in it).
   *
   * @default - the cloud has no account level
   */
  readonly accountName?: string;
  /** Lets the identity list and read objects. */
  grantRead(identity: IWorkloadIdentity): void;
  /** Lets the identity list, read, write and delete object versions it writes. */
  grantReadWrite(identity: IWorkloadIdentity): void;
}

/** Options for an object store. */
export interface ObjectStoreOptions {
  /** Purpose, recorded in the report and tags, e.g. `mlflow-artifacts`. */
  readonly purpose: string;
  /**
   * Bucket name. Must be globally unique.
   *
   * @default - generated by Terraform from the purpose
   */
  readonly bucketName?: string;
  /**
   * Replicate every object to a bucket in the DR region (S3 Replication Time Control, 15 minutes).
   *
   * @default - when the stack's RPO is shorter than what the daily backup copies achieve (28+ hours)
   */
  readonly replicateToDrRegion?: boolean;
  /**
   * Object lock retention in days (WORM). Object lock can only be enabled when the bucket is created.
   *
   * @default - no object lock
   */
  readonly objectLockDays?: number;
  /**
   * Create the bucket in the DR region rather than the primary region (for copies of cluster state).
   *
   * @default false
   */
  readonly inDrRegion?: boolean;
  /**
   * Days after which noncurrent object versions expire.
   *
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
}

/** A PostgreSQL database. */
export interface IPostgresDatabase extends IConstruct {
  /** Host name of the database endpoint. */
  readonly host: string;
  /** Port. */
  readonly port: number;
  /** Name of the initial database. */
  readonly databaseName: string;
  /** Master user name: for administrators and the role bootstrap only, never for workloads. */
  readonly username: string;
  /**
   * Creates a least-privilege login role for an application, owning the listed databases (created when
   * missing), with a password generated once and kept by the cloud's secret service, never in Terraform state
   * or Helm values. The credentials are synced into a Kubernetes secret of the application's namespace by a
   * secret store scoped to that namespace. The password has letters and digits only, so it survives shell,
   * `sed`, URL and `configparser` substitution, and it does not rotate on its own (pods read it once at start).
   */
  addApplicationRole(scope: IConstruct, id: string, options: ApplicationRoleOptions): ApplicationRoleCredentials;
}

/** Options for {@link IPostgresDatabase.addApplicationRole}. */
export interface ApplicationRoleOptions {
  /** Cluster the application runs on. */
  readonly cluster: IKubernetesCluster;
  /** Namespace of the application; the credentials secret is written there. */
  readonly namespace: string;
  /** Role name: a lower-case PostgreSQL identifier. */
  readonly roleName: string;
  /** Databases the role owns, created when missing. */
  readonly databases: string[];
  /** Name of the Kubernetes secret to write (keys `username` and `password`). */
  readonly secretName: string;
  /**
   * What the credentials sync must wait for (e.g. the namespace).
   *
   * @default - nothing
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Where an application role's credentials are, and when they are usable. */
export interface ApplicationRoleCredentials {
  /** Kubernetes secret with the credentials. */
  readonly secretName: string;
  /** Key of the user name in the secret. */
  readonly usernameKey: string;
  /** Key of the password in the secret. */
  readonly passwordKey: string;
  /** What pods using the credentials must be created after: the role exists and the secret is synced. */
  readonly prerequisites: ITerraformDependable[];
}

/** Options for a PostgreSQL database. */
export interface PostgresDatabaseOptions {
  /** Purpose, recorded in the report. */
  readonly purpose: string;
  /** Name of the initial database. */
  readonly databaseName: string;
  /** Cluster whose workloads connect to the database (its network is the only one allowed in). */
  readonly clients: IKubernetesCluster;
  /**
   * Instance class.
   *
   * @default 'db.m7g.large'
   */
  readonly instanceClass?: string;
  /**
   * Allocated storage in GiB.
   *
   * @default 50
   */
  readonly allocatedStorageGiB?: number;
  /**
   * Maximum storage in GiB the database may grow to on its own.
   *
   * @default 500
   */
  readonly maxAllocatedStorageGiB?: number;
  /**
   * PostgreSQL major version.
   *
   * @default '17'
   */
  readonly engineVersion?: string;
}

/** A container image repository. */
export interface IContainerRepository extends IConstruct {
  /** Repository name. */
  readonly repositoryName: string;
  /** URL to push and pull images. */
  readonly repositoryUrl: string;
  /** Lets the identity pull images. */
  grantPull(identity: IWorkloadIdentity): void;
  /** Lets the identity push and pull images. */
  grantPush(identity: IWorkloadIdentity): void;
}

/** Options for a container repository. */
export interface ContainerRepositoryOptions {
  /** Repository name: lower case, 2-256 characters, may contain `/`, `-`, `_` and `.`. */
  readonly repositoryName: string;
  /**
   * Number of untagged-image days to keep before the lifecycle policy expires them.
   *
   * @default 14
   */
  readonly untaggedImageExpiryDays?: number;
  /**
   * Number of tagged images to keep.
   *
   * @default 500
   */
  readonly maxImageCount?: number;
}

/** Options for the cloud's backup service. */
export interface BackupPlanOptions {
  /** Hours between snapshots. */
  readonly snapshotIntervalHours: number;
  /** Cron expression for the snapshot rule. */
  readonly snapshotSchedule: string;
  /** Minutes a backup job may wait to start. */
  readonly startWindowMinutes: number;
  /** Minutes a started backup job has to complete. */
  readonly completionWindowMinutes: number;
  /** Retention of recovery points. */
  readonly retention: Duration;
  /** Region the recovery points are copied to. */
  readonly copyRegion: string;
  /** Identifiers (ARNs on AWS) of the stores to protect. */
  readonly resourceIds: string[];
  /**
   * Lock the vaults in compliance mode after this many days of grace (no one can delete recovery points
   * early, not even the account root). Governance mode when unset.
   *
   * @default - governance mode
   */
  readonly complianceLockAfterDays?: number;
}

/** A backup plan created by the cloud. */
export interface IBackupPlan extends IConstruct {
  /** Name of the backup mechanism, e.g. `AWS Backup`, for the report. */
  readonly mechanism: string;
  /**
   * How a store's copy in the DR region is restored from this plan's recovery points (restore kind, steps with
   * the plan's vault and role), or undefined when the plan cannot say.
   */
  restoreProcedure(store: DataStoreRecord): RestoreProcedure | undefined;
}

/** Where cluster-state backups (Velero) go. */
export interface ClusterBackupLocation {
  /** Velero provider name, e.g. `aws`. */
  readonly provider: string;
  /** Velero plugin image for that provider. */
  readonly pluginImage: string;
  /** Bucket that holds the backups. */
  readonly bucket: IObjectStore;
  /** Provider-specific configuration for the backup storage location. */
  readonly config: { [key: string]: string };
  /** Grants the Velero server's identity access to the location. */
  readonly grantee: IBackupLocationAccess;
}

/** Lets Velero's identity use a backup location. */
export interface IBackupLocationAccess {
  /** Grants read and write on the location to the identity. */
  grantReadWrite(identity: IWorkloadIdentity): void;
}

/** Options for a monthly cost budget. */
export interface CostBudgetOptions {
  /** Monthly limit in USD. */
  readonly monthlyLimitUsd: number;
  /** Percentages of the limit at which actual spend alerts. */
  readonly actualThresholdsPercent: number[];
  /** Percentages of the limit at which forecast spend alerts. */
  readonly forecastThresholdsPercent: number[];
  /** Email addresses to alert. */
  readonly emails: string[];
  /** Cost allocation tag key the budget and anomaly monitor filter on. */
  readonly filterTagKey: string;
  /** Value of that tag. */
  readonly filterTagValue: string;
  /** Every cost allocation tag key the stack sets; the report says how to activate them in billing. */
  readonly tagKeys: string[];
  /** Alert on a cost anomaly whose total impact is at least this many USD. */
  readonly anomalyThresholdUsd: number;
}

/** Which logs of a cluster a log shipper sends. */
export enum LogSource {
  /** Standard output and error of every container (`/var/log/containers` on each node). */
  CONTAINERS = 'containers',
  /** Node services from the systemd journal: kubelet and containerd. */
  NODES = 'nodes',
}

/**
 * Where a cluster's logs go: the cloud's log service (CloudWatch Logs on AWS), encrypted with the platform's
 * key and retained for a set time. A log shipper (LogShipping: Fluent Bit) runs on every node and writes to it
 * as a workload identity allowed to write there and nowhere else.
 */
export interface ILogDestination extends IConstruct {
  /** One line for the platform report, e.g. `CloudWatch Logs groups ..., KMS, 365 days`. */
  readonly description: string;
  /** What the shipper's pods must start after (the log groups exist, so nothing is auto-created unencrypted). */
  readonly prerequisites: ITerraformDependable[];
  /**
   * A Fluent Bit `[OUTPUT]` section (classic configuration format) sending records whose tag matches `match`
   * to the place kept for `source`. It contains no `{{`, since the chart renders its configuration as a template.
   */
  fluentBitOutput(source: LogSource, match: string): string;
  /** Lets the identity write log records to the destination, and only to it. */
  grantWrite(identity: IWorkloadIdentity): void;
}

/** The cloud a platform runs in: the factory of every cloud-specific store and service. */
export interface ICloudServices extends IConstruct {
  /** Short name of the cloud, e.g. `aws`. */
  readonly cloudName: string;
  /** Primary region. */
  readonly primaryRegion: string;
  /** Disaster-recovery region. */
  readonly drRegion: string;
  /** Creates an encrypted, private, versioned object store. */
  newObjectStore(scope: IConstruct, id: string, options: ObjectStoreOptions): IObjectStore;
  /** Creates a managed, encrypted, highly available PostgreSQL database. */
  newPostgresDatabase(scope: IConstruct, id: string, options: PostgresDatabaseOptions): IPostgresDatabase;
  /** Creates an encrypted, immutable container repository. */
  newContainerRepository(scope: IConstruct, id: string, options: ContainerRepositoryOptions): IContainerRepository;
  /** Creates a locked backup vault and plan with copies to another region. */
  newBackupPlan(scope: IConstruct, id: string, options: BackupPlanOptions): IBackupPlan;
  /** Creates a budget, its alerts and anomaly detection. */
  newCostBudget(scope: IConstruct, id: string, options: CostBudgetOptions): void;
  /** Creates the bucket and settings Velero backs cluster state up to (in the DR region). */
  newClusterBackupLocation(scope: IConstruct, id: string): ClusterBackupLocation;
  /**
   * Throws a ValidationError when the database instance class (or tier) is not one this cloud's managed
   * PostgreSQL offers. Unset and unresolved values pass.
   */
  checkDatabaseInstanceClass(scope: IConstruct, prop: string, instanceClass?: string): void;
  /**
   * Throws a ValidationError when the cloud's budget service cannot send this many notifications or to this many
   * addresses.
   */
  checkBudgetNotifications(scope: IConstruct, emailsProp: string, emails: string[], thresholdsProp: string, notificationCount: number): void;
  /**
   * The platform's alert destination (the cloud's notification topic, e.g. the KMS-encrypted SNS alert topic on
   * AWS) with the given subscribers, for Alertmanager to send to.
   */
  newAlertDestination(scope: IConstruct, id: string, options: AlertDestinationOptions): IAlertDestination;
}

/** Options for {@link ICloudServices.newAlertDestination}. */
export interface AlertDestinationOptions {
  /**
   * Email addresses subscribed to the destination (each confirms by mail).
   *
   * @default - none
   */
  readonly emails?: string[];
}

/** Settings of an Alertmanager receiver that sends to an {@link IAlertDestination}. */
export interface AlertmanagerReceiverConfig {
  /** Receiver fields other than `name`, in Alertmanager's configuration format (e.g. `sns_configs`). */
  readonly receiver: { [key: string]: any };
  /** What Alertmanager pods must be created after (the identity's permission to send). */
  readonly prerequisites: ITerraformDependable[];
}

/**
 * Where the platform's alerts go: a notification channel of the cloud (an SNS topic on AWS, a Pub/Sub topic or
 * notification channel on GCP, an action group on Azure). Alertmanager sends to it as a workload identity.
 */
export interface IAlertDestination extends IConstruct {
  /** What the destination is, for the report. */
  readonly description: string;
  /**
   * Lets pods running as `identity` send to the destination and returns the Alertmanager receiver that does,
   * authenticating as that identity (no stored credentials).
   */
  bindAlertmanager(identity: IWorkloadIdentity): AlertmanagerReceiverConfig;
}

/** Options for {@link IKeyValueCache.addClient}. */
export interface KeyValueCacheClientOptions {
  /** Cluster the client runs on. */
  readonly cluster: IKubernetesCluster;
  /** Namespace of the client; the secret with the cache's password is written there. */
  readonly namespace: string;
  /** Name of the Kubernetes secret to write (key `password`). */
  readonly secretName: string;
  /**
   * What the secret sync must wait for (e.g. the namespace).
   *
   * @default - nothing
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Where a cache client's password is, and when it works. */
export interface KeyValueCacheCredentials {
  /** Kubernetes secret with the password. */
  readonly secretName: string;
  /** Key of the password in the secret (letters and digits only). */
  readonly passwordKey: string;
  /** What pods using the password must be created after: the secret is synced and the cache requires it. */
  readonly prerequisites: ITerraformDependable[];
}

/**
 * A managed key-value cache speaking the Redis protocol (ElastiCache for Valkey on AWS), reached over TLS with a
 * password that never enters Terraform state or Helm values. Clients in the cluster get the password through a
 * secret synced into their namespace.
 */
export interface IKeyValueCache extends IConstruct {
  /** Host name of the primary endpoint. */
  readonly host: string;
  /** Port. */
  readonly port: number;
  /** Whether clients must connect with TLS. */
  readonly tls: boolean;
  /** Memory of the cache in GiB (what a full re-load writes). */
  readonly memoryGiB: number;
  /** One line for the report, e.g. `ElastiCache for Valkey 8.0, cache.r7g.large x2, Multi-AZ`. */
  readonly description: string;
  /** Copies the cache's password into a Kubernetes secret of the client's namespace. */
  addClient(scope: IConstruct, id: string, options: KeyValueCacheClientOptions): KeyValueCacheCredentials;
}

import type { DataGoogleStorageTransferProjectServiceAccount } from '@cdktf/provider-google/lib/data-google-storage-transfer-project-service-account';
import type { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import type { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import type { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import type { StorageTransferJob } from '@cdktf/provider-google/lib/storage-transfer-job';
import { ITerraformDependable, Token } from 'cdktf';
import * as crypto from 'crypto';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { DataStoreKind } from '../core/data-store-registry';
import { Duration } from '../core/duration';
import { DeploymentPhase } from '../core/platform-report';
import { ValidationError } from '../core/errors';
import { IObjectStore, IWorkloadIdentity, ObjectStoreOptions } from '../core/interfaces';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { RestoreKind, RestoreProcedure } from '../core/restore';
import { checkInteger, checkPattern, claimUnique, slugify } from '../core/validate';
import type { GcpCloud } from './gcp-cloud';
import { GcpKeyPurpose, GcpRegionRole } from './gcp-cloud';
import { loadGoogle } from './google-bindings';
import { GoogleServiceAgent } from './google-service-agents';

/**
 * Minutes this library budgets for Storage Transfer Service cross-bucket replication. Google documents no bound
 * (most objects replicate within minutes of the write, objects over 1 GiB can take hours); check the job's
 * operations in your project, and raise the stack's RPO if it does not hold.
 */
const REPLICATION_BUDGET_MINUTES = 60;

/** Days soft-deleted objects stay restorable (the default 7 days of Cloud Storage, set explicitly). */
const SOFT_DELETE_DAYS = 7;

/** Properties of a {@link GcsBucket}. */
export interface GcsBucketProps extends ObjectStoreOptions {
  /** The cloud (provider, keys, project). */
  readonly cloud: GcpCloud;
  /**
   * Record the bucket in the stack's data-store registry so the DR proof must cover it.
   *
   * @default - true, except for buckets in the DR region and access-log buckets
   */
  readonly register?: boolean;
  /**
   * This is an access-log bucket: it receives the usage logs of the other buckets of its region and does not
   * log to itself.
   *
   * @default false
   */
  readonly isAccessLogBucket?: boolean;
}

/**
 * A Cloud Storage bucket that is private (uniform bucket-level access, public access prevention enforced),
 * encrypted with the platform's regional CMEK (the Cloud Storage service agent is granted the key first),
 * versioned with noncurrent versions expiring, soft-delete protected, access-logged to a log bucket of its region,
 * labelled, never force-destroyed; optionally under a retention policy (`objectLockDays`) and replicated to a
 * bucket in the DR region.
 *
 * The DR copy is a Storage Transfer Service replication job (event-driven cross-bucket replication) into a bucket
 * of the DR region with its own regional key, rather than a dual-region bucket: it works for any pair of regions
 * (dual-regions only pair regions of one continent), keeps each copy under a key of its own region, and leaves an
 * independent bucket that a mistake on the primary (a deleted bucket, a changed key) does not reach.
 *
 * @example
 * const bucket = new GcsBucket(this, 'Datasets', { cloud, purpose: 'datasets' });
 * bucket.grantRead(identity);
 */
export class GcsBucket extends Construct implements IObjectStore {
  /** Minutes budgeted for a replicated object to reach the DR region (the copy RPO the registry records); Google states no bound. */
  public static readonly REPLICATION_BUDGET_MINUTES = REPLICATION_BUDGET_MINUTES;

  /** The bucket of a region that receives usage (access) logs, created on first use under the cloud. */
  public static accessLogBucket(cloud: GcpCloud, region: GcpRegionRole): GcsBucket {
    const dr = region === GcpRegionRole.DR;
    const id = dr ? 'DrAccessLogs' : 'PrimaryAccessLogs';
    const existing = cloud.node.tryFindChild(id);
    return (existing as GcsBucket) ?? new GcsBucket(cloud, id, { cloud, purpose: 'access-logs', inDrRegion: dr, isAccessLogBucket: true });
  }

  /** The bucket. */
  public readonly resource: StorageBucket;
  /** Bucket name. */
  public readonly bucketName: string;
  /** Region of the bucket. */
  public readonly region: string;
  /** `gs://` URL of the bucket. */
  public readonly url: string;
  /** CMEK key ID of the bucket. */
  public readonly encryptionKeyId: string;
  /** The replica in the DR region, when replication is on. */
  public readonly replica?: GcsBucket;
  /** The Storage Transfer Service replication job, when replication is on. */
  public readonly replicationJob?: StorageTransferJob;
  private readonly cloud: GcpCloud;
  private readonly grants = new Map<string, StorageBucketIamMember>();

  constructor(scope: Construct, id: string, props: GcsBucketProps) {
    super(scope, id);
    const cloud = this.cloud = props.cloud;
    const regionRole = props.inDrRegion ? GcpRegionRole.DR : GcpRegionRole.PRIMARY;
    this.region = cloud.regionName(regionRole);
    checkPattern(this, 'bucketName', props.bucketName, /^(?=.{3,63}$)[a-z0-9][a-z0-9_-]*[a-z0-9]$/,
      '3-63 lower-case letters, digits, "-" and "_", starting and ending with a letter or digit (no dots: dotted names need domain verification)');
    if (props.bucketName !== undefined && !Token.isUnresolved(props.bucketName) && props.bucketName.startsWith('goog')) {
      throw new ValidationError(this, 'bucketName', props.bucketName, 'starts with "goog", which Cloud Storage reserves', 'Choose another name.');
    }
    checkInteger(this, 'objectLockDays', props.objectLockDays, 1, 36500);
    checkInteger(this, 'noncurrentVersionExpirationDays', props.noncurrentVersionExpirationDays, 1, 36500);
    const name = props.bucketName ?? generatedName(cloud, props.purpose, regionRole, this.node.path);
    // Bucket names are global: a second bucket of the same name fails the apply.
    claimUnique(this, 'bucketName', name, 'Cloud Storage bucket', name,
      'Give each bucket its own name, or leave bucketName unset to let the library derive one.');

    const provider = cloud.provider;
    const key = cloud.key(GcpKeyPurpose.DATA, regionRole);
    this.encryptionKeyId = key.keyId;
    // Cloud Storage checks the key when the bucket is created: its service agent must hold the key role first.
    const keyGrant = key.grantToServiceAgent(GoogleServiceAgent.STORAGE);
    addServiceAgentStep(cloud);
    const locked = props.objectLockDays !== undefined;
    const versioned = !locked;
    const logBucket = props.isAccessLogBucket ? undefined : GcsBucket.accessLogBucket(cloud, regionRole);
    const lifecycleRule: any[] = [{
      action: { type: 'AbortIncompleteMultipartUpload' },
      condition: { age: 7 },
    }];
    if (versioned) {
      lifecycleRule.push({
        action: { type: 'Delete' },
        condition: { daysSinceNoncurrentTime: props.noncurrentVersionExpirationDays ?? (props.isAccessLogBucket ? 30 : 90), withState: 'ARCHIVED' },
      });
    }
    if (props.isAccessLogBucket) {
      lifecycleRule.push({ action: { type: 'Delete' }, condition: { age: 365, withState: 'LIVE' } });
    }

    const { StorageBucket: Bucket } = loadGoogle<typeof import('@cdktf/provider-google/lib/storage-bucket')>('storage-bucket');
    this.resource = new Bucket(this, 'Resource', {
      provider,
      project: cloud.projectId,
      name,
      location: this.region.toUpperCase(),
      storageClass: 'STANDARD',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      versioning: { enabled: versioned },
      encryption: { defaultKmsKeyName: key.keyId },
      softDeletePolicy: { retentionDurationSeconds: SOFT_DELETE_DAYS * 86400 },
      retentionPolicy: locked ? { retentionPeriod: props.objectLockDays! * 86400, isLocked: false } : undefined,
      logging: logBucket ? { logBucket: logBucket.bucketName, logObjectPrefix: `${slugify(props.purpose)}/` } : undefined,
      lifecycleRule,
      labels: { purpose: labelValue(props.purpose) },
      forceDestroy: false,
      dependsOn: [keyGrant],
    });
    this.bucketName = this.resource.name;
    this.url = `gs://${this.bucketName}`;

    if (props.isAccessLogBucket) {
      // Cloud Storage writes usage logs as this Google group.
      this.addMember('LogWriter', 'roles/storage.objectCreator', 'group:cloud-storage-analytics@google.com');
      PolicySuppressions.add(this, [
        { id: 'CKV_GCP_62', reason: 'This is the access-log bucket of its region: logging it would log its own log writes.' },
      ]);
    }
    if (locked) {
      PolicySuppressions.add(this, [{
        id: 'CKV_GCP_78',
        reason: `Cloud Storage does not allow versioning on a bucket with a retention policy; the ${props.objectLockDays}-day retention ` +
          'policy keeps every object from being deleted or overwritten, which is what versioning would protect.',
      }]);
    }

    const stack = cloud.stack;
    const storedGiB = stack.usage.objectStorageGiBPerBucket;
    stack.addCostLine({
      component: this.node.path, resource: `Cloud Storage Standard storage (${props.purpose})`, region: this.region, unit: CostUnit.GB_MONTH,
      baselineQuantity: storedGiB, fullScaleQuantity: storedGiB, priceKey: 'gcs:standard',
      assumption: `usageAssumptions.objectStorageGiBPerBucket = ${storedGiB} GiB (noncurrent versions and ${SOFT_DELETE_DAYS} days of soft-deleted objects included); operations not counted`,
    });
    const registered = props.register ?? (!props.isAccessLogBucket && !props.inDrRegion);
    if (registered) {
      stack.dataStores.register({
        path: this.node.path, kind: DataStoreKind.OBJECT_STORE, purpose: props.purpose, resourceId: this.resource.selfLink,
        region: this.region, backupServiceEligible: false,
      });
    }
    const replicate = props.replicateToDrRegion ?? (registered && regionRole === GcpRegionRole.PRIMARY);
    if (replicate) {
      if (regionRole === GcpRegionRole.DR) {
        throw new ValidationError(this, 'replicateToDrRegion', true, 'cannot be set on a bucket that is already in the DR region',
          'Replicate a primary-region bucket instead.');
      }
      const replica = this.replica = new GcsBucket(this, 'Replica', {
        cloud, purpose: `${props.purpose}-replica`, inDrRegion: true, register: false,
        noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays, objectLockDays: props.objectLockDays,
      });
      this.replicationJob = this.replicateTo(replica, props.purpose);
      const replicatedGiB = stack.usage.replicatedGiBPerBucketPerMonth;
      stack.addCostLine({
        component: this.node.path, resource: `replication transfer to ${cloud.drRegion} (${props.purpose})`, region: this.region, unit: CostUnit.GB,
        baselineQuantity: replicatedGiB, fullScaleQuantity: replicatedGiB, priceKey: 'gcs:inter-region-transfer',
        assumption: `usageAssumptions.replicatedGiBPerBucketPerMonth = ${replicatedGiB} GiB written a month; Storage Transfer Service ` +
          'charges nothing for Cloud Storage to Cloud Storage transfers, the network egress between regions is billed',
      });
      if (registered) {
        const budget = Duration.minutes(REPLICATION_BUDGET_MINUTES);
        stack.dataStores.protect(this.node.path, {
          mechanism: 'Storage Transfer Service cross-bucket replication', rpo: budget, copyRegion: cloud.drRegion, copyRpo: budget,
          retention: stack.recoveryObjective.retention, restore: replicaRestore(cloud, props.purpose, this.bucketName, replica),
        });
      }
    }
  }

  /** Lets the identity's Google service account list and read objects (`roles/storage.objectViewer`). */
  public grantRead(identity: IWorkloadIdentity): void {
    this.grant(identity, 'roles/storage.objectViewer', 'Read');
  }

  /** Lets the identity's Google service account list, read, write and delete objects (`roles/storage.objectUser`). */
  public grantReadWrite(identity: IWorkloadIdentity): void {
    this.grant(identity, 'roles/storage.objectUser', 'ReadWrite');
  }

  private grant(identity: IWorkloadIdentity, role: string, what: string): void {
    const email = identity?.principalId;
    if (typeof email !== 'string' || email === '') {
      throw new ValidationError(this, 'identity', identity?.node?.path ?? identity, 'has no Google service account email (principalId)',
        'Pass a workload identity of a GKE cluster (GkeCluster.newWorkloadIdentity), whose principalId is its Google service account email.');
    }
    // The service account reads objects through Cloud Storage, which decrypts with its own key grant.
    const member = this.addMember(`${what}-${identity.node.addr.slice(0, 12)}`, role, `serviceAccount:${email}`);
    addPrerequisite(identity, member);
  }

  private addMember(id: string, role: string, member: string): StorageBucketIamMember {
    let grant = this.grants.get(id);
    if (!grant) {
      const { StorageBucketIamMember: Member } = loadGoogle<typeof import('@cdktf/provider-google/lib/storage-bucket-iam-member')>('storage-bucket-iam-member');
      grant = new Member(this, id, { provider: this.cloud.provider, bucket: this.bucketName, role, member });
      this.grants.set(id, grant);
    }
    return grant;
  }

  /**
   * Event-driven cross-bucket replication of every new or changed object into the replica. Deletions are not
   * replicated (the replica keeps what the primary loses). The Storage Transfer Service agent needs the buckets
   * (it sets up the source bucket's Pub/Sub notification) and Pub/Sub in the project.
   */
  private replicateTo(replica: GcsBucket, purpose: string): StorageTransferJob {
    const cloud = this.cloud;
    const provider = cloud.provider;
    const { DataGoogleStorageTransferProjectServiceAccount: Agent } =
      loadGoogle<typeof import('@cdktf/provider-google/lib/data-google-storage-transfer-project-service-account')>('data-google-storage-transfer-project-service-account');
    const agent = transferAgent(cloud, Agent);
    const member = `serviceAccount:${agent.email}`;
    const grants: ITerraformDependable[] = [
      this.addMember('TransferSource', 'roles/storage.admin', member),
      replica.addMember('TransferSink', 'roles/storage.admin', member),
      ...transferPubSubGrants(cloud, agent),
    ];
    const { StorageTransferJob: Job } = loadGoogle<typeof import('@cdktf/provider-google/lib/storage-transfer-job')>('storage-transfer-job');
    return new Job(this, 'Replication', {
      provider,
      project: cloud.projectId,
      description: `Replicate ${purpose} to ${cloud.drRegion}`.slice(0, 1024),
      replicationSpec: {
        gcsDataSource: { bucketName: this.bucketName },
        gcsDataSink: { bucketName: replica.bucketName },
        transferOptions: {
          deleteObjectsUniqueInSink: false, overwriteWhen: 'DIFFERENT',
          // Copies take the replica's default key (the DR key): a source object's key lives in the primary region, which
          // the replica cannot use and a regional disaster would take away.
          metadataOptions: { kmsKey: 'KMS_KEY_DESTINATION_BUCKET_DEFAULT' },
        },
      },
      dependsOn: grants,
    });
  }
}

/** The Storage Transfer Service agent of the project (one data source per cloud). */
function transferAgent(cloud: GcpCloud, Agent: typeof DataGoogleStorageTransferProjectServiceAccount): DataGoogleStorageTransferProjectServiceAccount {
  const existing = cloud.node.tryFindChild('StorageTransferAgent');
  return (existing as DataGoogleStorageTransferProjectServiceAccount)
    ?? new Agent(cloud, 'StorageTransferAgent', { provider: cloud.provider, project: cloud.projectId });
}

/**
 * Pub/Sub rights replication needs (once per cloud): the Storage Transfer Service agent creates the topic and
 * subscription a replication job listens to, and the Cloud Storage agent publishes the source bucket's change
 * notifications to it.
 */
function transferPubSubGrants(cloud: GcpCloud, agent: DataGoogleStorageTransferProjectServiceAccount): ProjectIamMember[] {
  const existing = cloud.node.tryFindChild('StorageTransferPubSub');
  if (existing) {
    return [existing as ProjectIamMember, cloud.node.findChild('StoragePubSubPublisher') as ProjectIamMember];
  }
  const { ProjectIamMember: Member } = loadGoogle<typeof import('@cdktf/provider-google/lib/project-iam-member')>('project-iam-member');
  const editor = new Member(cloud, 'StorageTransferPubSub', {
    provider: cloud.provider, project: cloud.projectId, role: 'roles/pubsub.editor', member: `serviceAccount:${agent.email}`,
  });
  PolicySuppressions.add(editor, [{
    id: 'CKV_GCP_42',
    reason: 'The Storage Transfer Service agent creates the Pub/Sub topic and subscription that event-driven cross-bucket replication listens to; ' +
      'Google documents Pub/Sub Editor on the project for it, and the member is Google\'s service agent, not a workload.',
  }]);
  const publisher = new Member(cloud, 'StoragePubSubPublisher', {
    provider: cloud.provider, project: cloud.projectId, role: 'roles/pubsub.publisher',
    member: `serviceAccount:${cloud.serviceAgent(GoogleServiceAgent.STORAGE)}`,
  });
  return [editor, publisher];
}

/** Makes pods running as the identity wait for a grant, when the identity lets them. */
function addPrerequisite(identity: IWorkloadIdentity, dependable: ITerraformDependable): void {
  const candidate = identity as any;
  if (typeof candidate.addPrerequisite === 'function') {
    candidate.addPrerequisite(dependable);
  } else if (Array.isArray(candidate.prerequisites) && !Object.isFrozen(candidate.prerequisites)) {
    candidate.prerequisites.push(dependable);
  }
}

/** How a replicated bucket comes back: the replica in the DR region holds the objects; clients move to it. */
function replicaRestore(cloud: GcpCloud, purpose: string, bucketName: string, replica: GcsBucket): RestoreProcedure {
  const dr = cloud.drRegion;
  return {
    kind: RestoreKind.REPLICA,
    summary: `re-point clients to the replica bucket in ${dr}`,
    prerequisites: [
      `The replica of the \`${purpose}\` bucket in \`${dr}\` (encrypted with the DR data key), which holds every object replicated ` +
      `before the loss (Storage Transfer Service replicates within minutes; ${REPLICATION_BUDGET_MINUTES} minutes are budgeted).`,
    ],
    steps: [{
      title: `Check the replica of \`${purpose}\` in ${dr}`,
      detail: 'Objects written shortly before the loss may be missing. The replica is a writable bucket: only the replication job stops.',
      lookups: { SOURCE_BUCKET: bucketName, REPLICA_BUCKET: replica.bucketName },
      commands: [
        'gcloud storage buckets describe "gs://$REPLICA_BUCKET" --format="value(location)"',
        'gcloud storage ls --long "gs://$REPLICA_BUCKET/**" | tail -n 5',
      ],
    }],
    endpointCommand: 'echo "$REPLICA_BUCKET"',
  };
}

/**
 * Records (once per stack) the operator step that creates the Google service agents the platform grants its keys
 * to: most agents only exist after their first use, and an IAM grant to a missing agent fails the apply.
 */
export function addServiceAgentStep(cloud: GcpCloud): void {
  const project = cloud.projectId;
  cloud.stack.addDeploymentStep({
    phase: DeploymentPhase.BEFORE_DEPLOY,
    title: 'Create the Google service agents that use the platform keys',
    detail: 'Cloud Storage, Cloud SQL, Artifact Registry, Secret Manager, Backup for GKE and Pub/Sub encrypt with the platform\'s keys through their ' +
      'service agents, which the stack grants the key role before it creates their resources. Google creates most agents only on first use; ' +
      'create them once per project (after enabling the APIs) so the grants find them.',
    command: [
      `gcloud storage service-agent --project ${project}`,
      ...['sqladmin', 'artifactregistry', 'secretmanager', 'gkebackup', 'pubsub']
        .map((api) => `gcloud beta services identity create --service=${api}.googleapis.com --project ${project}`),
    ].join('\n'),
  });
}

/** A label value: lower-case letters, digits, `-` and `_`, at most 63 characters. */
export function labelValue(text: string): string {
  if (Token.isUnresolved(text)) {
    return text;
  }
  return text.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').slice(0, 63);
}

/** A deterministic, globally unique-enough bucket name (63 characters at most). */
function generatedName(cloud: GcpCloud, purpose: string, region: GcpRegionRole, path: string): string {
  const project = Token.isUnresolved(cloud.projectId) ? '' : cloud.projectId;
  const hash = crypto.createHash('sha256').update(`${project}/${path}`).digest('hex').slice(0, 8);
  const suffix = `${region === GcpRegionRole.DR ? '-dr' : ''}-${hash}`;
  const base = slugify(`${cloud.namePrefix}-${purpose}`).replace(/^goog/, 'g-oog');
  return `${base.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

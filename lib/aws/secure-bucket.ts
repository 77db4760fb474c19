import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { BackupSchedule } from '../core/backup-schedule';
import { DataStoreKind } from '../core/data-store-registry';
import { RestoreKind, RestoreProcedure } from '../core/restore';
import { Duration } from '../core/duration';
import { CostUnit } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import { IObjectStore, IWorkloadIdentity } from '../core/interfaces';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { checkBucketName, checkEnum, checkInteger, claimUnique, slugify } from '../core/validate';
import type { AwsCloud } from './aws-cloud';
import { AwsRegionRole, KeyPurpose } from './aws-cloud';
import { asAwsGrantee } from './grantee';
import { policyDocument, serviceTrustPolicy } from './iam-policy';

/** Properties of a {@link SecureBucket}. */
export interface SecureBucketProps {
  /** The cloud (providers, keys, access-log buckets). */
  readonly cloud: AwsCloud;
  /** What the bucket holds, e.g. `mlflow-artifacts`: used in the name prefix and the report. */
  readonly purpose: string;
  /**
   * Globally unique bucket name.
   *
   * @default - Terraform generates one from `<project>-<environment>-<purpose>-`
   */
  readonly bucketName?: string;
  /**
   * Region the bucket lives in.
   *
   * @default AwsRegionRole.PRIMARY
   */
  readonly region?: AwsRegionRole;
  /**
   * Replicate every object to a bucket in the DR region (S3 Replication Time Control, 15 minutes).
   *
   * @default - when the stack's RPO is shorter than what the daily backup copies achieve (28+ hours)
   */
  readonly replicateToDrRegion?: boolean;
  /**
   * Object lock default retention (governance mode) in days. Object lock can only be enabled at creation.
   *
   * @default - no object lock
   */
  readonly objectLockDays?: number;
  /**
   * Days after which noncurrent versions expire.
   *
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Record the bucket in the stack's data-store registry so backups must cover it.
   *
   * @default true
   */
  readonly register?: boolean;
  /**
   * This is an access-log bucket: S3 log delivery only writes to SSE-S3 buckets, and a bucket cannot log to
   * itself, so those two rules are suppressed with that reason.
   *
   * @default false
   */
  readonly isAccessLogBucket?: boolean;
}

/**
 * An S3 bucket that is private, encrypted with a customer-managed key, versioned, TLS-only, owner-enforced,
 * access-logged, and cleans up incomplete uploads; optionally object-locked and replicated to the DR region.
 * It is never force-destroyed.
 *
 * @example
 * const bucket = new SecureBucket(this, 'Datasets', { cloud, purpose: 'datasets', replicateToDrRegion: true });
 */
export class SecureBucket extends Construct implements IObjectStore {
  /** The bucket. */
  public readonly resource: S3Bucket;
  /** Bucket name. */
  public readonly bucketName: string;
  /** Bucket ARN. */
  public readonly bucketArn: string;
  /** Region name. */
  public readonly region: string;
  /** `s3://` URL of the bucket. */
  public readonly url: string;
  /** The key that encrypts objects (undefined for access-log buckets, which use SSE-S3). */
  public readonly encryptionKeyArn?: string;
  /** The replica in the DR region, when replication is on. */
  public readonly replica?: SecureBucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const cloud = props.cloud;
    const regionRole = props.region ?? AwsRegionRole.PRIMARY;
    checkEnum(this, 'region', props.region, AwsRegionRole, 'AwsRegionRole');
    const provider = cloud.providerFor(regionRole);
    this.region = cloud.regionName(regionRole);
    checkBucketName(this, 'bucketName', props.bucketName);
    // Bucket names are global: a second bucket of the same name in the stack fails the apply.
    claimUnique(this, 'bucketName', props.bucketName, 'S3 bucket', props.bucketName ?? '',
      'Give each bucket its own name, or leave bucketName unset to let Terraform generate one.');
    checkInteger(this, 'objectLockDays', props.objectLockDays, 1, 36500);
    checkInteger(this, 'noncurrentVersionExpirationDays', props.noncurrentVersionExpirationDays, 1, 36500);

    this.resource = new S3Bucket(this, 'Resource', {
      provider,
      bucket: props.bucketName,
      bucketPrefix: props.bucketName ? undefined : bucketPrefix(cloud.namePrefix, props.purpose, regionRole),
      objectLockEnabled: props.objectLockDays !== undefined ? true : undefined,
      forceDestroy: false,
      tags: { purpose: props.purpose },
    });
    this.bucketName = this.resource.bucket;
    this.bucketArn = this.resource.arn;
    this.url = `s3://${this.bucketName}`;
    const bucket = this.resource.id;

    new S3BucketPublicAccessBlock(this, 'PublicAccessBlock', {
      provider, bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'Ownership', { provider, bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    const versioning = new S3BucketVersioningA(this, 'Versioning', { provider, bucket, versioningConfiguration: { status: 'Enabled' } });
    if (props.isAccessLogBucket) {
      new S3BucketServerSideEncryptionConfigurationA(this, 'Encryption', {
        provider, bucket, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
      });
      PolicySuppressions.add(this, [
        { id: 'CKV_AWS_145', reason: 'S3 server access log delivery only supports SSE-S3 target buckets, not SSE-KMS.' },
        { id: 'CKV_AWS_18', reason: 'This is the access-log bucket: logging it to itself would loop.' },
      ]);
    } else {
      this.encryptionKeyArn = cloud.key(KeyPurpose.DATA, regionRole).keyArn;
      new S3BucketServerSideEncryptionConfigurationA(this, 'Encryption', {
        provider, bucket,
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.encryptionKeyArn }, bucketKeyEnabled: true }],
      });
      new S3BucketLoggingA(this, 'AccessLogging', {
        provider, bucket, targetBucket: cloud.accessLogBucket(regionRole).bucketName, targetPrefix: `${props.purpose}/`,
      });
    }
    new S3BucketLifecycleConfiguration(this, 'Lifecycle', {
      provider, bucket, dependsOn: [versioning],
      rule: [{
        id: 'abort-incomplete-uploads-and-expire-old-versions',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? (props.isAccessLogBucket ? 30 : 90) }],
        ...(props.isAccessLogBucket ? { expiration: [{ days: 365 }] } : {}),
      }],
    });
    new S3BucketPolicy(this, 'Policy', { provider, bucket, policy: this.bucketPolicy(cloud, props.isAccessLogBucket === true) });
    if (props.objectLockDays !== undefined) {
      new S3BucketObjectLockConfigurationA(this, 'ObjectLock', {
        provider, bucket, rule: { defaultRetention: { mode: 'GOVERNANCE', days: props.objectLockDays } },
      });
    }

    const registered = props.register ?? !props.isAccessLogBucket;
    const stack = cloud.stack;
    const storedGiB = stack.usage.objectStorageGiBPerBucket;
    stack.addCostLine({
      component: this.node.path, resource: `S3 Standard storage (${props.purpose})`, region: this.region, unit: CostUnit.GB_MONTH,
      baselineQuantity: storedGiB, fullScaleQuantity: storedGiB, priceKey: 's3:standard',
      assumption: `usageAssumptions.objectStorageGiBPerBucket = ${storedGiB} GiB (noncurrent versions included); requests not counted`,
    });
    if (registered) {
      stack.dataStores.register({
        path: this.node.path, kind: DataStoreKind.OBJECT_STORE, purpose: props.purpose, resourceId: this.bucketArn,
        region: this.region, backupServiceEligible: true,
      });
    }
    // A primary-region store of a stack whose RPO is shorter than backup copies achieve replicates on its own.
    const replicate = props.replicateToDrRegion
      ?? (registered && regionRole === AwsRegionRole.PRIMARY && BackupSchedule.forRpo(cloud.stack.recoveryObjective.rpo).needsContinuousCopies);
    if (replicate) {
      if (regionRole === AwsRegionRole.DR) {
        throw new ValidationError(this, 'replicateToDrRegion', true, 'cannot be set on a bucket that is already in the DR region',
          'Replicate a primary-region bucket instead.');
      }
      this.replica = this.replicate(cloud, props, versioning);
      const replicatedGiB = stack.usage.replicatedGiBPerBucketPerMonth;
      for (const [resource, priceKey] of [['replication transfer to the DR region', 's3:inter-region-transfer'], ['Replication Time Control', 's3:replication-time-control']]) {
        stack.addCostLine({
          component: this.node.path, resource: `${resource} (${props.purpose})`, region: this.region, unit: CostUnit.GB,
          baselineQuantity: replicatedGiB, fullScaleQuantity: replicatedGiB, priceKey,
          assumption: `usageAssumptions.replicatedGiBPerBucketPerMonth = ${replicatedGiB} GiB written a month`,
        });
      }
      if (registered) {
        const ro = stack.recoveryObjective;
        stack.dataStores.protect(this.node.path, {
          mechanism: 'S3 cross-region replication (RTC 15 min)',
          rpo: Duration.minutes(15), copyRegion: cloud.drRegion, copyRpo: Duration.minutes(15), retention: ro.retention,
          restore: replicaRestore(cloud.drRegion, props.purpose, this.bucketName, this.replica),
        });
      }
    }
    PolicySuppressions.add(this, [{
      id: 'CKV2_AWS_62', reason: 'Nothing in the platform consumes this bucket\'s object events, so a notification would have no destination.',
    }]);
    if (!replicate) {
      PolicySuppressions.add(this, [{
        id: 'CKV_AWS_144',
        reason: props.isAccessLogBucket ? 'Access logs stay in the region they describe: each region has its own access-log bucket.'
          : regionRole === AwsRegionRole.DR ? 'This bucket is in the DR region already, so it is not replicated again.'
            : 'The recovery objective is met without S3 replication (AWS Backup copies it to the DR region); set replicateToDrRegion to replicate.',
      }]);
    }
  }

  public grantRead(identity: IWorkloadIdentity): void {
    this.grant(identity, ['s3:GetObject', 's3:GetObjectVersion'], false);
  }

  public grantReadWrite(identity: IWorkloadIdentity): void {
    this.grant(identity, ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], true);
  }

  private grant(identity: IWorkloadIdentity, objectActions: string[], write: boolean): void {
    const grantee = asAwsGrantee(this, 'identity', identity);
    grantee.addToPrincipalPolicy({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [this.bucketArn] });
    grantee.addToPrincipalPolicy({ actions: objectActions, resources: [`${this.bucketArn}/*`] });
    if (this.encryptionKeyArn) {
      grantee.addToPrincipalPolicy({
        actions: write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
        resources: [this.encryptionKeyArn],
      });
    }
  }

  private bucketPolicy(cloud: AwsCloud, isAccessLogBucket: boolean): string {
    const statements: any[] = [{
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [this.bucketArn, `${this.bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }];
    if (isAccessLogBucket) {
      statements.push({
        Sid: 'AllowS3ServerAccessLogDelivery',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `${this.bucketArn}/*`,
        Condition: { StringEquals: { 'aws:SourceAccount': cloud.accountId } },
      });
    }
    return JSON.stringify({ Version: '2012-10-17', Statement: statements });
  }

  private replicate(cloud: AwsCloud, props: SecureBucketProps, versioning: S3BucketVersioningA): SecureBucket {
    const replica = new SecureBucket(this, 'Replica', {
      cloud, purpose: `${props.purpose}-replica`, region: AwsRegionRole.DR, register: false,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays,
      // Locked objects only replicate into a bucket that has object lock too.
      objectLockDays: props.objectLockDays,
    });
    const role = new IamRole(this, 'ReplicationRole', {
      provider: cloud.provider,
      namePrefix: 's3-replication-',
      assumeRolePolicy: serviceTrustPolicy(['s3.amazonaws.com']),
    });
    new IamRolePolicy(this, 'ReplicationPolicy', {
      provider: cloud.provider,
      role: role.id,
      policy: policyDocument([
        { actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [this.bucketArn] },
        {
          // Object-locked versions replicate only when S3 may read their retention and legal hold.
          actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging',
            ...(props.objectLockDays !== undefined ? ['s3:GetObjectRetention', 's3:GetObjectLegalHold'] : [])],
          resources: [`${this.bucketArn}/*`],
        },
        { actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], resources: [`${replica.bucketArn}/*`] },
        { actions: ['kms:Decrypt'], resources: [this.encryptionKeyArn!] },
        { actions: ['kms:Encrypt', 'kms:GenerateDataKey'], resources: [replica.encryptionKeyArn!] },
      ]),
    });
    new S3BucketReplicationConfigurationA(this, 'Replication', {
      provider: cloud.provider,
      bucket: this.resource.id,
      role: role.arn,
      dependsOn: [versioning],
      rule: [{
        id: 'replicate-everything-to-dr-region',
        status: 'Enabled',
        filter: { prefix: '' },
        deleteMarkerReplication: { status: 'Enabled' },
        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
        destination: {
          bucket: replica.bucketArn,
          encryptionConfiguration: { replicaKmsKeyId: replica.encryptionKeyArn! },
          replicationTime: { status: 'Enabled', time: { minutes: 15 } },
          metrics: { status: 'Enabled', eventThreshold: { minutes: 15 } },
        },
      }],
    });
    return replica;
  }
}

/** How a replicated bucket comes back: its replica in the DR region already holds the objects; clients move to it. */
function replicaRestore(drRegion: string, purpose: string, bucketName: string, replica: SecureBucket): RestoreProcedure {
  return {
    kind: RestoreKind.REPLICA,
    summary: `re-point clients to the replica bucket in ${drRegion}`,
    prerequisites: [
      `The replica of the \`${purpose}\` bucket in \`${drRegion}\` (versioned, encrypted with the DR data key), which holds every object replicated up to 15 minutes before the loss.`,
    ],
    steps: [{
      title: `Check the replica of \`${purpose}\` in ${drRegion}`,
      detail: 'Objects still pending replication when the primary region was lost are missing (at most 15 minutes of writes). ' +
        'The replica needs no promotion: it is a writable bucket; only the replication from the lost bucket stops.',
      lookups: { SOURCE_BUCKET: bucketName, REPLICA_BUCKET: replica.bucketName },
      commands: [
        `aws s3api head-bucket --region ${drRegion} --bucket "$REPLICA_BUCKET"`,
        `aws s3api list-object-versions --region ${drRegion} --bucket "$REPLICA_BUCKET" --max-items 5 --query 'Versions[].[Key,LastModified]' --output text`,
      ],
    }],
    endpointCommand: 'echo "$REPLICA_BUCKET"',
  };
}

/** A bucket_prefix (at most 37 characters) from the name prefix and purpose. */
function bucketPrefix(namePrefix: string, purpose: string, region: AwsRegionRole): string {
  const suffix = region === AwsRegionRole.DR ? '-dr' : '';
  const raw = slugify(`${namePrefix}-${purpose}`);
  return `${raw.slice(0, 36 - suffix.length).replace(/-+$/, '')}${suffix}-`;
}

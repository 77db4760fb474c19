import { AwsCloud, AwsRegionRole } from '../../lib/aws/aws-cloud';
import { PodIdentity } from '../../lib/aws/pod-identity';
import { SecureBucket } from '../../lib/aws/secure-bucket';
import { BackupPolicy } from '../../lib/backup-policy';
import { Duration } from '../../lib/core/duration';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import {
  SynthResult, expectValidationError, leaves, newStack, refTo, resourceAt, resourcesOfType, synthStack,
} from '../helpers';

const bucketPath = (p: string) => `test/${p}/Resource`;
const sub = (type: string, owner: string, id: string) => (json: any) => resourceAt(json, type, `test/${owner}/${id}`);

describe('SecureBucket', () => {
  let out: SynthResult;
  let json: any;
  beforeAll(() => {
    // An RPO the daily backup copies meet (30 h or more), so only the buckets that ask for it replicate.
    const stack = newStack({ recoveryObjective: RecoveryObjective.of({ rpo: Duration.hours(48), rto: Duration.hours(48), drRegion: 'us-west-2' }) });
    const cloud = new AwsCloud(stack, 'Aws');
    new BackupPolicy(stack, 'Backups', { cloud });
    const data = new SecureBucket(stack, 'Data', { cloud, purpose: 'datasets', bucketName: 'acme-datasets-prod' });
    const replicated = new SecureBucket(stack, 'Replicated', { cloud, purpose: 'models', replicateToDrRegion: true });
    new SecureBucket(stack, 'Locked', { cloud, purpose: 'audit', objectLockDays: 30, noncurrentVersionExpirationDays: 400, replicateToDrRegion: true });
    const reader = new PodIdentity(stack, 'Reader', { cloud, clusterName: 'c', namespace: 'serving', serviceAccountName: 'reader' });
    const writer = new PodIdentity(stack, 'Writer', { cloud, clusterName: 'c', namespace: 'training', serviceAccountName: 'writer' });
    data.grantRead(reader);
    replicated.grantReadWrite(writer);
    expect(data.region).toBe('us-east-1');
    expect(replicated.replica!.region).toBe('us-west-2');
    expect(data.replica).toBeUndefined();
    out = synthStack(stack);
    json = out.json;
  });

  test('the bucket is named as asked, tagged with its purpose and never force-destroyed', () => {
    const bucket = resourceAt(json, 'aws_s3_bucket', bucketPath('Data'));
    expect(bucket).toMatchObject({ bucket: 'acme-datasets-prod', force_destroy: false, provider: 'aws', tags: { purpose: 'datasets' } });
    expect(bucket.bucket_prefix).toBeUndefined();
    expect(bucket.object_lock_enabled).toBeUndefined();
    expect(resourceAt(json, 'aws_s3_bucket', bucketPath('Replicated')).bucket_prefix).toBe('fraud-prod-models-');
    expect(leaves(json).filter(([k, v]) => k.endsWith('force_destroy') && v !== false)).toEqual([]);
  });

  test('SSE-KMS with the primary data key and a bucket key', () => {
    const sse = sub('aws_s3_bucket_server_side_encryption_configuration', 'Data', 'Encryption')(json);
    expect(sse.bucket).toBe(refTo(json, 'aws_s3_bucket', bucketPath('Data'), 'id'));
    expect(sse.rule).toEqual([{
      apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource', 'arn') },
      bucket_key_enabled: true,
    }]);
  });

  test('versioning is Enabled', () => {
    const versioning = sub('aws_s3_bucket_versioning', 'Data', 'Versioning')(json);
    expect(versioning.versioning_configuration).toEqual({ status: 'Enabled' });
    expect(versioning.bucket).toBe(refTo(json, 'aws_s3_bucket', bucketPath('Data'), 'id'));
  });

  test('all four public access block flags are on', () => {
    const pab = sub('aws_s3_bucket_public_access_block', 'Data', 'PublicAccessBlock')(json);
    expect(pab).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(resourcesOfType(json, 'aws_s3_bucket_public_access_block')).toHaveLength(resourcesOfType(json, 'aws_s3_bucket').length);
  });

  test('object ownership is BucketOwnerEnforced (ACLs off)', () => {
    expect(sub('aws_s3_bucket_ownership_controls', 'Data', 'Ownership')(json).rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  test('lifecycle aborts incomplete uploads and expires old versions, after versioning', () => {
    const lifecycle = sub('aws_s3_bucket_lifecycle_configuration', 'Data', 'Lifecycle')(json);
    expect(lifecycle.rule).toHaveLength(1);
    expect(lifecycle.rule[0]).toMatchObject({
      status: 'Enabled', filter: [{ prefix: '' }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      noncurrent_version_expiration: [{ noncurrent_days: 90 }],
    });
    expect(lifecycle.rule[0].expiration).toBeUndefined();
    expect(lifecycle.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\./)]);
    expect(sub('aws_s3_bucket_lifecycle_configuration', 'Locked', 'Lifecycle')(json).rule[0].noncurrent_version_expiration)
      .toEqual([{ noncurrent_days: 400 }]);
  });

  test('the bucket policy denies every request without TLS', () => {
    const policy = JSON.parse(sub('aws_s3_bucket_policy', 'Data', 'Policy')(json).policy);
    const arn = refTo(json, 'aws_s3_bucket', bucketPath('Data'), 'arn');
    expect(policy.Statement).toEqual([{
      Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, `${arn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }]);
  });

  test('server access logs go to the primary access-log bucket under the purpose prefix', () => {
    const logging = sub('aws_s3_bucket_logging', 'Data', 'AccessLogging')(json);
    expect(logging.target_bucket).toBe(refTo(json, 'aws_s3_bucket', 'test/Aws/PrimaryAccessLogs/Resource', 'bucket'));
    expect(logging.target_prefix).toBe('datasets/');
    expect(logging.provider).toBe('aws');
  });

  test('the access-log bucket uses SSE-S3, expires logs, admits log delivery, and its suppressions are reported', () => {
    const logs = resourceAt(json, 'aws_s3_bucket', 'test/Aws/PrimaryAccessLogs/Resource');
    expect(logs).toMatchObject({ bucket_prefix: 'fraud-prod-access-logs-', force_destroy: false, tags: { purpose: 'access-logs' } });
    const sse = resourceAt(json, 'aws_s3_bucket_server_side_encryption_configuration', 'test/Aws/PrimaryAccessLogs/Encryption');
    expect(sse.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
    expect(resourceAt(json, 'aws_s3_bucket_lifecycle_configuration', 'test/Aws/PrimaryAccessLogs/Lifecycle').rule[0].expiration).toEqual([{ days: 365 }]);
    const policy = JSON.parse(resourceAt(json, 'aws_s3_bucket_policy', 'test/Aws/PrimaryAccessLogs/Policy').policy);
    expect(policy.Statement.map((s: any) => s.Sid)).toEqual(['DenyInsecureTransport', 'AllowS3ServerAccessLogDelivery']);
    expect(policy.Statement[1].Principal).toEqual({ Service: 'logging.s3.amazonaws.com' });
    expect(resourcesOfType(json, 'aws_s3_bucket_logging').filter((l) => l['//'].metadata.path.includes('AccessLogs/'))).toEqual([]);
    const suppressed = out.report.policy.findings.filter((f: any) => f.constructPath === 'test/Aws/PrimaryAccessLogs/Resource');
    expect(suppressed.map((f: any) => f.ruleId).sort()).toEqual(['CKV2_AWS_62', 'CKV_AWS_144', 'CKV_AWS_145', 'CKV_AWS_18']);
    expect(suppressed.every((f: any) => f.suppressedBecause.length >= 10)).toBe(true);
    expect(out.report.policy.errors).toBe(0);
  });

  test('replication creates a replica in the DR provider alias with its own key and logs', () => {
    const replica = resourceAt(json, 'aws_s3_bucket', 'test/Replicated/Replica/Resource');
    expect(replica).toMatchObject({ provider: 'aws.dr', bucket_prefix: 'fraud-prod-models-replica-dr-', force_destroy: false, tags: { purpose: 'models-replica' } });
    for (const type of ['aws_s3_bucket_versioning', 'aws_s3_bucket_public_access_block', 'aws_s3_bucket_ownership_controls', 'aws_s3_bucket_policy',
      'aws_s3_bucket_lifecycle_configuration', 'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_logging']) {
      const replicaChild = resourcesOfType(json, type).filter((r) => r['//'].metadata.path.startsWith('test/Replicated/Replica/'));
      expect(replicaChild).toHaveLength(1);
      expect(replicaChild[0].provider).toBe('aws.dr');
    }
    const sse = resourceAt(json, 'aws_s3_bucket_server_side_encryption_configuration', 'test/Replicated/Replica/Encryption');
    const drKey = refTo(json, 'aws_kms_key', 'test/Aws/DrDataKey/Resource', 'arn');
    expect(sse.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe(drKey);
    expect(resourceAt(json, 'aws_kms_key', 'test/Aws/DrDataKey/Resource').provider).toBe('aws.dr');
    expect(resourceAt(json, 'aws_s3_bucket_logging', 'test/Replicated/Replica/AccessLogging').target_bucket)
      .toBe(refTo(json, 'aws_s3_bucket', 'test/Aws/DrAccessLogs/Resource', 'bucket'));
  });

  test('a replication configuration replicates everything to the replica with RTC', () => {
    const configs = resourcesOfType(json, 'aws_s3_bucket_replication_configuration');
    expect(configs.map((c) => c['//'].metadata.path).sort()).toEqual(['test/Locked/Replication', 'test/Replicated/Replication']);
    const config = resourceAt(json, 'aws_s3_bucket_replication_configuration', 'test/Replicated/Replication');
    expect(config.provider).toBe('aws');
    expect(config.bucket).toBe(refTo(json, 'aws_s3_bucket', bucketPath('Replicated'), 'id'));
    expect(config.role).toBe(refTo(json, 'aws_iam_role', 'test/Replicated/ReplicationRole', 'arn'));
    expect(config.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\.Replicated_Versioning/)]);
    expect(config.rule).toEqual([expect.objectContaining({
      status: 'Enabled',
      filter: { prefix: '' },
      delete_marker_replication: { status: 'Enabled' },
      source_selection_criteria: { sse_kms_encrypted_objects: { status: 'Enabled' } },
      destination: {
        bucket: refTo(json, 'aws_s3_bucket', 'test/Replicated/Replica/Resource', 'arn'),
        encryption_configuration: { replica_kms_key_id: refTo(json, 'aws_kms_key', 'test/Aws/DrDataKey/Resource', 'arn') },
        replication_time: { status: 'Enabled', time: { minutes: 15 } },
        metrics: { status: 'Enabled', event_threshold: { minutes: 15 } },
      },
    })]);
  });

  test('the replication role may read the source, write the replica and use both keys', () => {
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Replicated/ReplicationPolicy').policy);
    const replicaArn = refTo(json, 'aws_s3_bucket', 'test/Replicated/Replica/Resource', 'arn');
    expect(policy.Statement).toContainEqual({ Effect: 'Allow', Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], Resource: `${replicaArn}/*` });
    expect(policy.Statement).toContainEqual({ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey'], Resource: refTo(json, 'aws_kms_key', 'test/Aws/DrDataKey/Resource', 'arn') });
    expect(policy.Statement).toContainEqual({ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource', 'arn') });
    const trust = JSON.parse(resourceAt(json, 'aws_iam_role', 'test/Replicated/ReplicationRole').assume_role_policy);
    expect(trust.Statement[0].Principal).toEqual({ Service: 's3.amazonaws.com' });
    const sourceArn = refTo(json, 'aws_s3_bucket', bucketPath('Replicated'), 'arn');
    expect(policy.Statement).toContainEqual({
      Effect: 'Allow', Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'], Resource: `${sourceArn}/*`,
    });
  });

  test('an object-locked bucket\'s replication may also read retention and legal hold (without them locked versions never replicate)', () => {
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Locked/ReplicationPolicy').policy);
    const sourceArn = refTo(json, 'aws_s3_bucket', bucketPath('Locked'), 'arn');
    expect(policy.Statement).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging', 's3:GetObjectRetention', 's3:GetObjectLegalHold'],
      Resource: `${sourceArn}/*`,
    });
  });

  test('registered buckets and their protections appear in the report; replicas and log buckets do not', () => {
    const stores = out.report.dataStores;
    expect(stores.map((s: any) => s.path)).toEqual(['test/Data', 'test/Replicated', 'test/Locked']);
    const replicated = stores.find((s: any) => s.path === 'test/Replicated');
    expect(replicated.protections).toContainEqual({
      mechanism: 'S3 cross-region replication (RTC 15 min)', rpoMinutes: 15, copyRegion: 'us-west-2', copyRpoMinutes: 15, retentionDays: 35,
    });
    for (const store of stores) {
      expect(store).toMatchObject({ kind: 'OBJECT_STORE', region: 'us-east-1' });
      expect(store.protections).toContainEqual(expect.objectContaining({ mechanism: 'AWS Backup', copyRegion: 'us-west-2' }));
    }
  });

  test('object lock is enabled on the bucket with a governance default retention', () => {
    expect(resourceAt(json, 'aws_s3_bucket', bucketPath('Locked')).object_lock_enabled).toBe(true);
    const lock = resourceAt(json, 'aws_s3_bucket_object_lock_configuration', 'test/Locked/ObjectLock');
    expect(lock.rule).toEqual({ default_retention: { mode: 'GOVERNANCE', days: 30 } });
    expect(lock.bucket).toBe(refTo(json, 'aws_s3_bucket', bucketPath('Locked'), 'id'));
    // The replica of a locked bucket is locked the same way, in the DR region.
    expect(resourceAt(json, 'aws_s3_bucket_object_lock_configuration', 'test/Locked/Replica/ObjectLock'))
      .toMatchObject({ provider: 'aws.dr', rule: { default_retention: { mode: 'GOVERNANCE', days: 30 } } });
    expect(resourcesOfType(json, 'aws_s3_bucket_object_lock_configuration')).toHaveLength(2);
  });

  test('grantRead gives list and read on the bucket and decrypt on its key', () => {
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Reader/Policy').policy);
    const arn = refTo(json, 'aws_s3_bucket', bucketPath('Data'), 'arn');
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: arn },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: `${arn}/*` },
      { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource', 'arn') },
    ]);
  });

  test('grantReadWrite adds write, delete and data key generation', () => {
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Writer/Policy').policy);
    const arn = refTo(json, 'aws_s3_bucket', bucketPath('Replicated'), 'arn');
    expect(policy.Statement[1]).toEqual({
      Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], Resource: `${arn}/*`,
    });
    expect(policy.Statement[2].Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });
});

describe('SecureBucket replication by default', () => {
  test('at a 1 h RPO (shorter than the 30 h of the daily backup copies) a primary-region bucket replicates to the DR region unasked', () => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    const bucket = new SecureBucket(stack, 'Data', { cloud, purpose: 'datasets' });
    const inDr = new SecureBucket(stack, 'InDr', { cloud, purpose: 'dr-only', region: AwsRegionRole.DR });
    const optedOut = new SecureBucket(stack, 'OptedOut', { cloud, purpose: 'scratch', replicateToDrRegion: false });
    expect(bucket.replica?.region).toBe('us-west-2');
    expect(inDr.replica).toBeUndefined();
    expect(optedOut.replica).toBeUndefined();
  });

  test('the access-log buckets never replicate', () => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    new SecureBucket(stack, 'Data', { cloud, purpose: 'datasets' });
    const { json } = synthStack(stack);
    expect(resourcesOfType(json, 'aws_s3_bucket_replication_configuration').map((c) => c['//'].metadata.path)).toEqual(['test/Data/Replication']);
  });
});

describe('SecureBucket validation', () => {
  function setup() {
    const stack = newStack();
    return { stack, cloud: new AwsCloud(stack, 'Aws') };
  }

  test.each([
    'Bad_Name', 'UPPER', 'ab', 'a'.repeat(64), '192.168.1.1', 'xn--bucket', 'sthree-bucket', 'my..bucket', '-leading', 'trailing-',
    'bucket-s3alias', 'bucket--ol-s3', 'has space',
  ])('bucket name %p is rejected', (bucketName) => {
    const { stack, cloud } = setup();
    const error = expectValidationError(() => new SecureBucket(stack, 'Bad', { cloud, purpose: 'x', bucketName }), 'test/Bad', 'bucketName',
      /is not a valid bucket name: 3-63 lower-case letters, digits, "\." or "-"/);
    expect(error.message).toContain(`(got ${JSON.stringify(bucketName)})`);
  });

  test.each(['abc', 'acme.ml-artifacts.prod', 'a'.repeat(63), '1bucket'])('bucket name %p is accepted', (bucketName) => {
    const { stack, cloud } = setup();
    expect(new SecureBucket(stack, 'Good', { cloud, purpose: 'x', bucketName }).node.path).toBe('test/Good');
  });

  test.each([0, -1, 1.5, 36501])('objectLockDays %p is rejected', (objectLockDays) => {
    const { stack, cloud } = setup();
    expectValidationError(() => new SecureBucket(stack, 'Bad', { cloud, purpose: 'x', objectLockDays }), 'test/Bad', 'objectLockDays',
      new RegExp(`must be a whole number from 1 to 36500 \\(got ${objectLockDays}\\)`));
  });

  test('noncurrentVersionExpirationDays must be a whole number of days', () => {
    const { stack, cloud } = setup();
    expectValidationError(() => new SecureBucket(stack, 'Bad', { cloud, purpose: 'x', noncurrentVersionExpirationDays: 0 }), 'test/Bad',
      'noncurrentVersionExpirationDays', /must be a whole number from 1 to 36500/);
  });

  test('a bucket in the DR region cannot replicate to the DR region', () => {
    const { stack, cloud } = setup();
    expectValidationError(() => new SecureBucket(stack, 'Bad', { cloud, purpose: 'x', region: AwsRegionRole.DR, replicateToDrRegion: true }),
      'test/Bad', 'replicateToDrRegion', /cannot be set on a bucket that is already in the DR region/);
  });

  test('grants refuse an identity that is not backed by IAM', () => {
    const { stack, cloud } = setup();
    const bucket = new SecureBucket(stack, 'Data', { cloud, purpose: 'x', replicateToDrRegion: true });
    const foreign: any = { node: { path: 'elsewhere/Identity' }, namespace: 'ns', serviceAccountName: 'sa', principalId: 'p' };
    expectValidationError(() => bucket.grantRead(foreign), 'test/Data', 'identity', /is not an AWS workload identity \(got "elsewhere\/Identity"\)/);
  });
});

import { Construct } from 'constructs';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { GcpCloud } from '../../lib/gcp/gcp-cloud';
import { GcsBucket } from '../../lib/gcp/gcs-bucket';
import { GcpPolicyRules } from '../../lib/gcp/policy/gcp-policy-rules';
import { expectValidationError, newStack, refTo, resourceAt, resourcesOfType, synthStack } from '../helpers';

function setup(recoveryObjective = RecoveryObjective.businessCritical('us-east1')) {
  const stack = newStack({ primaryRegion: 'us-central1', recoveryObjective });
  const cloud = new GcpCloud(stack, 'Gcp', { projectId: 'fraud-ml-prod' });
  return { stack, cloud };
}

function identity(scope: Construct, email = 'mlflow@fraud-ml-prod.iam.gserviceaccount.com'): any {
  const construct = new Construct(scope, 'Identity') as any;
  construct.namespace = 'mlflow';
  construct.serviceAccountName = 'mlflow';
  construct.principalId = email;
  construct.prerequisites = [];
  return construct;
}

describe('GcsBucket', () => {
  test('is private, CMEK-encrypted, versioned, soft-delete protected, logged and labelled', () => {
    const { stack, cloud } = setup();
    new GcsBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    const json = synthStack(stack).json;
    const bucket = resourceAt(json, 'google_storage_bucket', 'Datasets/Resource');
    expect(bucket).toMatchObject({
      location: 'US-CENTRAL1', uniform_bucket_level_access: true, public_access_prevention: 'enforced', force_destroy: false,
      versioning: { enabled: true }, soft_delete_policy: { retention_duration_seconds: 604800 }, labels: { purpose: 'datasets' },
      logging: { log_object_prefix: 'datasets/' },
    });
    expect(bucket.name).toMatch(/^fraud-prod-datasets-[0-9a-f]{8}$/);
    expect(bucket.encryption.default_kms_key_name).toMatch(/google_kms_crypto_key\.Gcp_PrimaryDataKey.*\.id/);
    // The storage agent holds the key role before the bucket exists.
    expect(bucket.depends_on.some((d: string) => d.startsWith('google_kms_crypto_key_iam_member.'))).toBe(true);
    const grant = resourceAt(json, 'google_kms_crypto_key_iam_member', 'PrimaryDataKey/AgentStorage');
    expect(grant.member).toMatch(/^serviceAccount:service-\$\{data\.google_project\..*\.number\}@gs-project-accounts\.iam\.gserviceaccount\.com$/);
    expect(bucket.lifecycle_rule).toEqual([
      { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 7 } },
      { action: { type: 'Delete' }, condition: { days_since_noncurrent_time: 90, with_state: 'ARCHIVED' } },
    ]);
    const logs = resourceAt(json, 'google_storage_bucket', 'PrimaryAccessLogs/Resource');
    expect(bucket.logging.log_bucket).toMatch(/google_storage_bucket\.Gcp_PrimaryAccessLogs.*\.name/);
    expect(logs.logging).toBeUndefined();
    expect(resourceAt(json, 'google_storage_bucket_iam_member', 'PrimaryAccessLogs/LogWriter')).toMatchObject({
      role: 'roles/storage.objectCreator', member: 'group:cloud-storage-analytics@google.com',
    });
  });

  test('replicates to a bucket in the DR region with Storage Transfer Service and registers the copy', () => {
    const { stack, cloud } = setup();
    const bucket = new GcsBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    const json = synthStack(stack).json;
    const replica = resourceAt(json, 'google_storage_bucket', 'Datasets/Replica/Resource');
    expect(replica.location).toBe('US-EAST1');
    expect(replica.encryption.default_kms_key_name).toMatch(/Gcp_DrDataKey/);
    expect(replica.name).toMatch(/-dr-[0-9a-f]{8}$/);
    const job = resourceAt(json, 'google_storage_transfer_job', 'Datasets/Replication');
    expect(job.replication_spec).toMatchObject({
      gcs_data_source: { bucket_name: refTo(json, 'google_storage_bucket', 'Datasets/Resource', 'name') },
      gcs_data_sink: { bucket_name: refTo(json, 'google_storage_bucket', 'Datasets/Replica/Resource', 'name') },
      transfer_options: { delete_objects_unique_in_sink: false, overwrite_when: 'DIFFERENT' },
    });
    expect(job.depends_on).toHaveLength(4);
    expect(resourceAt(json, 'google_project_iam_member', 'StorageTransferPubSub').role).toBe('roles/pubsub.editor');
    expect(resourceAt(json, 'google_project_iam_member', 'StoragePubSubPublisher')).toMatchObject({
      role: 'roles/pubsub.publisher', member: expect.stringMatching(/@gs-project-accounts\.iam\.gserviceaccount\.com$/),
    });
    const entry = stack.dataStores.stores.find((e) => e.store.path === bucket.node.path)!;
    expect(entry.store.backupServiceEligible).toBe(false);
    expect(entry.protections).toEqual([expect.objectContaining({
      mechanism: 'Storage Transfer Service cross-bucket replication', copyRegion: 'us-east1',
    })]);
    expect(entry.protections[0].copyRpo.toMinutes()).toBe(60);
    expect(entry.protections[0].restore?.kind).toBe('REPLICA');
  });

  test('lists the operator step that creates the service agents', () => {
    const { stack, cloud } = setup();
    new GcsBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    const { report } = synthStack(stack);
    const step = report.deploymentSteps.find((s: any) => s.title === 'Create the Google service agents that use the platform keys');
    expect(step.command).toContain('gcloud storage service-agent --project fraud-ml-prod');
    expect(step.command).toContain('gcloud beta services identity create --service=sqladmin.googleapis.com --project fraud-ml-prod');
  });

  test('a DR-region bucket is neither registered nor replicated', () => {
    const { stack, cloud } = setup();
    new GcsBucket(stack, 'State', { cloud, purpose: 'cluster-state-backups', inDrRegion: true });
    const json = synthStack(stack).json;
    expect(resourceAt(json, 'google_storage_bucket', 'State/Resource').location).toBe('US-EAST1');
    expect(resourcesOfType(json, 'google_storage_transfer_job')).toHaveLength(0);
    expect(stack.dataStores.stores).toHaveLength(0);
  });

  test('objectLockDays sets an unlocked retention policy instead of versioning', () => {
    const { stack, cloud } = setup();
    new GcsBucket(stack, 'Models', { cloud, purpose: 'models', objectLockDays: 30 });
    const json = synthStack(stack).json;
    const bucket = resourceAt(json, 'google_storage_bucket', 'Models/Resource');
    expect(bucket.retention_policy).toEqual({ retention_period: 30 * 86400, is_locked: false });
    expect(bucket.versioning).toEqual({ enabled: false });
    expect(resourceAt(json, 'google_storage_bucket', 'Models/Replica/Resource').retention_policy.retention_period).toBe(30 * 86400);
  });

  test('grants read and read-write to the identity\'s Google service account, before its pods start', () => {
    const { stack, cloud } = setup();
    const bucket = new GcsBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    const id = identity(stack);
    bucket.grantRead(id);
    bucket.grantReadWrite(id);
    const json = synthStack(stack).json;
    const members = resourcesOfType(json, 'google_storage_bucket_iam_member').filter((m) => m.member.includes('mlflow@'));
    expect(members.map((m) => m.role).sort()).toEqual(['roles/storage.objectUser', 'roles/storage.objectViewer']);
    expect(members[0].member).toBe('serviceAccount:mlflow@fraud-ml-prod.iam.gserviceaccount.com');
    expect(id.prerequisites).toHaveLength(2);
  });

  test('passes the GCP policy rules', () => {
    const { stack, cloud } = setup();
    stack.policy.addRules(GcpPolicyRules.all());
    new GcsBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    new GcsBucket(stack, 'Models', { cloud, purpose: 'models', objectLockDays: 30 });
    const { report } = synthStack(stack);
    const open = report.policy.findings.filter((f: any) => f.suppressedBecause === undefined && f.level === 'ERROR');
    expect(open).toEqual([]);
  });

  describe('validation', () => {
    test.each([
      ['Bad_Name', /bucketName is not valid/],
      ['a.b.c', /bucketName is not valid/],
      ['google-data', /starts with "goog"/],
    ])('bucketName %s', (bucketName, message) => {
      const { stack, cloud } = setup();
      expectValidationError(() => new GcsBucket(stack, 'B', { cloud, purpose: 'x', bucketName }), 'test/B', 'bucketName', message);
    });

    test('two buckets with one name', () => {
      const { stack, cloud } = setup();
      new GcsBucket(stack, 'A', { cloud, purpose: 'x', bucketName: 'same-name' });
      expect(() => new GcsBucket(stack, 'B', { cloud, purpose: 'x', bucketName: 'same-name' })).toThrow(/bucketName/);
    });

    test('objectLockDays and noncurrentVersionExpirationDays', () => {
      const { stack, cloud } = setup();
      expect(() => new GcsBucket(stack, 'A', { cloud, purpose: 'x', objectLockDays: 0 })).toThrow(/objectLockDays/);
      expect(() => new GcsBucket(stack, 'B', { cloud, purpose: 'x', noncurrentVersionExpirationDays: 1.5 })).toThrow(/noncurrentVersionExpirationDays/);
    });

    test('replicateToDrRegion on a DR bucket', () => {
      const { stack, cloud } = setup();
      expectValidationError(() => new GcsBucket(stack, 'B', { cloud, purpose: 'x', inDrRegion: true, replicateToDrRegion: true }),
        'test/B', 'replicateToDrRegion', /already in the DR region/);
    });

    test('an identity without a Google service account', () => {
      const { stack, cloud } = setup();
      const bucket = new GcsBucket(stack, 'B', { cloud, purpose: 'x' });
      expectValidationError(() => bucket.grantRead(identity(stack, '')), 'test/B', 'identity', /no Google service account email/);
    });
  });
});

import { App } from 'cdktf';
import { BackupPolicy } from '../lib/backup-policy';
import { Duration } from '../lib/core/duration';
import { RecoveryObjective } from '../lib/core/recovery-objective';
import { ModelRegistry } from '../lib/model-registry';
import { expectValidationError, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt, resourcesOfType } from './helpers';

describe('ModelRegistry', () => {
  let json: any;
  let report: any;
  let unreplicated: any;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    const registry = new ModelRegistry(stack, 'Registry', { cloud, objectLockDays: 365 });
    const reader = cluster.newWorkloadIdentity(stack, 'Serving', { namespace: 'serving', serviceAccountName: 'server' });
    const publisher = cluster.newWorkloadIdentity(stack, 'Training', { namespace: 'training', serviceAccountName: 'trainer' });
    registry.grantRead(reader);
    registry.grantPublish(publisher);
    new BackupPolicy(stack, 'Backups', { cloud });
    // Without replication the models reach the DR region only through the daily backup copies (30 h): an RPO that allows it.
    const other = newPlatform(newStack({ recoveryObjective: RecoveryObjective.of({ rpo: Duration.hours(48), rto: Duration.hours(48), drRegion: 'us-west-2' }) }, app, 'plain'));
    new ModelRegistry(other.stack, 'Registry', { cloud: other.cloud, replicateToDrRegion: false, repositoryName: 'team/serving', bucketName: 'acme-models' });
    new BackupPolicy(other.stack, 'Backups', { cloud: other.cloud });
    app.synth();
    ({ json, report } = readStackOutput(app.outdir, 'test'));
    unreplicated = readStackOutput(app.outdir, 'plain').json;
  });

  test('the model bucket is object-locked, keeps versions a year and is replicated to the DR region', () => {
    expect(resourceAt(json, 'aws_s3_bucket', 'test/Registry/Models/Resource')).toMatchObject({ object_lock_enabled: true, force_destroy: false });
    expect(resourceAt(json, 'aws_s3_bucket_object_lock_configuration', 'test/Registry/Models/ObjectLock').rule)
      .toEqual({ default_retention: { mode: 'GOVERNANCE', days: 365 } });
    expect(resourceAt(json, 'aws_s3_bucket_lifecycle_configuration', 'test/Registry/Models/Lifecycle').rule[0].noncurrent_version_expiration)
      .toEqual([{ noncurrent_days: 365 }]);
    const replication = resourceAt(json, 'aws_s3_bucket_replication_configuration', 'test/Registry/Models/Replication');
    expect(replication.bucket).toBe(refTo(json, 'aws_s3_bucket', 'test/Registry/Models/Resource', 'id'));
    expect(replication.rule[0].destination.bucket).toBe(refTo(json, 'aws_s3_bucket', 'test/Registry/Models/Replica/Resource', 'arn'));
    expect(resourceAt(json, 'aws_s3_bucket', 'test/Registry/Models/Replica/Resource').provider).toBe('aws.dr');
    expect(report.dataStores.find((s: any) => s.path === 'test/Registry/Models').protections.map((p: any) => p.mechanism))
      .toEqual(['S3 cross-region replication (RTC 15 min)', 'AWS Backup']);
  });

  test('object-locked model versions replicate: the replication role may read their retention and legal hold', () => {
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Registry/Models/ReplicationPolicy').policy);
    const source = policy.Statement.find((st: any) => st.Resource === `${refTo(json, 'aws_s3_bucket', 'test/Registry/Models/Resource', 'arn')}/*`);
    expect(source.Action).toEqual(expect.arrayContaining(['s3:GetObjectVersionForReplication', 's3:GetObjectRetention', 's3:GetObjectLegalHold']));
    expect(resourceAt(json, 'aws_s3_bucket_object_lock_configuration', 'test/Registry/Models/Replica/ObjectLock').rule)
      .toEqual({ default_retention: { mode: 'GOVERNANCE', days: 365 } });
  });

  test('replication can be turned off; names can be chosen', () => {
    expect(resourcesOfType(unreplicated, 'aws_s3_bucket_replication_configuration')).toEqual([]);
    expect(resourceAt(unreplicated, 'aws_s3_bucket', 'plain/Registry/Models/Resource').bucket).toBe('acme-models');
    expect(resourcesOfType(unreplicated, 'aws_ecr_repository')[0].name).toBe('team/serving');
  });

  test('the serving image repository is immutable, scanned, KMS-encrypted, lifecycle-managed and never force-deleted', () => {
    const repo = resourceAt(json, 'aws_ecr_repository', 'test/Registry/ServingImages/Resource');
    expect(repo).toEqual(expect.objectContaining({
      name: 'fraud/model-serving', image_tag_mutability: 'IMMUTABLE', image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: 'KMS', kms_key: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryDataKey/Resource', 'arn') }],
      force_delete: false,
    }));
    const lifecycle = resourceAt(json, 'aws_ecr_lifecycle_policy', 'test/Registry/ServingImages/Lifecycle');
    expect(lifecycle.repository).toBe(refTo(json, 'aws_ecr_repository', 'test/Registry/ServingImages/Resource', 'name'));
    const rules = JSON.parse(lifecycle.policy).rules;
    expect(rules.map((r: any) => [r.selection.tagStatus, r.selection.countType, r.selection.countNumber])).toEqual([
      ['untagged', 'sinceImagePushed', 14], ['any', 'imageCountMoreThan', 500],
    ]);
  });

  test('grantRead gives read on models and pull on images, nothing more', () => {
    const statements = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Serving/Policy').policy).Statement;
    const actions = statements.flatMap((s: any) => s.Action);
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 'kms:Decrypt', 'ecr:GetAuthorizationToken', 'ecr:BatchGetImage']));
    for (const write of ['s3:PutObject', 's3:DeleteObject', 'kms:GenerateDataKey', 'ecr:PutImage']) {
      expect(actions).not.toContain(write);
    }
    const repoArn = refTo(json, 'aws_ecr_repository', 'test/Registry/ServingImages/Resource', 'arn');
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: repoArn });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: `${refTo(json, 'aws_s3_bucket', 'test/Registry/Models/Resource', 'arn')}/*` });
  });

  test('grantPublish gives write on models and push on images', () => {
    const statements = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Training/Policy').policy).Statement;
    const repoArn = refTo(json, 'aws_ecr_repository', 'test/Registry/ServingImages/Resource', 'arn');
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'], Resource: repoArn });
    expect(statements.flatMap((s: any) => s.Action)).toEqual(expect.arrayContaining(['s3:PutObject', 'kms:GenerateDataKey']));
    expect(resourceAt(json, 'aws_eks_pod_identity_association', 'test/Training/Association')).toMatchObject({ namespace: 'training', service_account: 'trainer' });
  });

  test('the report lists the registry', () => {
    expect(report.components).toContainEqual({
      path: 'test/Registry', name: 'ModelRegistry',
      description: 'model bucket (object lock 365 days), replicated to the DR region; immutable serving image repository',
    });
    expect(report.policy.errors).toBe(0);
  });
});

describe('ModelRegistry validation', () => {
  test.each(['Bad Name', 'UPPER/serving', 'a', 'trailing-/x', '/leading'])('repositoryName %p is rejected', (repositoryName) => {
    const { stack, cloud } = newPlatform();
    expectValidationError(() => new ModelRegistry(stack, 'Registry', { cloud, repositoryName }), 'test/Registry/ServingImages', 'repositoryName',
      /is not a valid ECR repository name/);
  });

  test('objectLockDays is checked on the bucket', () => {
    const { stack, cloud } = newPlatform();
    expectValidationError(() => new ModelRegistry(stack, 'Registry', { cloud, objectLockDays: 0 }), 'test/Registry/Models', 'objectLockDays',
      /must be a whole number from 1 to 36500 \(got 0\)/);
  });

  test('grants refuse an identity that is not backed by IAM', () => {
    const { stack, cloud } = newPlatform();
    const registry = new ModelRegistry(stack, 'Registry', { cloud });
    expectValidationError(() => registry.grantRead({ node: { path: 'x' } } as any), 'test/Registry/Models', 'identity', /is not an AWS workload identity/);
  });
});

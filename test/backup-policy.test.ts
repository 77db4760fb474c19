import { App } from 'cdktf';
import { AwsCloud } from '../lib/aws/aws-cloud';
import { SecureBucket } from '../lib/aws/secure-bucket';
import { BackupPolicy } from '../lib/backup-policy';
import { Duration } from '../lib/core/duration';
import { RecoveryObjective } from '../lib/core/recovery-objective';
import { addressOf, expectValidationError, helmRelease, helmValues, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt, resourcesOfType } from './helpers';

describe('BackupPolicy', () => {
  let json: any;
  let report: any;
  let standard: any;
  let mission: any;
  let missionReport: any;
  let relaxed: any;
  let relaxedReport: any;
  beforeAll(() => {
    const app: App = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    const db = cloud.newPostgresDatabase(stack, 'Db', { purpose: 'features', databaseName: 'features', clients: cluster });
    new BackupPolicy(stack, 'Backups', { cloud, cluster });
    // Registered after the policy: still selected.
    new SecureBucket(stack, 'Late', { cloud, purpose: 'late' });
    expect(db).toBeDefined();
    const s = newStack({ recoveryObjective: RecoveryObjective.standard('us-west-2') }, app, 'standard');
    const sCloud = new AwsCloud(s, 'Aws');
    new SecureBucket(s, 'Data', { cloud: sCloud, purpose: 'data' });
    new BackupPolicy(s, 'Backups', { cloud: sCloud, complianceLockAfterDays: 3 });
    const m = newStack({ recoveryObjective: RecoveryObjective.missionCritical('us-west-2') }, app, 'mission');
    const mCloud = new AwsCloud(m, 'Aws');
    new SecureBucket(m, 'Data', { cloud: mCloud, purpose: 'data' });
    new BackupPolicy(m, 'Backups', { cloud: mCloud });
    const r = newStack({ recoveryObjective: RecoveryObjective.of({ rpo: Duration.hours(48), rto: Duration.hours(48), drRegion: 'us-west-2' }) }, app, 'relaxed');
    const rPlatform = newPlatform(r);
    rPlatform.cloud.newPostgresDatabase(r, 'Db', { purpose: 'features', databaseName: 'features', clients: rPlatform.cluster });
    new SecureBucket(r, 'Data', { cloud: rPlatform.cloud, purpose: 'data' });
    new BackupPolicy(r, 'Backups', { cloud: rPlatform.cloud });
    app.synth();
    ({ json, report } = readStackOutput(app.outdir, 'test'));
    standard = readStackOutput(app.outdir, 'standard').json;
    ({ json: mission, report: missionReport } = readStackOutput(app.outdir, 'mission'));
    ({ json: relaxed, report: relaxedReport } = readStackOutput(app.outdir, 'relaxed'));
  });

  test('a vault per region, each with its own backup key and a governance lock', () => {
    const vault = resourceAt(json, 'aws_backup_vault', 'test/Backups/Plan/Vault');
    const drVault = resourceAt(json, 'aws_backup_vault', 'test/Backups/Plan/DrVault');
    expect(vault).toMatchObject({ provider: 'aws', name: 'fraud-prod-primary', force_destroy: false, kms_key_arn: refTo(json, 'aws_kms_key', 'test/Aws/PrimaryBackupKey/Resource', 'arn') });
    expect(drVault).toMatchObject({ provider: 'aws.dr', name: 'fraud-prod-dr', force_destroy: false, kms_key_arn: refTo(json, 'aws_kms_key', 'test/Aws/DrBackupKey/Resource', 'arn') });
    for (const id of ['Vault', 'DrVault']) {
      const lock = resourceAt(json, 'aws_backup_vault_lock_configuration', `test/Backups/Plan/${id}Lock`);
      expect(lock).toMatchObject({ backup_vault_name: refTo(json, 'aws_backup_vault', `test/Backups/Plan/${id}`, 'name'), min_retention_days: 7, max_retention_days: 35 });
      expect(lock.changeable_for_days).toBeUndefined();
    }
    expect(resourcesOfType(standard, 'aws_backup_vault_lock_configuration').map((l) => l.changeable_for_days)).toEqual([3, 3]);
  });

  test('businessCritical: one daily snapshot rule with 60/180-minute windows, copied to the DR vault, no continuous rule', () => {
    const plan = resourceAt(json, 'aws_backup_plan', 'test/Backups/Plan/Plan');
    expect(plan.rule).toEqual([{
      rule_name: 'snapshots-every-24h', schedule: 'cron(0 3 ? * * *)', start_window: 60, completion_window: 180,
      target_vault_name: refTo(json, 'aws_backup_vault', 'test/Backups/Plan/Vault', 'name'),
      lifecycle: { delete_after: 35 },
      copy_action: [{ destination_vault_arn: refTo(json, 'aws_backup_vault', 'test/Backups/Plan/DrVault', 'arn'), lifecycle: { delete_after: 35 } }],
    }]);
  });

  test('a monthly restore test restores the newest database and bucket recovery points of the primary vault', () => {
    const plan = resourceAt(json, 'aws_backup_restore_testing_plan', 'test/Backups/Plan/RestoreTesting');
    expect(plan).toMatchObject({
      name: 'fraud_prod_monthly_restore_test', schedule_expression: 'cron(0 6 1 * ? *)', start_window_hours: 24,
      recovery_point_selection: [{
        algorithm: 'LATEST_WITHIN_WINDOW', include_vaults: [refTo(json, 'aws_backup_vault', 'test/Backups/Plan/Vault', 'arn')],
        recovery_point_types: ['SNAPSHOT'], selection_window_days: 7,
      }],
    });
    for (const type of ['RDS', 'S3']) {
      expect(resourceAt(json, 'aws_backup_restore_testing_selection', `test/Backups/Plan/RestoreTesting${type}`)).toMatchObject({
        protected_resource_type: type, protected_resource_arns: ['*'], validation_window_hours: 2,
        restore_testing_plan_name: refTo(json, 'aws_backup_restore_testing_plan', 'test/Backups/Plan/RestoreTesting', 'name'),
      });
    }
  });

  test('standard: one daily snapshot', () => {
    const [plan] = resourcesOfType(standard, 'aws_backup_plan');
    expect(plan.rule).toHaveLength(1);
    expect(plan.rule[0]).toMatchObject({ rule_name: 'snapshots-every-24h', schedule: 'cron(0 3 ? * * *)', start_window: 60, completion_window: 180 });
  });

  test('missionCritical: still one daily snapshot rule, never hourly snapshots nor a continuous rule (it would take over RDS automated backups)', () => {
    for (const j of [json, standard, mission, relaxed]) {
      for (const plan of resourcesOfType(j, 'aws_backup_plan')) {
        expect(plan.rule.map((r: any) => r.schedule)).toEqual(['cron(0 3 ? * * *)']);
        expect(plan.rule.filter((r: any) => r.enable_continuous_backup !== undefined)).toEqual([]);
      }
    }
    // The 15-minute RPO is met by the bucket's own replication, reported with the honest 28 h / 30 h of the backup copies.
    expect(missionReport.dataStores[0].protections).toEqual([
      { mechanism: 'S3 cross-region replication (RTC 15 min)', rpoMinutes: 15, copyRegion: 'us-west-2', copyRpoMinutes: 15, retentionDays: 35 },
      { mechanism: 'AWS Backup', rpoMinutes: 28 * 60, copyRegion: 'us-west-2', copyRpoMinutes: 30 * 60, retentionDays: 35 },
    ]);
  });

  test('an RPO the daily copies meet (48 h): no S3 replication, no RDS backup replication, AWS Backup alone covers the stores', () => {
    expect(resourcesOfType(relaxed, 'aws_s3_bucket_replication_configuration')).toEqual([]);
    expect(resourcesOfType(relaxed, 'aws_db_instance_automated_backups_replication')).toEqual([]);
    expect(resourcesOfType(relaxed, 'aws_s3_bucket').map((b) => b['//'].metadata.path).filter((p: string) => p.includes('Replica'))).toEqual([]);
    expect(relaxedReport.dataStores.map((s: any) => [s.path, s.protections.map((p: any) => p.mechanism)])).toEqual([
      ['relaxed/Db', ['RDS automated backups (point-in-time recovery)', 'AWS Backup']],
      ['relaxed/Data', ['AWS Backup']],
    ]);
  });

  test('every rule has lifecycle.delete_after', () => {
    for (const j of [json, standard, mission, relaxed]) {
      for (const plan of resourcesOfType(j, 'aws_backup_plan')) {
        for (const rule of plan.rule) {
          expect(rule.lifecycle.delete_after).toBe(35);
        }
      }
    }
  });

  test('the selection holds every registered store eligible for AWS Backup, including later ones', () => {
    const [selection] = resourcesOfType(json, 'aws_backup_selection');
    expect(selection).toMatchObject({ plan_id: refTo(json, 'aws_backup_plan', 'test/Backups/Plan/Plan', 'id'), iam_role_arn: refTo(json, 'aws_iam_role', 'test/Backups/Plan/Role', 'arn') });
    expect(selection.resources).toEqual([refTo(json, 'aws_db_instance', 'test/Db/Resource', 'arn'), refTo(json, 'aws_s3_bucket', 'test/Late/Resource', 'arn')]);
    const policies = resourcesOfType(json, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn).filter((a) => a.includes('AWSBackup'));
    expect(policies.map((a) => a.split('/').pop()).sort()).toEqual([
      'AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores', 'AWSBackupServiceRolePolicyForS3Backup', 'AWSBackupServiceRolePolicyForS3Restore',
    ]);
  });

  test('Velero backs cluster state up to a bucket in the DR region on the RPO schedule', () => {
    const release = helmRelease(json, 'velero');
    expect(release).toMatchObject({ chart: 'velero', version: '12.1.0', repository: 'https://vmware-tanzu.github.io/helm-charts' });
    const values = helmValues(release);
    expect(values.configuration.backupStorageLocation).toEqual([{
      name: 'default', provider: 'aws', bucket: refTo(json, 'aws_s3_bucket', 'test/Backups/ClusterStateBucket/Resource', 'bucket'), prefix: 'fraud-prod', default: true,
      config: { region: 'us-west-2', kmsKeyId: refTo(json, 'aws_kms_key', 'test/Aws/DrDataKey/Resource', 'arn') },
    }]);
    expect(resourceAt(json, 'aws_s3_bucket', 'test/Backups/ClusterStateBucket/Resource').provider).toBe('aws.dr');
    expect(values.schedules.platform).toMatchObject({ schedule: '0 */1 * * *', template: { ttl: '840h0m0s', storageLocation: 'default' } });
    expect(values.credentials).toEqual({ useSecret: false });
    expect(resourceAt(json, 'aws_eks_pod_identity_association', 'test/Backups/VeleroIdentity/Association'))
      .toMatchObject({ namespace: 'velero', service_account: values.serviceAccount.server.name });
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/Backups/VeleroIdentity/Policy').policy);
    expect(policy.Statement[1].Action).toContain('s3:PutObject');
  });

  test('the Velero release waits for its Pod Identity association and policy (pods created earlier get no credentials)', () => {
    expect(helmRelease(json, 'velero').depends_on).toEqual(expect.arrayContaining([
      addressOf(json, 'aws_eks_pod_identity_association', 'test/Backups/VeleroIdentity/Association'),
      addressOf(json, 'aws_iam_role_policy', 'test/Backups/VeleroIdentity/Policy'),
    ]));
  });

  test('the report records the protections', () => {
    const byPath = Object.fromEntries(report.dataStores.map((s: any) => [s.path, s]));
    expect(Object.keys(byPath)).toEqual(['test/Db', 'test/Backups/ClusterState', 'test/Late']);
    // The Velero bucket is in the DR region, and the report says so.
    expect(byPath['test/Backups/ClusterState']).toMatchObject({
      kind: 'CLUSTER_STATE', protections: [{ mechanism: 'Velero (bucket in us-west-2)', rpoMinutes: 60, copyRegion: 'us-west-2', copyRpoMinutes: 60 }],
    });
    // Point-in-time recovery in the region, its logs replicated to the DR region, and the daily AWS Backup copies with both windows counted.
    expect(byPath['test/Db'].protections).toEqual([
      { mechanism: 'RDS automated backups (point-in-time recovery)', rpoMinutes: 5, copyRegion: 'us-east-1', copyRpoMinutes: 5, retentionDays: 35 },
      { mechanism: 'RDS cross-region automated backup replication', rpoMinutes: 5, copyRegion: 'us-west-2', copyRpoMinutes: 15, retentionDays: 35 },
      { mechanism: 'AWS Backup', rpoMinutes: 1680, copyRegion: 'us-west-2', copyRpoMinutes: 1800, retentionDays: 35 },
    ]);
    // A bucket in the primary region replicates by default because the 1 h RPO is shorter than the 30 h of the backup copies.
    expect(byPath['test/Late'].protections.map((p: any) => p.mechanism)).toEqual(['S3 cross-region replication (RTC 15 min)', 'AWS Backup']);
    expect(report.components).toContainEqual(expect.objectContaining({
      name: 'BackupPolicy',
      description: 'AWS Backup: snapshots every 24 h (start window 60 min, completion window 180 min), copies to us-west-2, 35 days retention; ' +
        'Velero 1.18.1 for cluster state, into a bucket in us-west-2',
    }));
  });
});

describe('BackupPolicy validation', () => {
  test.each([2, 0, 1.5, 36501])('complianceLockAfterDays %p is rejected', (complianceLockAfterDays) => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    expectValidationError(() => new BackupPolicy(stack, 'Backups', { cloud, complianceLockAfterDays }), 'test/Backups', 'complianceLockAfterDays',
      new RegExp(`must be a whole number from 3 to 36500 \\(got ${complianceLockAfterDays}\\)`));
  });
});

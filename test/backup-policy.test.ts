import { App } from 'cdktf';
import { AwsCloud } from '../lib/aws/aws-cloud';
import { SecureBucket } from '../lib/aws/secure-bucket';
import { BackupPolicy } from '../lib/backup-policy';
import { RecoveryObjective } from '../lib/core/recovery-objective';
import { expectValidationError, helmRelease, helmValues, newApp, newPlatform, newStack, readStackOutput, refTo, resourceAt, resourcesOfType } from './helpers';

describe('BackupPolicy', () => {
  let json: any;
  let report: any;
  let standard: any;
  let mission: any;
  let missionReport: any;
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
    app.synth();
    ({ json, report } = readStackOutput(app.outdir, 'test'));
    standard = readStackOutput(app.outdir, 'standard').json;
    ({ json: mission, report: missionReport } = readStackOutput(app.outdir, 'mission'));
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

  test('businessCritical: hourly snapshots copied to the DR vault, no continuous rule', () => {
    const plan = resourceAt(json, 'aws_backup_plan', 'test/Backups/Plan/Plan');
    expect(plan.rule).toEqual([{
      rule_name: 'snapshots-every-1h', schedule: 'cron(0 0/1 ? * * *)', start_window: 60, completion_window: 180,
      target_vault_name: refTo(json, 'aws_backup_vault', 'test/Backups/Plan/Vault', 'name'),
      lifecycle: { delete_after: 35 },
      copy_action: [{ destination_vault_arn: refTo(json, 'aws_backup_vault', 'test/Backups/Plan/DrVault', 'arn'), lifecycle: { delete_after: 35 } }],
    }]);
  });

  test('standard: one daily snapshot', () => {
    const [plan] = resourcesOfType(standard, 'aws_backup_plan');
    expect(plan.rule).toHaveLength(1);
    expect(plan.rule[0]).toMatchObject({ rule_name: 'snapshots-every-24h', schedule: 'cron(0 3 ? * * *)' });
  });

  test('missionCritical: a continuous rule besides hourly snapshots', () => {
    const [plan] = resourcesOfType(mission, 'aws_backup_plan');
    expect(plan.rule.map((r: any) => r.schedule)).toEqual(['cron(0 0/1 ? * * *)', 'cron(0 * ? * * *)']);
    expect(plan.rule[1]).toMatchObject({ rule_name: 'continuous-point-in-time', enable_continuous_backup: true, lifecycle: { delete_after: 35 } });
    expect(missionReport.dataStores[0].protections).toEqual([
      { mechanism: 'AWS Backup', rpoMinutes: 5, copyRegion: 'us-west-2', copyRpoMinutes: 60, retentionDays: 35 },
    ]);
  });

  test('every rule has lifecycle.delete_after', () => {
    for (const j of [json, standard, mission]) {
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

  test('the report records the protections', () => {
    const byPath = Object.fromEntries(report.dataStores.map((s: any) => [s.path, s]));
    expect(Object.keys(byPath)).toEqual(['test/Db', 'test/Backups/ClusterState', 'test/Late']);
    expect(byPath['test/Backups/ClusterState']).toMatchObject({ kind: 'CLUSTER_STATE', protections: [{ mechanism: 'Velero', rpoMinutes: 60, copyRegion: 'us-west-2' }] });
    expect(byPath['test/Db'].protections).toEqual([{ mechanism: 'AWS Backup', rpoMinutes: 60, copyRegion: 'us-west-2', copyRpoMinutes: 60, retentionDays: 35 }]);
    expect(report.components).toContainEqual(expect.objectContaining({
      name: 'BackupPolicy', description: 'AWS Backup: snapshots every 1 h, copies to us-west-2, 35 days retention; Velero 1.18.1 for cluster state',
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

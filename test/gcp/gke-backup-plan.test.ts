import { Testing } from 'cdktf';
import { BackupSchedule } from '../../lib/core/backup-schedule';
import { DataStoreKind } from '../../lib/core/data-store-registry';
import { Duration } from '../../lib/core/duration';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { GcpCloud } from '../../lib/gcp/gcp-cloud';
import { GcpNetwork } from '../../lib/gcp/gcp-network';
import { GkeBackupPlan, GkeBackupPlanProps } from '../../lib/gcp/gke-backup-plan';
import { GkeCluster } from '../../lib/gcp/gke-cluster';
import { PolicySuppressions } from '../../lib/core/policy/policy-suppressions';

/** Google Groups for RBAC (CKV_GCP_65) needs a Workspace domain, which the test project has not. */
function withoutGroupsRbac(cluster: GkeCluster): GkeCluster {
  PolicySuppressions.add(cluster.resource, [{ id: 'CKV_GCP_65', reason: 'The test project has no Google Workspace domain for RBAC groups.' }]);
  return cluster;
}
import { expectValidationError, newStack, refTo, resourceAt, resourcesOfType, synthStack } from '../helpers';

function setup(withCluster = true) {
  const stack = newStack({ primaryRegion: 'us-central1', recoveryObjective: RecoveryObjective.businessCritical('us-east1') });
  const cloud = new GcpCloud(stack, 'Gcp', { projectId: 'fraud-ml-prod' });
  if (withCluster) {
    withoutGroupsRbac(new GkeCluster(stack, 'Cluster', { cloud, network: new GcpNetwork(stack, 'Network', { cloud }) }));
  }
  const schedule = BackupSchedule.forRpo(Duration.hours(1));
  const plan = (overrides: Partial<GkeBackupPlanProps> = {}) => new GkeBackupPlan(stack, 'Plan', {
    cloud, snapshotIntervalHours: schedule.snapshotIntervalHours, snapshotSchedule: schedule.cronExpression,
    startWindowMinutes: schedule.startWindowMinutes, completionWindowMinutes: schedule.completionWindowMinutes,
    retention: Duration.days(35), copyRegion: 'us-east1', resourceIds: [], ...overrides,
  });
  return { stack, cloud, plan };
}

describe('GkeBackupPlan', () => {
  test('backs the cluster up into the DR region with CMEK, retention and a delete lock', () => {
    const { stack, plan } = setup();
    const backups = plan();
    expect(backups.mechanism).toBe('Backup for GKE');
    const { json } = synthStack(stack);
    const resource = resourceAt(json, 'google_gke_backup_backup_plan', 'Plan/Resource');
    expect(resource).toMatchObject({
      location: 'us-east1', name: 'fraud-prod-cluster', cluster: refTo(json, 'google_container_cluster', 'Cluster/Resource', 'id'),
      backup_schedule: { cron_schedule: '0 3 * * *' },
      retention_policy: { backup_retain_days: 35, backup_delete_lock_days: 7, locked: false },
      backup_config: { all_namespaces: true, include_secrets: true, include_volume_data: true },
    });
    expect(resource.backup_config.encryption_key.gcp_kms_encryption_key).toMatch(/Gcp_DrBackupKey/);
    expect(resource.depends_on[0]).toMatch(/AgentGkeBackup/);
  });

  test('covers cluster state with a restore procedure, and no other store', () => {
    const { stack, plan } = setup();
    const backups = plan({ includeVolumeData: false, complianceLockAfterDays: 3 });
    stack.dataStores.register({ path: 'x/ClusterState', kind: DataStoreKind.CLUSTER_STATE, purpose: 'objects', resourceId: 'c', region: 'us-central1', backupServiceEligible: false });
    stack.dataStores.register({ path: 'x/Db', kind: DataStoreKind.DATABASE, purpose: 'db', resourceId: 'd', region: 'us-central1', backupServiceEligible: false });
    const [state, db] = stack.dataStores.stores;
    expect(state.protections).toEqual([expect.objectContaining({ mechanism: 'Backup for GKE (plan in us-east1)', copyRegion: 'us-east1' })]);
    expect(state.protections[0].rpo.toMinutes()).toBe(24 * 60 + 240);
    expect(state.protections[0].restore?.kind).toBe('CLUSTER_STATE');
    expect(db.protections).toEqual([]);
    expect(backups.restoreProcedure(db.store)).toBeUndefined();
    const json = JSON.parse(Testing.synth(stack));
    expect(resourcesOfType(json, 'google_gke_backup_backup_plan')[0]).toMatchObject({
      retention_policy: { locked: true }, backup_config: { include_volume_data: false },
    });
  });

  test('creates nothing without a GKE cluster', () => {
    const { stack, plan } = setup(false);
    plan();
    expect(resourcesOfType(synthStack(stack).json, 'google_gke_backup_backup_plan')).toEqual([]);
  });

  describe('validation', () => {
    test('snapshotIntervalHours', () => {
      const { plan } = setup(false);
      expectValidationError(() => plan({ snapshotIntervalHours: 48 }), 'test/Plan', 'snapshotIntervalHours', /48/);
    });
    test('retention', () => {
      const { plan } = setup(false);
      expectValidationError(() => plan({ retention: Duration.days(1000) }), 'test/Plan', 'retention', /1000/);
    });
    test('deleteLockDays', () => {
      const { plan } = setup(false);
      expectValidationError(() => plan({ deleteLockDays: 36 }), 'test/Plan', 'deleteLockDays', /36/);
    });
  });
});

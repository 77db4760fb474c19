import { AksCluster } from '../../lib/azure/aks-cluster';
import { AzureCloud } from '../../lib/azure/azure-cloud';
import { BlobContainerStore } from '../../lib/azure/blob-storage';
import { DataProtectionBackupPlan } from '../../lib/azure/data-protection-backup';
import { AzurePolicyRules } from '../../lib/azure/policy/azure-policy-rules';
import { PostgresFlexibleServer } from '../../lib/azure/postgres-flexible-server';
import { BackupPolicy } from '../../lib/backup-policy';
import { DataStoreKind } from '../../lib/core/data-store-registry';
import { Duration } from '../../lib/core/duration';
import { PolicySuppressions } from '../../lib/core/policy/policy-suppressions';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { expectValidationError, newStack, refTo, resourceAt, resourcesOfType, synthStack } from '../helpers';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

function setup(drRegion = 'centralus', primaryRegion = 'eastus2') {
  const stack = newStack({ primaryRegion, recoveryObjective: RecoveryObjective.businessCritical(drRegion) });
  const cloud = new AzureCloud(stack, 'Azure', { subscriptionId: SUBSCRIPTION });
  stack.policy.addRules(AzurePolicyRules.all());
  PolicySuppressions.add(cloud, [{ id: 'CKV_AZURE_40', reason: 'Keys of AzureCloud expire through their rotation policy.' }]);
  return { stack, cloud };
}

const OPTIONS = {
  snapshotIntervalHours: 24, snapshotSchedule: 'cron(0 3 ? * * *)', startWindowMinutes: 60, completionWindowMinutes: 180,
  retention: Duration.days(35), copyRegion: 'centralus', resourceIds: [],
};

describe('DataProtectionBackupPlan', () => {
  test('is a geo-redundant, immutable vault with cross-region restore, soft delete always on, a CMK and a lock', () => {
    const { stack, cloud } = setup();
    const plan = new DataProtectionBackupPlan(stack, 'Plan', { cloud, ...OPTIONS });
    const json = synthStack(stack).json;
    expect(resourceAt(json, 'azurerm_data_protection_backup_vault', 'Plan/Resource')).toMatchObject({
      location: 'eastus2', datastore_type: 'VaultStore', redundancy: 'GeoRedundant', cross_region_restore_enabled: true,
      soft_delete: 'AlwaysOn', retention_duration_in_days: 14, immutability: 'Unlocked', identity: { type: 'SystemAssigned' },
    });
    expect(resourceAt(json, 'azurerm_data_protection_backup_vault_customer_managed_key', 'Plan/CustomerManagedKey').key_vault_key_id)
      .toMatch(/PrimaryBackupKey/);
    expect(resourceAt(json, 'azurerm_data_protection_backup_policy_blob_storage', 'Plan/BlobPolicy')).toMatchObject({
      operational_default_retention_duration: 'P30D', vault_default_retention_duration: 'P35D',
      backup_repeating_time_intervals: ['R/2025-01-06T03:00:00+00:00/P1D'],
    });
    expect(resourceAt(json, 'azurerm_data_protection_backup_policy_postgresql_flexible_server', 'Plan/PostgresPolicy')).toMatchObject({
      backup_repeating_time_intervals: ['R/2025-01-06T03:00:00+00:00/P1W'],
      default_retention_rule: { life_cycle: [{ data_store_type: 'VaultStore', duration: 'P35D' }] },
    });
    expect(resourceAt(json, 'azurerm_management_lock', 'Plan/DeleteLock').lock_level).toBe('CanNotDelete');
    expect(plan.mechanism).toMatch(/Data Protection backup vault/);
    expect(plan.copyRegion).toBe('centralus');
  });

  test('a compliance lock locks the vault for good', () => {
    const { stack, cloud } = setup();
    new DataProtectionBackupPlan(stack, 'Plan', { cloud, ...OPTIONS, complianceLockAfterDays: 3 });
    expect(resourceAt(synthStack(stack).json, 'azurerm_data_protection_backup_vault', 'Plan/Resource').immutability).toBe('Locked');
  });

  test('protects blob stores and PostgreSQL servers created before and after it, with the roles the vault needs', () => {
    const { stack, cloud } = setup();
    const cluster = new AksCluster(stack, 'Cluster', { cloud });
    PolicySuppressions.add(cluster, AzurePolicyRules.all().filter((r) => r.resourceTypes.some((t) => t.startsWith('azurerm_kubernetes')))
      .map((r) => ({ id: r.id, reason: 'Judged by the AksCluster tests, not here.' })));
    const before = new BlobContainerStore(stack, 'Datasets', { cloud, purpose: 'datasets' });
    const plan = new DataProtectionBackupPlan(stack, 'Plan', { cloud, ...OPTIONS });
    const db = new PostgresFlexibleServer(stack, 'Db', { cloud, purpose: 'mlflow', databaseName: 'mlflow', clients: cluster });
    const json = synthStack(stack).json;
    const blobInstances = resourcesOfType(json, 'azurerm_data_protection_backup_instance_blob_storage');
    expect(blobInstances).toHaveLength(1);
    expect(blobInstances[0]).toMatchObject({
      storage_account_id: refTo(json, 'azurerm_storage_account', 'Datasets/Resource', 'id'),
      backup_policy_id: refTo(json, 'azurerm_data_protection_backup_policy_blob_storage', 'Plan/BlobPolicy', 'id'),
      storage_account_container_names: [refTo(json, 'azurerm_storage_container', 'Datasets/Container', 'name')],
    });
    const pgInstances = resourcesOfType(json, 'azurerm_data_protection_backup_instance_postgresql_flexible_server');
    expect(pgInstances).toHaveLength(1);
    expect(pgInstances[0].server_id).toBe(refTo(json, 'azurerm_postgresql_flexible_server', 'Db/Resource', 'id'));
    const vaultPrincipal = refTo(json, 'azurerm_data_protection_backup_vault', 'Plan/Resource', 'identity[0].principal_id');
    const roles = resourcesOfType(json, 'azurerm_role_assignment').filter((r: any) => r.principal_id === vaultPrincipal).map((r: any) => r.role_definition_name);
    expect(roles.sort()).toEqual(['Key Vault Crypto Service Encryption User', 'PostgreSQL Flexible Server Long Term Retention Backup Role', 'Reader',
      'Storage Account Backup Contributor']);
    // Instances wait for the vault's key and their roles.
    expect(blobInstances[0].depends_on).toHaveLength(2);
    const blob = stack.dataStores.stores.find((e) => e.store.path === before.node.path)!;
    expect(blob.protections.map((p) => p.mechanism)).toContain('Azure Backup operational blob backup (point-in-time restore)');
    const pg = stack.dataStores.stores.find((e) => e.store.path === db.node.path)!;
    const vaulted = pg.protections.find((p) => p.mechanism.startsWith(plan.mechanism))!;
    expect(vaulted.copyRegion).toBe('centralus');
    expect(vaulted.rpo.toHours()).toBe(7 * 24 + 4);
    expect(vaulted.restore?.steps[0].commands?.join('\n')).toMatch(/initialize-for-data-recovery-as-files/);
  });

  test('records the vault copy in the pair region for blob stores when the DR region is not the pair', () => {
    const { stack, cloud } = setup('westus3');
    const store = new BlobContainerStore(stack, 'Datasets', { cloud, purpose: 'datasets' });
    new DataProtectionBackupPlan(stack, 'Plan', { cloud, ...OPTIONS, copyRegion: 'westus3' });
    const entry = stack.dataStores.stores.find((e) => e.store.path === store.node.path)!;
    const vaulted = entry.protections.find((p) => p.mechanism.includes('geo-redundant copy'))!;
    expect(vaulted.copyRegion).toBe('centralus');
    expect(vaulted.restore?.kind).toBe('SNAPSHOT');
  });

  test('leaves cluster state to Velero and says so', () => {
    const { stack, cloud } = setup();
    const plan = new DataProtectionBackupPlan(stack, 'Plan', { cloud, ...OPTIONS });
    expect(plan.restoreProcedure({ path: 'x', kind: DataStoreKind.CLUSTER_STATE, purpose: 'objects', resourceId: 'c', region: 'eastus2', backupServiceEligible: false }))
      .toBeUndefined();
    const report = synthStack(stack).report;
    expect(JSON.stringify(report.deploymentSteps)).toMatch(/AKS Backup's Terraform policy supports only the operational tier/);
  });

  test('under BackupPolicy with Velero, every store is covered in the DR region', () => {
    const { stack, cloud } = setup();
    const cluster = new AksCluster(stack, 'Cluster', { cloud });
    PolicySuppressions.add(cluster, AzurePolicyRules.all().filter((r) => r.resourceTypes.some((t) => t.startsWith('azurerm_kubernetes')))
      .map((r) => ({ id: r.id, reason: 'Judged by the AksCluster tests, not here.' })));
    new BlobContainerStore(stack, 'Datasets', { cloud, purpose: 'datasets' });
    new BackupPolicy(stack, 'Backup', { cloud, cluster });
    const entries = stack.dataStores.stores;
    const state = entries.find((e) => e.store.kind === DataStoreKind.CLUSTER_STATE)!;
    expect(state.protections[0].copyRegion).toBe('centralus');
    expect(state.protections[0].mechanism).toMatch(/Velero/);
    const blob = entries.find((e) => e.store.kind === DataStoreKind.OBJECT_STORE)!;
    expect(blob.protections.map((p) => p.copyRegion)).toContain('centralus');
    expect(blob.protections.find((p) => p.mechanism === 'Azure Backup (Data Protection backup vault)')?.restore?.kind).toBe('SNAPSHOT');
    expect(() => synthStack(stack)).not.toThrow();
  });

  describe('validation', () => {
    test.each([
      ['snapshotIntervalHours', { snapshotIntervalHours: 12 }, /snapshotIntervalHours/],
      ['retention', { retention: Duration.days(3) }, /retention/],
      ['softDeleteRetentionDays', { softDeleteRetentionDays: 7 }, /softDeleteRetentionDays/],
    ])('%s', (prop, extra, message) => {
      const { stack, cloud } = setup();
      expectValidationError(() => new DataProtectionBackupPlan(stack, 'Plan', { cloud, ...OPTIONS, ...extra as any }), 'test/Plan', prop, message);
    });

    test('a primary region without a pair', () => {
      const { stack, cloud } = setup('swedencentral', 'polandcentral');
      expectValidationError(() => new DataProtectionBackupPlan(stack, 'Plan', { cloud, ...OPTIONS }), 'test/Plan', 'primaryRegion', /has no Azure pair region/);
    });
  });
});

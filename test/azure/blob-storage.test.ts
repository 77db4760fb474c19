import { Construct } from 'constructs';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { AzureCloud } from '../../lib/azure/azure-cloud';
import { BlobContainerStore } from '../../lib/azure/blob-storage';
import { PolicySuppressions } from '../../lib/core/policy/policy-suppressions';
import { AzurePolicyRules } from '../../lib/azure/policy/azure-policy-rules';
import { expectValidationError, newStack, refTo, resourceAt, resourcesOfType, synthStack } from '../helpers';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

function setup(drRegion = 'centralus') {
  const stack = newStack({ primaryRegion: 'eastus2', recoveryObjective: RecoveryObjective.businessCritical(drRegion) });
  const cloud = new AzureCloud(stack, 'Azure', { subscriptionId: SUBSCRIPTION });
  stack.policy.addRules(AzurePolicyRules.all());
  // The keys are AzureCloud's (rotation policy with expire_after rather than a fixed expiration_date).
  PolicySuppressions.add(cloud, [{ id: 'CKV_AZURE_40', reason: 'Keys of AzureCloud expire through their rotation policy.' }]);
  return { stack, cloud };
}

function identity(scope: Construct, principalId = 'principal-1'): any {
  const construct = new Construct(scope, 'Identity') as any;
  construct.namespace = 'mlflow';
  construct.serviceAccountName = 'mlflow';
  construct.principalId = principalId;
  construct.prerequisites = [];
  return construct;
}

describe('BlobContainerStore', () => {
  test('is a private, CMK-encrypted, versioned ZRS StorageV2 account with shared keys off and a private container', () => {
    const { stack, cloud } = setup();
    const store = new BlobContainerStore(stack, 'Datasets', { cloud, purpose: 'datasets' });
    const json = synthStack(stack).json;
    const account = resourceAt(json, 'azurerm_storage_account', 'Datasets/Resource');
    expect(account).toMatchObject({
      location: 'eastus2', account_kind: 'StorageV2', account_tier: 'Standard', account_replication_type: 'ZRS',
      https_traffic_only_enabled: true, min_tls_version: 'TLS1_2', shared_access_key_enabled: false, default_to_oauth_authentication: true,
      local_user_enabled: false, allow_nested_items_to_be_public: false, cross_tenant_replication_enabled: false,
      infrastructure_encryption_enabled: true, public_network_access_enabled: false,
      network_rules: { default_action: 'Deny', bypass: ['AzureServices'] },
      identity: { type: 'UserAssigned' },
      blob_properties: {
        versioning_enabled: true, change_feed_enabled: true, change_feed_retention_in_days: 35,
        delete_retention_policy: { days: 30 }, container_delete_retention_policy: { days: 30 },
      },
    });
    expect(account.name).toMatch(/^st[a-z0-9]+[0-9a-f]{8}$/);
    expect(account.name.length).toBeLessThanOrEqual(24);
    expect(account.customer_managed_key.key_vault_key_id).toMatch(/azurerm_key_vault_key\..*PrimaryDataKey.*\.versionless_id/);
    expect(account.customer_managed_key.user_assigned_identity_id).toBe(refTo(json, 'azurerm_user_assigned_identity', 'Datasets/EncryptionIdentity', 'id'));
    expect(account.immutability_policy).toBeUndefined();
    // The identity holds the key role before the account is created.
    expect(account.depends_on.some((d: string) => d.startsWith('azurerm_role_assignment.'))).toBe(true);
    const grant = resourcesOfType(json, 'azurerm_role_assignment').find((r: any) => r.role_definition_name === 'Key Vault Crypto Service Encryption User'
      && r.principal_id === refTo(json, 'azurerm_user_assigned_identity', 'Datasets/EncryptionIdentity', 'principal_id'));
    expect(grant).toBeDefined();
    expect(resourceAt(json, 'azurerm_storage_container', 'Datasets/Container')).toMatchObject({ name: 'datasets', container_access_type: 'private' });
    expect(resourceAt(json, 'azurerm_private_endpoint', 'Datasets/PrivateEndpoint').private_service_connection).toMatchObject({ subresource_names: ['blob'] });
    expect(resourceAt(json, 'azurerm_management_lock', 'Datasets/DeleteLock')).toMatchObject({ lock_level: 'CanNotDelete' });
    expect(resourceAt(json, 'azurerm_storage_management_policy', 'Datasets/Lifecycle').rule[0]).toMatchObject({
      filters: { blob_types: ['blockBlob'] }, actions: { version: { delete_after_days_since_creation: 90 } },
    });
    expect(store.url).toMatch(/^https:\/\/.*\.blob\.core\.windows\.net\//);
    expect((stack as any).costLines.some((l: any) => l.component === store.node.path && l.priceKey === 'blob:hot:zrs')).toBe(true);
  });

  test('replicates to an account in the DR region with object replication and registers the copy', () => {
    const { stack, cloud } = setup();
    const store = new BlobContainerStore(stack, 'Datasets', { cloud, purpose: 'datasets' });
    const json = synthStack(stack).json;
    const replica = resourceAt(json, 'azurerm_storage_account', 'Datasets/Replica/Resource');
    expect(replica.location).toBe('centralus');
    expect(replica.customer_managed_key.key_vault_key_id).toMatch(/DrDataKey/);
    expect(replica.name).toMatch(/dr[0-9a-f]{8}$/);
    const replication = resourceAt(json, 'azurerm_storage_object_replication', 'Datasets/Replication');
    expect(replication.rules).toEqual([expect.objectContaining({ copy_blobs_created_after: 'Everything' })]);
    expect(replication.source_storage_account_id).toBe(refTo(json, 'azurerm_storage_account', 'Datasets/Resource', 'id'));
    expect(replication.destination_storage_account_id).toBe(refTo(json, 'azurerm_storage_account', 'Datasets/Replica/Resource', 'id'));
    const entry = stack.dataStores.stores.find((e) => e.store.path === store.node.path)!;
    expect(entry.store.backupServiceEligible).toBe(true);
    const replicated = entry.protections.find((p) => p.mechanism === 'Blob object replication')!;
    expect(replicated.copyRegion).toBe('centralus');
    expect(replicated.copyRpo.toMinutes()).toBe(60);
    expect(replicated.restore?.kind).toBe('REPLICA');
    expect(replicated.restore?.steps[0].commands?.join('\n')).toMatch(/or-policy delete/);
    // The DR replica is not registered on its own.
    expect(stack.dataStores.stores.some((e) => e.store.path === store.replica!.node.path)).toBe(false);
  });

  test('is not eligible for BackupPolicy when the DR region is not the pair of the primary region', () => {
    const { stack, cloud } = setup('westus3');
    const store = new BlobContainerStore(stack, 'Datasets', { cloud, purpose: 'datasets' });
    expect(stack.dataStores.stores.find((e) => e.store.path === store.node.path)!.store.backupServiceEligible).toBe(false);
  });

  test('objectLockDays sets an account-level immutability policy on both accounts and keeps versions at least that long', () => {
    const { stack, cloud } = setup();
    new BlobContainerStore(stack, 'Models', { cloud, purpose: 'models', objectLockDays: 365 });
    const json = synthStack(stack).json;
    for (const path of ['Models/Resource', 'Models/Replica/Resource']) {
      expect(resourceAt(json, 'azurerm_storage_account', path).immutability_policy).toEqual({
        allow_protected_append_writes: false, state: 'Unlocked', period_since_creation_in_days: 365,
      });
    }
    expect(resourceAt(json, 'azurerm_storage_management_policy', 'Models/Lifecycle').rule[0].actions.version.delete_after_days_since_creation).toBe(365);
  });

  test('grants Storage Blob Data roles to the identity on the account, once each, and makes its pods wait', () => {
    const { stack, cloud } = setup();
    const store = new BlobContainerStore(stack, 'Datasets', { cloud, purpose: 'datasets', replicateToDrRegion: false, register: false });
    const id = identity(stack);
    store.grantRead(id);
    store.grantRead(id);
    store.grantReadWrite(id);
    const json = synthStack(stack).json;
    const grants = resourcesOfType(json, 'azurerm_role_assignment').filter((r: any) => r.principal_id === 'principal-1');
    expect(grants.map((g: any) => g.role_definition_name).sort()).toEqual(['Storage Blob Data Contributor', 'Storage Blob Data Reader']);
    expect(grants[0]).toMatchObject({ principal_type: 'ServicePrincipal' });
    expect(grants[0].scope).toBe(refTo(json, 'azurerm_storage_account', 'Datasets/Resource', 'id'));
    expect(id.prerequisites.length).toBeGreaterThanOrEqual(3);
  });

  test('admits the deployer addresses when the cloud has them', () => {
    const stack = newStack({ primaryRegion: 'eastus2', recoveryObjective: RecoveryObjective.businessCritical('centralus') });
    const cloud = new AzureCloud(stack, 'Azure', { subscriptionId: SUBSCRIPTION, deployerCidrs: ['203.0.113.7/32', '198.51.100.0/24'] });
    const store = new BlobContainerStore(stack, 'Datasets', { cloud, purpose: 'datasets', replicateToDrRegion: false, register: false });
    const account = resourceAt(synthStack(stack).json, 'azurerm_storage_account', 'Datasets/Resource');
    expect(account.public_network_access_enabled).toBe(true);
    expect(account.network_rules).toMatchObject({ default_action: 'Deny', ip_rules: ['203.0.113.7', '198.51.100.0/24'] });
    expect(PolicySuppressions.find(store.resource, 'CKV_AZURE_59')?.reason).toMatch(/default-deny firewall/);
  });

  test('the policy pack passes it, with reasoned suppressions only', () => {
    const { stack, cloud } = setup();
    new BlobContainerStore(stack, 'Datasets', { cloud, purpose: 'datasets' });
    const result = synthStack(stack);
    const findings = (result.report?.policy?.findings ?? []).filter((f: any) => f.constructPath.includes('/Datasets/'));
    expect(findings.filter((f: any) => !f.suppressedBecause)).toEqual([]);
    expect(findings.map((f: any) => f.ruleId).sort()).toEqual(expect.arrayContaining(['CKV_AZURE_206', 'CKV_AZURE_33', 'CKV2_AZURE_21']));
  });

  describe('validation', () => {
    test.each([
      ['bucketName', { bucketName: 'Bad_Name' }, /3-63 lower-case/],
      ['storageAccountName', { storageAccountName: 'has-dash' }, /3-24 lower-case letters and digits/],
      ['objectLockDays', { objectLockDays: 0 }, /objectLockDays/],
      ['noncurrentVersionExpirationDays', { noncurrentVersionExpirationDays: 0 }, /noncurrentVersionExpirationDays/],
      ['noncurrentVersionExpirationDays', { objectLockDays: 30, noncurrentVersionExpirationDays: 10 }, /shorter than objectLockDays/],
      ['replicateToDrRegion', { inDrRegion: true, replicateToDrRegion: true }, /already in the DR region/],
    ])('%s', (prop, extra, message) => {
      const { stack, cloud } = setup();
      expectValidationError(() => new BlobContainerStore(stack, 'Store', { cloud, purpose: 'datasets', ...extra as any }), 'test/Store', prop, message);
    });

    test('two stores with the same account name', () => {
      const { stack, cloud } = setup();
      new BlobContainerStore(stack, 'A', { cloud, purpose: 'a', storageAccountName: 'stsame', replicateToDrRegion: false });
      expectValidationError(() => new BlobContainerStore(stack, 'B', { cloud, purpose: 'b', storageAccountName: 'stsame', replicateToDrRegion: false }),
        'test/B', 'storageAccountName', /stsame/);
    });

    test('an identity without a principal', () => {
      const { stack, cloud } = setup();
      const store = new BlobContainerStore(stack, 'Store', { cloud, purpose: 'datasets', replicateToDrRegion: false });
      expectValidationError(() => store.grantRead(identity(stack, '')), 'test/Store', 'identity', /has no Entra principal/);
    });
  });
});

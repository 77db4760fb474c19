import { Construct } from 'constructs';
import { AksCluster } from '../../lib/azure/aks-cluster';
import { AzureCloud } from '../../lib/azure/azure-cloud';
import { KeyVaultSecretStore } from '../../lib/azure/key-vault-secret-store';
import { AzurePolicyRules } from '../../lib/azure/policy/azure-policy-rules';
import { PolicySuppressions } from '../../lib/core/policy/policy-suppressions';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { expectValidationError, helmRelease, manifestObjects, newStack, refTo, resourceAt, resourcesOfType, synthStack } from '../helpers';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

function setup() {
  const stack = newStack({ primaryRegion: 'eastus2', recoveryObjective: RecoveryObjective.businessCritical('centralus') });
  const cloud = new AzureCloud(stack, 'Azure', { subscriptionId: SUBSCRIPTION });
  stack.policy.addRules(AzurePolicyRules.all());
  PolicySuppressions.add(cloud, [{ id: 'CKV_AZURE_40', reason: 'Keys of AzureCloud expire through their rotation policy.' }]);
  const cluster = new AksCluster(stack, 'Cluster', { cloud });
  PolicySuppressions.add(cluster, AzurePolicyRules.all().filter((r) => r.resourceTypes.some((t) => t.startsWith('azurerm_kubernetes')))
    .map((r) => ({ id: r.id, reason: 'Judged by the AksCluster tests, not here.' })));
  return { stack, cloud, cluster };
}

function secret(scope: Construct, cloud: AzureCloud, name = 'fraud-prod-mlflow-db') {
  return KeyVaultSecretStore.newSecret(scope, `Secret-${name}`, { cloud, secretName: name, purpose: 'mlflow login', value: '${local.password}' });
}

describe('KeyVaultSecretStore', () => {
  test('newSecret writes the value write-only into the primary RBAC vault, after the deployer role and private endpoint', () => {
    const { stack, cloud } = setup();
    secret(stack, cloud);
    const json = synthStack(stack).json;
    const kv = resourceAt(json, 'azurerm_key_vault_secret', 'Secret-fraud-prod-mlflow-db');
    expect(kv).toMatchObject({
      name: 'fraud-prod-mlflow-db', content_type: 'application/json', value_wo: '${local.password}', value_wo_version: 1,
      key_vault_id: refTo(json, 'azurerm_key_vault', 'PrimaryKeyVault/Resource', 'id'),
    });
    expect(kv.value).toBeUndefined();
    expect(kv.depends_on.some((d: string) => d.startsWith('azurerm_role_assignment.'))).toBe(true);
    expect(kv.depends_on.some((d: string) => d.startsWith('azurerm_private_endpoint.'))).toBe(true);
  });

  test('a store scoped to one namespace reads only its secrets through its own workload identity', () => {
    const { stack, cloud, cluster } = setup();
    const login = secret(stack, cloud);
    secret(stack, cloud, 'other-secret');
    const store = new KeyVaultSecretStore(stack, 'Secrets', {
      cloud, cluster, namespace: 'mlflow', name: 'mlflow-db', secrets: [{ secretName: 'mlflow-db', secret: login, properties: ['username', 'password'] }],
    });
    const result = synthStack(stack);
    const json = result.json;
    const grants = resourcesOfType(json, 'azurerm_role_assignment').filter((r: any) => r.role_definition_name === 'Key Vault Secrets User');
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({
      scope: refTo(json, 'azurerm_key_vault_secret', 'Secret-fraud-prod-mlflow-db', 'resource_versionless_id'), principal_type: 'ServicePrincipal',
    });
    expect(store.identity.namespace).toBe('mlflow');
    const release = helmRelease(json, 'mlflow-db');
    expect(release.namespace).toBe('mlflow');
    // The grant exists before the controller first exchanges the store's token.
    expect(release.depends_on.filter((d: string) => d.startsWith('azurerm_role_assignment.Secrets_Read1'))).toHaveLength(1);
    const objects = manifestObjects(result.dir, release);
    const sa = objects.find((o) => o.kind === 'ServiceAccount');
    expect(sa.metadata).toMatchObject({ name: 'mlflow-db', namespace: 'mlflow' });
    expect(sa.metadata.annotations['azure.workload.identity/client-id']).toBeDefined();
    expect(objects.find((o) => o.kind === 'SecretStore').spec.provider.azurekv).toMatchObject({
      authType: 'WorkloadIdentity', serviceAccountRef: { name: 'mlflow-db' },
    });
    expect(objects.find((o) => o.kind === 'ExternalSecret').spec).toMatchObject({
      secretStoreRef: { name: 'mlflow-db', kind: 'SecretStore' },
      target: { name: 'mlflow-db', creationPolicy: 'Owner' },
      data: [
        { secretKey: 'username', remoteRef: { key: `secret/${refTo(json, 'azurerm_key_vault_secret', 'Secret-fraud-prod-mlflow-db', 'name')}`, property: 'username' } },
        { secretKey: 'password', remoteRef: { key: `secret/${refTo(json, 'azurerm_key_vault_secret', 'Secret-fraud-prod-mlflow-db', 'name')}`, property: 'password' } },
      ],
    });
  });

  test('the policy pack passes secrets, with the expiry suppression reasoned', () => {
    const { stack, cloud } = setup();
    secret(stack, cloud);
    const findings = synthStack(stack).report.policy.findings.filter((f: any) => f.address.startsWith('azurerm_key_vault_secret'));
    expect(findings.map((f: any) => [f.ruleId, Boolean(f.suppressedBecause)])).toEqual([['CKV_AZURE_41', true]]);
  });

  describe('validation', () => {
    test.each([
      ['secretName', { secretName: 'bad_name' }, /letters, digits and "-"/],
      ['valueVersion', { valueVersion: 0 }, /valueVersion/],
      ['value', { value: '' }, /non-empty expression/],
    ])('newSecret %s', (prop, extra, message) => {
      const { stack, cloud } = setup();
      expectValidationError(() => KeyVaultSecretStore.newSecret(stack, 'S', {
        cloud, secretName: 'ok', purpose: 'p', value: '${local.x}', ...extra as any,
      }), 'test', prop, message);
    });

    test.each([
      ['name', { name: 'Bad_Name' }, /name/],
      ['name', { name: 'a'.repeat(54) }, /longer than 53/],
      ['secrets', { secrets: [] }, /secrets/],
      ['secrets[0].secretName', { secrets: [{ secretName: 'Bad_Name', properties: ['a'] }] }, /secretName/],
      ['secrets[0].properties', { secrets: [{ secretName: 'ok', properties: [] }] }, /properties/],
    ])('store %s', (prop, extra, message) => {
      const { stack, cloud, cluster } = setup();
      const s = secret(stack, cloud);
      const patched = { ...extra as any };
      if (patched.secrets) {
        patched.secrets = patched.secrets.map((x: any) => ({ ...x, secret: s }));
      }
      expectValidationError(() => new KeyVaultSecretStore(stack, 'Store', {
        cloud, cluster, namespace: 'mlflow', name: 'mlflow-db', secrets: [{ secretName: 'mlflow-db', secret: s, properties: ['password'] }], ...patched,
      }), 'test/Store', prop, message);
    });
  });
});

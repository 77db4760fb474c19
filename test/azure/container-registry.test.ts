import { Construct } from 'constructs';
import { AzureCloud } from '../../lib/azure/azure-cloud';
import { AzureContainerRegistry } from '../../lib/azure/container-registry';
import { AzurePolicyRules } from '../../lib/azure/policy/azure-policy-rules';
import { PolicySuppressions } from '../../lib/core/policy/policy-suppressions';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { expectValidationError, newStack, refTo, resourceAt, resourcesOfType, synthStack } from '../helpers';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

function setup(primaryRegion = 'eastus2') {
  const stack = newStack({ primaryRegion, recoveryObjective: RecoveryObjective.businessCritical('centralus') });
  const cloud = new AzureCloud(stack, 'Azure', { subscriptionId: SUBSCRIPTION });
  stack.policy.addRules(AzurePolicyRules.all());
  PolicySuppressions.add(cloud, [{ id: 'CKV_AZURE_40', reason: 'Keys of AzureCloud expire through their rotation policy.' }]);
  return { stack, cloud };
}

function identity(scope: Construct, principalId = 'principal-1'): any {
  const construct = new Construct(scope, 'Identity') as any;
  construct.namespace = 'serving';
  construct.serviceAccountName = 'serving';
  construct.principalId = principalId;
  construct.prerequisites = [];
  return construct;
}

describe('AzureContainerRegistry', () => {
  test('is a private, zone-redundant, CMK-encrypted Premium registry with retention and a lock', () => {
    const { stack, cloud } = setup();
    const registry = new AzureContainerRegistry(stack, 'Images', { cloud, repositoryName: 'fraud/serving' });
    const json = synthStack(stack).json;
    const acr = resourceAt(json, 'azurerm_container_registry', 'Images/Resource');
    expect(acr).toMatchObject({
      sku: 'Premium', admin_enabled: false, anonymous_pull_enabled: false, public_network_access_enabled: false, export_policy_enabled: false,
      data_endpoint_enabled: true, zone_redundancy_enabled: true, retention_policy_in_days: 14, network_rule_bypass_option: 'AzureServices',
      identity: { type: 'UserAssigned' }, lifecycle: { ignore_changes: ['georeplications'] },
    });
    expect(acr.name).toMatch(/^cr[a-z0-9]+[0-9a-f]{8}$/);
    expect(acr.georeplications).toBeUndefined();
    expect(acr.trust_policy_enabled).toBeUndefined();
    expect(acr.encryption).toEqual([{
      key_vault_key_id: expect.stringMatching(/PrimaryDataKey/),
      identity_client_id: refTo(json, 'azurerm_user_assigned_identity', 'Images/EncryptionIdentity', 'client_id'),
    }]);
    expect(acr.depends_on.some((d: string) => d.startsWith('azurerm_role_assignment.'))).toBe(true);
    expect(resourceAt(json, 'azurerm_private_endpoint', 'Images/PrivateEndpoint').private_service_connection).toMatchObject({ subresource_names: ['registry'] });
    expect(resourceAt(json, 'azurerm_management_lock', 'Images/DeleteLock').lock_level).toBe('CanNotDelete');
    expect(registry.repositoryName).toBe('fraud/serving');
    expect(registry.repositoryUrl).toMatch(/\/fraud\/serving$/);
  });

  test('lists the geo-replication and tag-lock operator steps', () => {
    const { stack, cloud } = setup();
    new AzureContainerRegistry(stack, 'Images', { cloud, repositoryName: 'fraud/serving' });
    const steps = synthStack(stack).report.deploymentSteps ?? (stack as any).deploymentSteps;
    const text = JSON.stringify(steps);
    expect(text).toMatch(/az acr replication create --registry cr[a-z0-9]+ --location centralus --zone-redundancy Enabled/);
    expect(text).toMatch(/az acr repository update .*--write-enabled false/);
  });

  test('geoReplication: false drops the replica step and ignores nothing', () => {
    const { stack, cloud } = setup();
    new AzureContainerRegistry(stack, 'Images', { cloud, repositoryName: 'serving', geoReplication: false });
    const result = synthStack(stack);
    expect(resourceAt(result.json, 'azurerm_container_registry', 'Images/Resource').lifecycle).toBeUndefined();
    expect(JSON.stringify(result.report)).not.toMatch(/az acr replication create/);
    const findings = result.report.policy.findings.filter((f: any) => f.constructPath.startsWith('test/Images/'));
    expect(findings.find((f: any) => f.ruleId === 'CKV_AZURE_165')?.suppressedBecause).toMatch(/geoReplication: false was set/);
  });

  test('grants AcrPull and AcrPush on the registry, once each', () => {
    const { stack, cloud } = setup();
    const registry = new AzureContainerRegistry(stack, 'Images', { cloud, repositoryName: 'serving' });
    const id = identity(stack);
    registry.grantPull(id);
    registry.grantPull(id);
    registry.grantPush(id);
    const json = synthStack(stack).json;
    const grants = resourcesOfType(json, 'azurerm_role_assignment').filter((r: any) => r.principal_id === 'principal-1');
    expect(grants.map((g: any) => g.role_definition_name).sort()).toEqual(['AcrPull', 'AcrPush']);
    expect(grants[0].scope).toBe(refTo(json, 'azurerm_container_registry', 'Images/Resource', 'id'));
    expect(id.prerequisites).toHaveLength(2);
  });

  test('the policy pack passes it, with reasoned suppressions only', () => {
    const { stack, cloud } = setup();
    new AzureContainerRegistry(stack, 'Images', { cloud, repositoryName: 'serving' });
    const findings = synthStack(stack).report.policy.findings.filter((f: any) => f.constructPath.startsWith('test/Images/'));
    expect(findings.filter((f: any) => !f.suppressedBecause)).toEqual([]);
    expect(findings.map((f: any) => f.ruleId).sort()).toEqual(['CKV_AZURE_164', 'CKV_AZURE_165', 'CKV_AZURE_166']);
  });

  describe('validation', () => {
    test.each([
      ['repositoryName', { repositoryName: 'Bad Name' }, /not a valid repository name/],
      ['registryName', { registryName: 'no-dash' }, /5-50 letters and digits/],
      ['untaggedImageExpiryDays', { untaggedImageExpiryDays: 400 }, /untaggedImageExpiryDays/],
      ['maxImageCount', { maxImageCount: 0 }, /maxImageCount/],
    ])('%s', (prop, extra, message) => {
      const { stack, cloud } = setup();
      expectValidationError(() => new AzureContainerRegistry(stack, 'Images', { cloud, repositoryName: 'serving', ...extra as any }), 'test/Images', prop, message);
    });

    test('two registries with the same name', () => {
      const { stack, cloud } = setup();
      new AzureContainerRegistry(stack, 'A', { cloud, repositoryName: 'aa', registryName: 'crsame1' });
      expectValidationError(() => new AzureContainerRegistry(stack, 'B', { cloud, repositoryName: 'bb', registryName: 'CRSAME1' }), 'test/B', 'registryName', /crsame1/);
    });

    test('an identity without a principal', () => {
      const { stack, cloud } = setup();
      const registry = new AzureContainerRegistry(stack, 'Images', { cloud, repositoryName: 'serving' });
      expectValidationError(() => registry.grantPush(identity(stack, '')), 'test/Images', 'identity', /has no Entra principal/);
    });
  });
});

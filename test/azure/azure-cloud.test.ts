import { AzureCloud, AzureKeyPurpose, AzureRegionRole, AzurermVersion } from '../../lib/azure/azure-cloud';
import { AzurePriceCatalog } from '../../lib/azure/azure-price-catalog';
import { azurePairedRegion } from '../../lib/azure/azure-regions';
import { expectValidationError, providersOfType, resourceAt, resourcesOfType, synthStack } from '../helpers';
import { newAzureCloud, newAzureStack, SUBSCRIPTION } from './azure-test-helpers';

describe('AzureCloud', () => {
  test('configures the azurerm provider: Entra ID for storage, no automatic provider registration, soft-delete recovery', () => {
    const { stack } = newAzureCloud();
    const { json } = synthStack(stack);
    const [provider] = providersOfType(json, 'azurerm');
    expect(provider).toMatchObject({
      subscription_id: SUBSCRIPTION,
      storage_use_azuread: true,
      resource_provider_registrations: 'none',
      features: [{
        key_vault: [{ purge_soft_delete_on_destroy: false, purge_soft_deleted_keys_on_destroy: false, recover_soft_deleted_key_vaults: true }],
        resource_group: [{ prevent_deletion_if_contains_resources: true }],
      }],
    });
    expect(provider.resource_providers_to_register).toEqual(expect.arrayContaining(['Microsoft.ContainerService', 'Microsoft.KeyVault', 'Microsoft.DataProtection']));
    // The AKS add-ons the platform turns on (Azure Policy, Container Insights) need their own providers registered in a fresh subscription.
    expect(provider.resource_providers_to_register).toEqual(expect.arrayContaining(['Microsoft.PolicyInsights', 'Microsoft.OperationsManagement']));
    // Data-plane writes right after the deployer's Key Vault role race RBAC propagation: the report says what to do.
    expect(JSON.stringify(synthStack(stack).report.deploymentSteps)).toMatch(/ForbiddenByRbac.*run the deploy again/);
    expect(json.data.azurerm_client_config).toBeDefined();
  });

  test('tags every taggable azurerm resource with the cost allocation (one Aspect), keeping tags a construct sets', () => {
    const { stack, cloud } = newAzureCloud();
    cloud.key(AzureKeyPurpose.DATA);
    const { json } = synthStack(stack);
    const expected = { 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod', 'managed-by': 'cdktf-mlops' };
    for (const type of ['azurerm_resource_group', 'azurerm_virtual_network', 'azurerm_key_vault', 'azurerm_key_vault_key', 'azurerm_nat_gateway',
      'azurerm_public_ip', 'azurerm_network_security_group', 'azurerm_private_endpoint', 'azurerm_private_dns_zone']) {
      const resources = resourcesOfType(json, type);
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) {
        expect(r.tags).toEqual(expected);
      }
    }
    // Resources without tags in their schema get none.
    for (const r of resourcesOfType(json, 'azurerm_role_assignment')) {
      expect(r.tags).toBeUndefined();
    }
  });

  test('creates a resource group per region on first use', () => {
    const { stack, cloud } = newAzureCloud();
    expect(cloud.resourceGroupName(AzureRegionRole.DR)).toBeDefined();
    const { json } = synthStack(stack);
    const groups = resourcesOfType(json, 'azurerm_resource_group');
    expect(groups.map((g) => [g.name, g.location]).sort()).toEqual([['rg-fraud-prod-dr', 'centralus'], ['rg-fraud-prod-primary', 'eastus2']]);
  });

  test('keeps keys in a premium RBAC Key Vault per region with purge protection, 90-day soft delete, private endpoint and lock', () => {
    const { stack, cloud } = newAzureCloud();
    const a = cloud.key(AzureKeyPurpose.DATA);
    expect(cloud.key(AzureKeyPurpose.DATA, AzureRegionRole.PRIMARY)).toBe(a);
    cloud.key(AzureKeyPurpose.DATA, AzureRegionRole.DR);
    const { json } = synthStack(stack);
    const vaults = resourcesOfType(json, 'azurerm_key_vault');
    expect(vaults).toHaveLength(2);
    for (const vault of vaults) {
      expect(vault).toMatchObject({
        sku_name: 'premium', rbac_authorization_enabled: true, purge_protection_enabled: true, soft_delete_retention_days: 90,
        public_network_access_enabled: false, network_acls: { default_action: 'Deny', bypass: 'AzureServices' },
      });
      expect(vault.name.length).toBeLessThanOrEqual(24);
      expect(vault.name).toMatch(/^kv[a-z0-9]+-[pd][0-9a-f]{6}$/);
    }
    expect(resourceAt(json, 'azurerm_key_vault', 'DrKeyVault/Resource').location).toBe('centralus');
    const keys = resourcesOfType(json, 'azurerm_key_vault_key');
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).toMatchObject({
        key_type: 'RSA-HSM', key_size: 2048, lifecycle: { prevent_destroy: true },
        rotation_policy: { automatic: { time_after_creation: 'P90D' }, expire_after: 'P2Y' },
      });
      expect(key.depends_on.some((d: string) => d.startsWith('azurerm_role_assignment.'))).toBe(true);
      expect(key.depends_on.some((d: string) => d.startsWith('azurerm_private_endpoint.'))).toBe(true);
    }
    const locks = resourcesOfType(json, 'azurerm_management_lock');
    expect(locks).toHaveLength(2);
    expect(locks.every((l) => l.lock_level === 'CanNotDelete')).toBe(true);
    const endpoints = resourcesOfType(json, 'azurerm_private_endpoint');
    expect(endpoints.map((e) => e.private_service_connection.subresource_names)).toEqual([['vault'], ['vault']]);
    const admin = resourcesOfType(json, 'azurerm_role_assignment').filter((r) => r.role_definition_name === 'Key Vault Administrator');
    expect(admin).toHaveLength(2);
    expect(admin[0].principal_id).toMatch(/data\.azurerm_client_config\..*\.object_id/);
  });

  test('opens the Key Vault firewall to the deployer CIDRs only when given', () => {
    const { stack, cloud } = newAzureCloud({ deployerCidrs: ['203.0.113.0/24'] });
    cloud.keyVault();
    const { json } = synthStack(stack);
    expect(resourcesOfType(json, 'azurerm_key_vault')[0]).toMatchObject({
      public_network_access_enabled: true, network_acls: { default_action: 'Deny', ip_rules: ['203.0.113.0/24'] },
    });
  });

  test('grants a principal the key once per grant id, scoped to the key', () => {
    const { stack, cloud } = newAzureCloud();
    const key = cloud.key(AzureKeyPurpose.DATA);
    const grant = key.grantEncryptDecrypt('00000000-0000-0000-0000-000000000001', 'Storage');
    expect(key.grantEncryptDecrypt('00000000-0000-0000-0000-000000000001', 'Storage')).toBe(grant);
    const { json } = synthStack(stack);
    const g = resourceAt(json, 'azurerm_role_assignment', 'PrimaryDataKey/Storage');
    expect(g).toMatchObject({ role_definition_name: 'Key Vault Crypto Service Encryption User', principal_id: '00000000-0000-0000-0000-000000000001' });
    expect(g.scope).toMatch(/azurerm_key_vault_key\..*\.resource_versionless_id/);
  });

  test('rejects bad key purposes', () => {
    const { cloud } = newAzureCloud();
    expectValidationError(() => cloud.key('Data Key'), 'azure/Azure', 'purpose', /lower-case letters and digits/);
  });

  test('validates the subscription, tenant, regions, deployer CIDRs and resource group prefix', () => {
    expectValidationError(() => newAzureCloud({ subscriptionId: 'my-subscription' }), 'azure/Azure', 'subscriptionId', /must be a GUID.*az account show/);
    expectValidationError(() => newAzureCloud({ tenantId: 'contoso.onmicrosoft.com' }), 'azure/Azure', 'tenantId', /must be a GUID/);
    expectValidationError(() => newAzureCloud({}, newAzureStack({ primaryRegion: 'eastus9' })), 'azure/Azure', 'primaryRegion', /is not an Azure region name.*eastus/);
    expectValidationError(() => newAzureCloud({}, newAzureStack({ primaryRegion: 'westeurope', recoveryObjective: (newAzureStack().recoveryObjective.constructor as any).businessCritical('northcentraleurope') })),
      'azure/Azure', 'recoveryObjective.drRegion', /is not an Azure region name/);
    expectValidationError(() => newAzureCloud({ deployerCidrs: ['203.0.113.7'] }), 'azure/Azure', 'deployerCidrs[0]', /IPv4 CIDR/);
    expectValidationError(() => newAzureCloud({ resourceGroupPrefix: 'rg fraud' }), 'azure/Azure', 'resourceGroupPrefix', /must be 1-81/);
  });

  test('knows whether the DR region is the Azure pair', () => {
    expect(newAzureCloud().cloud.drRegionIsPaired).toBe(true);
    const { cloud } = newAzureCloud({}, newAzureStack({ recoveryObjective: (newAzureStack().recoveryObjective.constructor as any).businessCritical('westus3') }));
    expect(cloud.drRegionIsPaired).toBe(false);
    expect(azurePairedRegion('westeurope')).toBe('northeurope');
    expect(azurePairedRegion('italynorth')).toBeUndefined();
  });

  test('checks PostgreSQL flexible server SKUs and budget notification limits', () => {
    const { cloud, stack } = newAzureCloud();
    expect(() => cloud.checkDatabaseInstanceClass(stack, 'instanceClass', 'GP_Standard_D4ds_v5')).not.toThrow();
    expect(() => cloud.checkDatabaseInstanceClass(stack, 'instanceClass', 'MO_Standard_E8ds_v5')).not.toThrow();
    expectValidationError(() => cloud.checkDatabaseInstanceClass(stack, 'instanceClass', 'B_Standard_B2s'), 'azure', 'instanceClass', /Burstable SKU, which has no zone-redundant high availability/);
    expectValidationError(() => cloud.checkDatabaseInstanceClass(stack, 'instanceClass', 'db.m7g.large'), 'azure', 'instanceClass', /not a PostgreSQL flexible server SKU/);
    expectValidationError(() => cloud.checkBudgetNotifications(stack, 'emails', Array.from({ length: 51 }, (_, i) => `a${i}@example.com`), 't', 2),
      'azure', 'emails', /50 contact emails/);
    expectValidationError(() => cloud.checkBudgetNotifications(stack, 'emails', ['a@example.com'], 'actualThresholdsPercent', 6),
      'azure', 'actualThresholdsPercent', /5 notifications/);
  });

  test('says alert destinations are not built on Azure yet', () => {
    const { cloud, stack } = newAzureCloud();
    expect(() => cloud.newAlertDestination(stack, 'Alerts', {})).toThrow(/alert destinations are not implemented on Azure yet/);
  });

  test('writes the azurerm 5.x forms and requires ~> 5.2 when asked', () => {
    const { stack, cloud } = newAzureCloud({ azurermVersion: AzurermVersion.V5 });
    cloud.keyVault();
    const { json } = synthStack(stack);
    expect(json.terraform.required_providers.azurerm.version).toBe('~> 5.2');
    for (const link of resourcesOfType(json, 'azurerm_private_dns_zone_virtual_network_link')) {
      expect(link.private_dns_zone_id).toMatch(/azurerm_private_dns_zone\./);
      expect(link.private_dns_zone_name).toBeUndefined();
      expect(link.resource_group_name).toBeUndefined();
    }
  });

  test('keeps the azurerm 4.x forms by default', () => {
    const { stack, cloud } = newAzureCloud();
    cloud.keyVault();
    const { json } = synthStack(stack);
    expect(json.terraform.required_providers.azurerm.version).not.toBe('~> 5.2');
    const link = resourcesOfType(json, 'azurerm_private_dns_zone_virtual_network_link')[0];
    expect(link.private_dns_zone_name).toBeDefined();
    expect(link.private_dns_zone_id).toBeUndefined();
  });

  test('registers the Azure price catalog', () => {
    const catalog = AzurePriceCatalog.load();
    expect(catalog.price('aks:standard-tier', 'eastus2')).toMatchObject({ usd: 0.1, unit: 'hour', basis: 'memory' });
    expect(catalog.price('vm:Standard_NC24ads_A100_v4', 'eastus')).toMatchObject({ usd: 3.673, unit: 'hour' });
    expect(catalog.price('vm:Standard_NC24ads_A100_v4', 'westeurope')!.usd).toBeGreaterThan(3.673);
    expect(catalog.price('vm:Standard_ND96isr_H200_v5', 'eastus')).toBeUndefined();
    expect(catalog.price('nat:gateway-hour', 'mars')).toBeUndefined();
    // PostgreSQL flexible server compute: vCores x the tier's vCore price.
    expect(catalog.price('postgres-flexible:GP_Standard_D4ds_v5', 'eastus2')).toMatchObject({ usd: 0.356, unit: 'hour' });
    expect(catalog.price('postgres-flexible:MO_Standard_E8ds_v5', 'eastus2')!.usd).toBeCloseTo(0.968, 3);
    expect(catalog.price('postgres-flexible:B_Standard_B2s', 'eastus2')).toBeUndefined();
    for (const key of ['blob:hot:zrs', 'blob:hot:lrs', 'bandwidth:inter-region', 'acr:premium-hour', 'backup:vault-grs', 'keyvault:secret-operations-10k',
      'postgres-flexible:storage', 'postgres-flexible:backup-geo', 'disk:premium-ssd', 'loganalytics:ingestion-gb', 'keyvault:hsm-key']) {
      expect(catalog.price(key, 'westeurope')).toMatchObject({ basis: 'memory', date: '2026-11-26' });
    }
    for (const region of ['eastus', 'eastus2', 'westus3', 'westeurope', 'northeurope', 'centralus']) {
      expect(catalog.regions).toContain(region);
    }
    expect(AzureCloud.RESOURCE_PROVIDERS).toContain('Microsoft.ContainerService');
  });
});

import { AzurePolicyRules } from '../../../lib/azure/policy/azure-policy-rules';
import { IPolicyContext, IPolicyRule, PolicyLevel, PolicyResource } from '../../../lib/core/policy/policy-rule';

const EMPTY: IPolicyContext = { resourcesOfType: () => [], resourcesReferencing: () => [] };

function ruleById(id: string): IPolicyRule {
  const found = AzurePolicyRules.all().find((r) => r.id === id);
  if (!found) {
    throw new Error(`no rule ${id}`);
  }
  return found;
}

/** A context where the given resources exist and reference every resource they mention by address. */
function contextWith(resources: PolicyResource[]): IPolicyContext {
  return {
    resourcesOfType: (type) => resources.filter((r) => r.type === type),
    resourcesReferencing: (type, target) => resources.filter((r) => r.type === type && JSON.stringify(r.config).includes(`\${${target.address}.`)),
  };
}

function check(id: string, type: string, config: any, context: IPolicyContext = EMPTY): string | undefined {
  const resource: PolicyResource = { type, address: `${type}.x`, constructPath: 'test/x', config };
  return ruleById(id).check(resource, context);
}

const ACCOUNT = {
  name: 'stfraudprod1234', account_kind: 'StorageV2', account_replication_type: 'GZRS', https_traffic_only_enabled: true, min_tls_version: 'TLS1_2',
  public_network_access_enabled: false, allow_nested_items_to_be_public: false, shared_access_key_enabled: false, local_user_enabled: false,
  infrastructure_encryption_enabled: true, network_rules: { default_action: 'Deny', bypass: ['AzureServices'] },
  customer_managed_key: { key_vault_key_id: 'k' }, queue_properties: { logging: { read: true, write: true, delete: true } },
  blob_properties: { versioning_enabled: true, delete_retention_policy: { days: 30 } },
};
const SERVER = {
  geo_redundant_backup_enabled: true, delegated_subnet_id: 's', high_availability: { mode: 'ZoneRedundant' },
  customer_managed_key: { key_vault_key_id: 'k', geo_backup_key_vault_key_id: 'g' },
};
const REGISTRY = {
  sku: 'Premium', admin_enabled: false, anonymous_pull_enabled: false, public_network_access_enabled: false, trust_policy_enabled: true,
  georeplications: [{ location: 'centralus', zone_redundancy_enabled: true }], quarantine_policy_enabled: true, retention_policy_in_days: 7,
  zone_redundancy_enabled: true, data_endpoint_enabled: true, encryption: [{ key_vault_key_id: 'k' }],
};
const VAULT = {
  purge_protection_enabled: true, network_acls: { default_action: 'Deny' }, public_network_access_enabled: false, rbac_authorization_enabled: true,
};
const BACKUP_VAULT = { redundancy: 'GeoRedundant', cross_region_restore_enabled: true, immutability: 'Unlocked', soft_delete: 'AlwaysOn' };
const CLUSTER = {
  oms_agent: { log_analytics_workspace_id: 'w' }, private_cluster_enabled: true, network_profile: { network_plugin: 'azure', network_policy: 'cilium' },
  azure_policy_enabled: true, disk_encryption_set_id: 'd', local_account_disabled: true, sku_tier: 'Standard', automatic_upgrade_channel: 'patch',
  key_vault_secrets_provider: { secret_rotation_enabled: true }, workload_identity_enabled: true, oidc_issuer_enabled: true,
  default_node_pool: { max_pods: 110, os_disk_type: 'Ephemeral', host_encryption_enabled: true, only_critical_addons_enabled: true },
};

function merged(base: any, patch: any): any {
  return { ...JSON.parse(JSON.stringify(base)), ...patch };
}

const ENDPOINT_TO = (type: string) => contextWith([{
  type: 'azurerm_private_endpoint', address: 'azurerm_private_endpoint.pe', constructPath: 'pe',
  config: { private_service_connection: { private_connection_resource_id: `\${${type}.x.id}` } },
}]);
const PARAMETERS = (values: { [name: string]: string }) => contextWith(Object.entries(values).map(([name, value], i) => ({
  type: 'azurerm_postgresql_flexible_server_configuration', address: `azurerm_postgresql_flexible_server_configuration.p${i}`, constructPath: `p${i}`,
  config: { name, value, server_id: '${azurerm_postgresql_flexible_server.x.id}' },
})));

/** [rule, resource type, passing config, failing config, message of the failure, context of the passing check] */
const CASES: Array<[string, string, any, any, RegExp, IPolicyContext?]> = [
  ['CKV_AZURE_3', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { https_traffic_only_enabled: false }), /https_traffic_only_enabled is false/],
  ['CKV_AZURE_33', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { queue_properties: undefined }), /queue_properties.logging/],
  ['CKV_AZURE_35', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { network_rules: { default_action: 'Allow' } }), /"Allow"/],
  ['CKV_AZURE_36', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { network_rules: { default_action: 'Deny', bypass: ['None'] } }), /bypass/],
  ['CKV_AZURE_43', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { name: 'Has-Dash' }), /is not valid/],
  ['CKV_AZURE_44', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { min_tls_version: 'TLS1_1' }), /TLS1_1/],
  ['CKV_AZURE_59', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { public_network_access_enabled: true }), /public_network_access_enabled is true/],
  ['CKV_AZURE_190', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { allow_nested_items_to_be_public: true }), /allow_nested_items_to_be_public/],
  ['CKV_AZURE_206', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { account_replication_type: 'ZRS' }), /"ZRS"/],
  ['CKV_AZURE_244', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { local_user_enabled: true }), /local_user_enabled is true/],
  ['CKV2_AZURE_1', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { customer_managed_key: undefined }), /customer_managed_key/],
  ['CKV2_AZURE_33', 'azurerm_storage_account', ACCOUNT, ACCOUNT, /no azurerm_private_endpoint/, ENDPOINT_TO('azurerm_storage_account')],
  ['CKV2_AZURE_38', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { blob_properties: {} }), /delete_retention_policy/],
  ['CKV2_AZURE_40', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { shared_access_key_enabled: true }), /shared_access_key_enabled is true/],
  ['CKV2_AZURE_41', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { shared_access_key_enabled: true }), /sas_policy/],
  ['CKV2_AZURE_47', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { allow_nested_items_to_be_public: undefined }), /not set/],
  ['MLOPS_AZ_STORAGE_VERSIONING', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { blob_properties: {} }), /versioning_enabled/],
  ['MLOPS_AZ_STORAGE_INFRA_ENCRYPTION', 'azurerm_storage_account', ACCOUNT, merged(ACCOUNT, { infrastructure_encryption_enabled: false }), /infrastructure_encryption/],
  ['CKV_AZURE_34', 'azurerm_storage_container', { container_access_type: 'private' }, { container_access_type: 'blob' }, /"blob"/],
  ['CKV2_AZURE_21', 'azurerm_storage_container', { name: 'data' }, { name: 'data' }, /storage_insights/, contextWith([{
    type: 'azurerm_log_analytics_storage_insights', address: 'azurerm_log_analytics_storage_insights.i', constructPath: 'i', config: { blob_container_names: ['data'] },
  }])],

  ['CKV_AZURE_136', 'azurerm_postgresql_flexible_server', SERVER, merged(SERVER, { geo_redundant_backup_enabled: false }), /geo_redundant_backup_enabled is false/],
  ['CKV2_AZURE_57', 'azurerm_postgresql_flexible_server', SERVER, SERVER, /no azurerm_private_endpoint/, ENDPOINT_TO('azurerm_postgresql_flexible_server')],
  ['MLOPS_AZ_PG_PRIVATE', 'azurerm_postgresql_flexible_server', SERVER, merged(SERVER, { delegated_subnet_id: undefined }), /delegated_subnet_id/],
  ['MLOPS_AZ_PG_HA', 'azurerm_postgresql_flexible_server', SERVER, merged(SERVER, { high_availability: { mode: 'SameZone' } }), /"SameZone"/],
  ['MLOPS_AZ_PG_CMK', 'azurerm_postgresql_flexible_server', SERVER, merged(SERVER, { customer_managed_key: { key_vault_key_id: 'k' } }), /geo_backup_key_vault_key_id/],
  ['MLOPS_AZ_PG_SECURE_TRANSPORT', 'azurerm_postgresql_flexible_server_configuration', { name: 'require_secure_transport', value: 'on' },
    { name: 'require_secure_transport', value: 'OFF' }, /"off"/],
  ['CKV_AZURE_30', 'azurerm_postgresql_flexible_server', SERVER, SERVER, /log_checkpoints is not set/, PARAMETERS({ log_checkpoints: 'on' })],
  ['CKV_AZURE_31', 'azurerm_postgresql_flexible_server', SERVER, SERVER, /log_connections is not set/, PARAMETERS({ log_connections: 'on' })],
  ['CKV_AZURE_32', 'azurerm_postgresql_flexible_server', SERVER, SERVER, /connection_throttle.enable/, PARAMETERS({ 'connection_throttle.enable': 'ON' })],

  ['CKV_AZURE_137', 'azurerm_container_registry', REGISTRY, merged(REGISTRY, { admin_enabled: true }), /admin_enabled is true/],
  ['CKV_AZURE_138', 'azurerm_container_registry', REGISTRY, merged(REGISTRY, { anonymous_pull_enabled: true }), /anonymous_pull_enabled/],
  ['CKV_AZURE_139', 'azurerm_container_registry', REGISTRY, merged(REGISTRY, { public_network_access_enabled: undefined }), /not set/],
  ['CKV_AZURE_163', 'azurerm_container_registry', REGISTRY, merged(REGISTRY, { sku: 'Basic' }), /"Basic"/],
  ['CKV_AZURE_164', 'azurerm_container_registry', REGISTRY, merged(REGISTRY, { trust_policy_enabled: undefined }), /trust_policy_enabled/],
  ['CKV_AZURE_165', 'azurerm_container_registry', REGISTRY, merged(REGISTRY, { georeplications: undefined }), /no georeplications/],
  ['CKV_AZURE_166', 'azurerm_container_registry', REGISTRY, merged(REGISTRY, { quarantine_policy_enabled: false }), /quarantine_policy_enabled is false/],
  ['CKV_AZURE_167', 'azurerm_container_registry', REGISTRY, merged(REGISTRY, { retention_policy_in_days: undefined }), /retention_policy_in_days/],
  ['CKV_AZURE_233', 'azurerm_container_registry', REGISTRY, merged(REGISTRY, { georeplications: [{ location: 'centralus' }] }), /"centralus" is not zone-redundant/],
  ['CKV_AZURE_237', 'azurerm_container_registry', REGISTRY, merged(REGISTRY, { data_endpoint_enabled: false }), /data_endpoint_enabled is false/],
  ['MLOPS_AZ_ACR_CMK', 'azurerm_container_registry', REGISTRY, merged(REGISTRY, { encryption: [] }), /encryption.key_vault_key_id/],

  ['CKV_AZURE_42', 'azurerm_key_vault', VAULT, merged(VAULT, { purge_protection_enabled: false }), /purge_protection_enabled/],
  ['CKV_AZURE_109', 'azurerm_key_vault', VAULT, merged(VAULT, { network_acls: { default_action: 'Allow' } }), /"Allow"/],
  ['CKV_AZURE_110', 'azurerm_key_vault', VAULT, merged(VAULT, { purge_protection_enabled: undefined }), /not set/],
  ['CKV_AZURE_189', 'azurerm_key_vault', VAULT, merged(VAULT, { public_network_access_enabled: true, network_acls: undefined }), /open/],
  ['CKV2_AZURE_32', 'azurerm_key_vault', VAULT, VAULT, /no azurerm_private_endpoint/, ENDPOINT_TO('azurerm_key_vault')],
  ['MLOPS_AZ_KEY_VAULT_RBAC', 'azurerm_key_vault', VAULT, merged(VAULT, { rbac_authorization_enabled: false }), /rbac_authorization_enabled/],
  ['CKV_AZURE_40', 'azurerm_key_vault_key', { expiration_date: '2030-01-01T00:00:00Z' }, {}, /expiration_date/],
  ['CKV_AZURE_112', 'azurerm_key_vault_key', { key_type: 'RSA-HSM' }, { key_type: 'RSA' }, /"RSA"/],
  ['CKV_AZURE_41', 'azurerm_key_vault_secret', { expiration_date: '2030-01-01T00:00:00Z' }, {}, /expiration_date/],
  ['CKV_AZURE_114', 'azurerm_key_vault_secret', { content_type: 'application/json' }, {}, /content_type/],
  ['MLOPS_AZ_SECRET_IN_STATE', 'azurerm_key_vault_secret', { value_wo: '${local.x}' }, { value: 'hunter2' }, /Terraform state/],
  ['MLOPS_AZ_BACKUP_VAULT', 'azurerm_data_protection_backup_vault', BACKUP_VAULT, merged(BACKUP_VAULT, { redundancy: 'LocallyRedundant' }), /LocallyRedundant/],

  ['CKV_AZURE_4', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { oms_agent: undefined }), /oms_agent/],
  ['CKV_AZURE_5', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { role_based_access_control_enabled: false }), /role_based_access_control_enabled/],
  ['CKV_AZURE_6', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { private_cluster_enabled: false }), /authorized_ip_ranges/],
  ['CKV_AZURE_7', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { network_profile: { network_plugin: 'azure' } }), /network_policy/],
  ['CKV_AZURE_115', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { private_cluster_enabled: false }), /private_cluster_enabled is false/],
  ['CKV_AZURE_116', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { azure_policy_enabled: false }), /azure_policy_enabled/],
  ['CKV_AZURE_117', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { disk_encryption_set_id: undefined }), /disk_encryption_set_id/],
  ['CKV_AZURE_141', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { local_account_disabled: false }), /local_account_disabled/],
  ['CKV_AZURE_143', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { default_node_pool: { node_public_ip_enabled: true } }), /node_public_ip_enabled/],
  ['CKV_AZURE_168', 'azurerm_kubernetes_cluster_node_pool', { max_pods: 110 }, {}, /default is 30/],
  ['CKV_AZURE_169', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { default_node_pool: { type: 'AvailabilitySet' } }), /AvailabilitySet/],
  ['CKV_AZURE_170', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { sku_tier: 'Free' }), /"Free"/],
  ['CKV_AZURE_171', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { automatic_upgrade_channel: 'none' }), /"none"/],
  ['CKV_AZURE_172', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { key_vault_secrets_provider: undefined }), /secret_rotation_enabled/],
  ['CKV_AZURE_226', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { default_node_pool: { os_disk_type: 'Managed' } }), /"Managed"/],
  ['CKV_AZURE_227', 'azurerm_kubernetes_cluster_node_pool', { host_encryption_enabled: true }, {}, /host_encryption_enabled/],
  ['CKV_AZURE_232', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { default_node_pool: {} }), /only_critical_addons_enabled/],
  ['CKV_AZURE_246', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { http_application_routing_enabled: true }), /http_application_routing/],
  ['CKV2_AZURE_29', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { network_profile: { network_plugin: 'kubenet' } }), /"kubenet"/],
  ['MLOPS_AZ_AKS_WORKLOAD_IDENTITY', 'azurerm_kubernetes_cluster', CLUSTER, merged(CLUSTER, { workload_identity_enabled: false }), /workload_identity_enabled/],
  ['CKV2_AZURE_31', 'azurerm_subnet', { name: 'snet-nodes' }, { name: 'snet-nodes' }, /subnet_network_security_group_association/, contextWith([{
    type: 'azurerm_subnet_network_security_group_association', address: 'azurerm_subnet_network_security_group_association.a', constructPath: 'a',
    config: { subnet_id: '${azurerm_subnet.x.id}' },
  }])],
];

describe('AzurePolicyRules', () => {
  test('rule IDs are unique, all errors, and every resource type is an azurerm one', () => {
    const rules = AzurePolicyRules.all();
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(rules.every((r) => r.resourceTypes.every((t) => t.startsWith('azurerm_')))).toBe(true);
    expect(rules.filter((r) => r.level === PolicyLevel.WARNING)).toEqual([]);
    expect(rules.every((r) => /^(CKV2?_AZURE_\d+|MLOPS_AZ_[A-Z_]+)$/.test(r.id))).toBe(true);
  });

  test('every rule is exercised below', () => {
    const tested = new Set(CASES.map(([id]) => id));
    expect(AzurePolicyRules.all().map((r) => r.id).filter((id) => !tested.has(id))).toEqual([]);
  });

  // Every row gets its context, so jest does not take the last parameter of shorter rows for a `done` callback.
  const rows: Array<[string, string, any, any, RegExp, IPolicyContext]> = CASES.map(([id, type, good, bad, message, context]) =>
    [id, type, good, bad, message, context ?? EMPTY]);
  test.each(rows)('%s on %s', (id, type, good, bad, message, context) => {
    expect(check(id, type, good, context)).toBeUndefined();
    expect(check(id, type, bad, EMPTY)).toMatch(message);
  });

  test('unknown values at synth pass; exempt cases pass', () => {
    expect(check('CKV_AZURE_59', 'azurerm_storage_account', { public_network_access_enabled: '${var.x}' })).toBeUndefined();
    expect(check('CKV_AZURE_33', 'azurerm_storage_account', { account_kind: 'BlockBlobStorage' })).toBeUndefined();
    expect(check('CKV_AZURE_136', 'azurerm_postgresql_flexible_server', { create_mode: 'Replica' })).toBeUndefined();
    expect(check('CKV_AZURE_30', 'azurerm_postgresql_flexible_server', { create_mode: 'Replica' })).toBeUndefined();
    expect(check('CKV2_AZURE_31', 'azurerm_subnet', { name: 'GatewaySubnet' })).toBeUndefined();
    expect(check('CKV_AZURE_6', 'azurerm_kubernetes_cluster', { api_server_access_profile: { authorized_ip_ranges: ['203.0.113.0/24'] } })).toBeUndefined();
    expect(check('MLOPS_AZ_BACKUP_VAULT', 'azurerm_data_protection_backup_vault', merged(BACKUP_VAULT, { soft_delete: 'On' }))).toMatch(/AlwaysOn/);
    expect(check('MLOPS_AZ_BACKUP_VAULT', 'azurerm_data_protection_backup_vault', merged(BACKUP_VAULT, { immutability: 'Disabled' }))).toMatch(/Disabled/);
    expect(check('MLOPS_AZ_BACKUP_VAULT', 'azurerm_data_protection_backup_vault', merged(BACKUP_VAULT, { cross_region_restore_enabled: false })))
      .toMatch(/cross_region_restore_enabled/);
  });
});

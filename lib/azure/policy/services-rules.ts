/* Container Registry, Key Vault (vaults, keys, secrets) and Data Protection backup vault rules. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { asList, firstBlock, isFalse, isSet, isTrue, isUnknown, rule, shown } from '../../aws/policy/rule';
import { referencedBy } from './storage-rules';

const REGISTRY = ['azurerm_container_registry'];
const VAULT = ['azurerm_key_vault'];

export const SERVICES_RULES: IPolicyRule[] = [
  rule('CKV_AZURE_137', PolicyLevel.ERROR, 'Container registries must disable the admin account.', REGISTRY,
    (r) => isTrue(r.config.admin_enabled) ? 'admin_enabled is true' : undefined),
  rule('CKV_AZURE_138', PolicyLevel.ERROR, 'Container registries must not allow anonymous pulls.', REGISTRY,
    (r) => isTrue(r.config.anonymous_pull_enabled) ? 'anonymous_pull_enabled is true' : undefined),
  rule('CKV_AZURE_139', PolicyLevel.ERROR, 'Container registries must disable public network access.', REGISTRY,
    (r) => isFalse(r.config.public_network_access_enabled) ? undefined : `public_network_access_enabled is ${shown(r.config.public_network_access_enabled)}`),
  rule('CKV_AZURE_163', PolicyLevel.ERROR, 'Container registries must use a SKU that scans images (Standard or Premium).', REGISTRY,
    (r) => ['Standard', 'Premium'].includes(r.config.sku) ? undefined : `sku is ${shown(r.config.sku)}`),
  rule('CKV_AZURE_164', PolicyLevel.ERROR, 'Container registries must only serve signed images (content trust).', REGISTRY,
    (r) => isTrue(r.config.trust_policy_enabled) || isTrue(firstBlock(r.config, 'trust_policy')?.enabled) ? undefined : 'trust_policy_enabled is not true'),
  rule('CKV_AZURE_165', PolicyLevel.ERROR, 'Container registries must be Premium and geo-replicated.', REGISTRY,
    (r) => r.config.sku === 'Premium' && asList(r.config.georeplications).length > 0 ? undefined : 'no georeplications on a Premium registry'),
  rule('CKV_AZURE_166', PolicyLevel.ERROR, 'Container registries must quarantine images until they are verified.', REGISTRY,
    (r) => isTrue(r.config.quarantine_policy_enabled) ? undefined : `quarantine_policy_enabled is ${shown(r.config.quarantine_policy_enabled)}`),
  rule('CKV_AZURE_167', PolicyLevel.ERROR, 'Container registries must purge untagged manifests after a retention period.', REGISTRY,
    (r) => isSet(r.config.retention_policy_in_days) || isTrue(firstBlock(r.config, 'retention_policy')?.enabled) ? undefined : 'retention_policy_in_days is not set'),
  rule('CKV_AZURE_233', PolicyLevel.ERROR, 'Container registries, and each replica, must be zone-redundant.', REGISTRY,
    (r) => {
      if (!isTrue(r.config.zone_redundancy_enabled)) {
        return `zone_redundancy_enabled is ${shown(r.config.zone_redundancy_enabled)}`;
      }
      const replica = asList(r.config.georeplications).find((g: any) => !isTrue(g?.zone_redundancy_enabled));
      return replica ? `the replica in ${shown(replica.location)} is not zone-redundant` : undefined;
    }),
  rule('CKV_AZURE_237', PolicyLevel.ERROR, 'Container registries must use dedicated data endpoints.', REGISTRY,
    (r) => isTrue(r.config.data_endpoint_enabled) ? undefined : `data_endpoint_enabled is ${shown(r.config.data_endpoint_enabled)}`),
  rule('MLOPS_AZ_ACR_CMK', PolicyLevel.ERROR, 'Container registries must encrypt with a customer-managed key.', REGISTRY,
    (r) => isSet(firstBlock(r.config, 'encryption')?.key_vault_key_id) ? undefined : 'encryption.key_vault_key_id is not set'),

  rule('CKV_AZURE_42', PolicyLevel.ERROR, 'Key vaults must be recoverable (purge protection and soft delete).', VAULT,
    (v) => isTrue(v.config.purge_protection_enabled) && !isFalse(v.config.soft_delete_enabled) ? undefined : 'purge_protection_enabled is not true'),
  rule('CKV_AZURE_109', PolicyLevel.ERROR, 'Key vault firewalls must deny by default.', VAULT,
    (v) => firstBlock(v.config, 'network_acls')?.default_action === 'Deny' ? undefined : `network_acls.default_action is ${shown(firstBlock(v.config, 'network_acls')?.default_action)}`),
  rule('CKV_AZURE_110', PolicyLevel.ERROR, 'Key vaults must enable purge protection.', VAULT,
    (v) => isTrue(v.config.purge_protection_enabled) ? undefined : `purge_protection_enabled is ${shown(v.config.purge_protection_enabled)}`),
  rule('CKV_AZURE_189', PolicyLevel.ERROR, 'Key vaults must disable public network access (or restrict it to listed addresses).', VAULT,
    (v) => isFalse(v.config.public_network_access_enabled) || asList(firstBlock(v.config, 'network_acls')?.ip_rules).length > 0
      || firstBlock(v.config, 'network_acls')?.default_action === 'Deny' ? undefined : 'public network access is open'),
  rule('CKV2_AZURE_32', PolicyLevel.ERROR, 'Key vaults must be reached through a private endpoint.', VAULT,
    (v, context) => referencedBy(context, 'azurerm_private_endpoint', v) ? undefined : 'no azurerm_private_endpoint connects to it'),
  rule('MLOPS_AZ_KEY_VAULT_RBAC', PolicyLevel.ERROR, 'Key vaults must authorize data-plane access with Azure RBAC, not access policies.', VAULT,
    (v) => isTrue(v.config.rbac_authorization_enabled) || isTrue(v.config.enable_rbac_authorization) ? undefined : 'rbac_authorization_enabled is not true'),

  rule('CKV_AZURE_40', PolicyLevel.ERROR, 'Key vault keys must have an expiration date.', ['azurerm_key_vault_key'],
    (k) => isSet(k.config.expiration_date) ? undefined : 'expiration_date is not set'),
  rule('CKV_AZURE_112', PolicyLevel.ERROR, 'Key vault keys must be HSM-backed.', ['azurerm_key_vault_key'],
    (k) => ['RSA-HSM', 'EC-HSM'].includes(k.config.key_type) ? undefined : `key_type is ${shown(k.config.key_type)}`),
  rule('CKV_AZURE_41', PolicyLevel.ERROR, 'Key vault secrets must have an expiration date.', ['azurerm_key_vault_secret'],
    (s) => isSet(s.config.expiration_date) ? undefined : 'expiration_date is not set'),
  rule('CKV_AZURE_114', PolicyLevel.ERROR, 'Key vault secrets must state their content type.', ['azurerm_key_vault_secret'],
    (s) => isSet(s.config.content_type) ? undefined : 'content_type is not set'),
  rule('MLOPS_AZ_SECRET_IN_STATE', PolicyLevel.ERROR, 'Key vault secrets must be written with the write-only value_wo, never value (kept in state).', ['azurerm_key_vault_secret'],
    (s) => isSet(s.config.value) ? 'value is set: the secret would be stored in Terraform state' : undefined),

  rule('MLOPS_AZ_BACKUP_VAULT', PolicyLevel.ERROR,
    'Backup vaults must be geo-redundant with cross-region restore, immutable and with soft delete always on.', ['azurerm_data_protection_backup_vault'],
    (v) => {
      if (v.config.redundancy !== 'GeoRedundant' && !isUnknown(v.config.redundancy)) {
        return `redundancy is ${shown(v.config.redundancy)}`;
      }
      if (!isTrue(v.config.cross_region_restore_enabled)) {
        return `cross_region_restore_enabled is ${shown(v.config.cross_region_restore_enabled)}`;
      }
      if (!['Locked', 'Unlocked'].includes(v.config.immutability)) {
        return `immutability is ${shown(v.config.immutability)}`;
      }
      return v.config.soft_delete === 'AlwaysOn' ? undefined : `soft_delete is ${shown(v.config.soft_delete)}, not "AlwaysOn"`;
    }),
];

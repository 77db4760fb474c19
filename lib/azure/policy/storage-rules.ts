/* Storage account and blob container rules, with checkov's Azure IDs. */
import { IPolicyContext, IPolicyRule, PolicyLevel, PolicyResource } from '../../core/policy/policy-rule';
import { asList, firstBlock, isFalse, isSet, isTrue, isUnknown, referencesResource, rule, shown } from '../../aws/policy/rule';

const ACCOUNT = ['azurerm_storage_account'];
const CONTAINER = ['azurerm_storage_container'];

/** checkov's storage account name rule: 3-24 lower-case letters and digits. */
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

/** True when a resource of `type` references the target (by any argument). */
export function referencedBy(context: IPolicyContext, type: string, target: PolicyResource): boolean {
  return context.resourcesReferencing(type, target).length > 0
    || context.resourcesOfType(type).some((r) => referencesResource(r.config, target));
}

/** A rule that an argument is exactly false (not unset). */
function mustBeFalse(id: string, description: string, key: string): IPolicyRule {
  return rule(id, PolicyLevel.ERROR, description, ACCOUNT,
    (account) => isFalse(account.config[key]) || isUnknown(account.config[key]) ? undefined : `${key} is ${shown(account.config[key])}, not false`);
}

export const STORAGE_RULES: IPolicyRule[] = [
  rule('CKV_AZURE_3', PolicyLevel.ERROR, 'Storage accounts must accept HTTPS only.', ACCOUNT,
    (a) => isFalse(a.config.https_traffic_only_enabled) || isFalse(a.config.enable_https_traffic_only) ? 'https_traffic_only_enabled is false' : undefined),
  rule('CKV_AZURE_33', PolicyLevel.ERROR, 'Storage accounts must log read, write and delete requests of the Queue service.', ACCOUNT,
    (a) => {
      if (isSet(a.config.account_kind) && !['Storage', 'StorageV2'].includes(a.config.account_kind)) {
        return undefined;
      }
      const logging = firstBlock(firstBlock(a.config, 'queue_properties'), 'logging');
      return logging && isTrue(logging.read) && isTrue(logging.write) && isTrue(logging.delete)
        ? undefined : 'queue_properties.logging does not log read, write and delete';
    }),
  rule('CKV_AZURE_35', PolicyLevel.ERROR, 'Storage account network rules must deny by default.', ACCOUNT,
    (a) => {
      const action = firstBlock(a.config, 'network_rules')?.default_action;
      return action === undefined || action === 'Deny' || isUnknown(action) ? undefined : `network_rules.default_action is ${shown(action)}`;
    }),
  rule('CKV_AZURE_36', PolicyLevel.ERROR, 'Storage account network rules must let trusted Azure services through (bypass AzureServices).', ACCOUNT,
    (a) => {
      const rules = firstBlock(a.config, 'network_rules');
      if (!rules || rules.default_action !== 'Deny' || !isSet(rules.bypass)) {
        return undefined;
      }
      return asList(rules.bypass).includes('AzureServices') ? undefined : `network_rules.bypass is ${shown(rules.bypass)}`;
    }),
  rule('CKV_AZURE_43', PolicyLevel.ERROR, 'Storage account names must be 3-24 lower-case letters and digits.', ACCOUNT,
    (a) => isUnknown(a.config.name) || (typeof a.config.name === 'string' && ACCOUNT_NAME.test(a.config.name)) ? undefined : `name ${shown(a.config.name)} is not valid`),
  rule('CKV_AZURE_44', PolicyLevel.ERROR, 'Storage accounts must require TLS 1.2 or later.', ACCOUNT,
    (a) => ['TLS1_2', 'TLS1_3'].includes(a.config.min_tls_version) ? undefined : `min_tls_version is ${shown(a.config.min_tls_version)}`),
  mustBeFalse('CKV_AZURE_59', 'Storage accounts must disable public network access.', 'public_network_access_enabled'),
  mustBeFalse('CKV_AZURE_190', 'Storage accounts must not allow public blobs or containers.', 'allow_nested_items_to_be_public'),
  rule('CKV_AZURE_206', PolicyLevel.ERROR, 'Storage accounts must replicate to a second region (GRS, RAGRS, GZRS or RAGZRS).', ACCOUNT,
    (a) => ['GRS', 'RAGRS', 'GZRS', 'RAGZRS'].includes(a.config.account_replication_type) || isUnknown(a.config.account_replication_type)
      ? undefined : `account_replication_type is ${shown(a.config.account_replication_type)}`),
  rule('CKV_AZURE_244', PolicyLevel.ERROR, 'Storage accounts must disable local users (SFTP and local-user SAS).', ACCOUNT,
    (a) => {
      if (a.config.local_user_enabled === undefined && !isTrue(a.config.is_hns_enabled)) {
        return undefined;
      }
      return isFalse(a.config.local_user_enabled) ? undefined : `local_user_enabled is ${shown(a.config.local_user_enabled)}`;
    }),
  rule('CKV2_AZURE_1', PolicyLevel.ERROR, 'Storage accounts must be encrypted with a customer-managed key.', ACCOUNT,
    (a, context) => isSet(firstBlock(a.config, 'customer_managed_key')?.key_vault_key_id) || referencedBy(context, 'azurerm_storage_account_customer_managed_key', a)
      ? undefined : 'no customer_managed_key.key_vault_key_id and no azurerm_storage_account_customer_managed_key'),
  rule('CKV2_AZURE_33', PolicyLevel.ERROR, 'Storage accounts must be reached through a private endpoint.', ACCOUNT,
    (a, context) => referencedBy(context, 'azurerm_private_endpoint', a) ? undefined : 'no azurerm_private_endpoint connects to it'),
  rule('CKV2_AZURE_38', PolicyLevel.ERROR, 'Storage accounts must keep deleted blobs (blob soft delete).', ACCOUNT,
    (a) => a.config.account_kind === 'FileStorage' || firstBlock(firstBlock(a.config, 'blob_properties'), 'delete_retention_policy')
      ? undefined : 'blob_properties.delete_retention_policy is not set'),
  rule('CKV2_AZURE_40', PolicyLevel.ERROR, 'Storage accounts must not accept Shared Key authorization (Entra ID only).', ACCOUNT,
    (a) => isFalse(a.config.shared_access_key_enabled) ? undefined : `shared_access_key_enabled is ${shown(a.config.shared_access_key_enabled)}, not false`),
  rule('CKV2_AZURE_41', PolicyLevel.ERROR, 'Storage accounts that accept Shared Keys must set a SAS expiration policy.', ACCOUNT,
    (a) => isFalse(a.config.shared_access_key_enabled) || isSet(firstBlock(a.config, 'sas_policy')?.expiration_period)
      ? undefined : 'shared keys are allowed and sas_policy.expiration_period is not set'),
  rule('CKV2_AZURE_47', PolicyLevel.ERROR, 'Storage accounts must set allow_nested_items_to_be_public to false explicitly.', ACCOUNT,
    (a) => isFalse(a.config.allow_nested_items_to_be_public) ? undefined : `allow_nested_items_to_be_public is ${shown(a.config.allow_nested_items_to_be_public)}`),
  rule('MLOPS_AZ_STORAGE_VERSIONING', PolicyLevel.ERROR, 'Storage accounts must keep blob versions.', ACCOUNT,
    (a) => isTrue(firstBlock(a.config, 'blob_properties')?.versioning_enabled) ? undefined : 'blob_properties.versioning_enabled is not true'),
  rule('MLOPS_AZ_STORAGE_INFRA_ENCRYPTION', PolicyLevel.ERROR, 'Storage accounts must enable infrastructure (double) encryption.', ACCOUNT,
    (a) => isTrue(a.config.infrastructure_encryption_enabled) ? undefined : 'infrastructure_encryption_enabled is not true'),

  rule('CKV_AZURE_34', PolicyLevel.ERROR, 'Blob containers must be private.', CONTAINER,
    (c) => c.config.container_access_type === undefined || c.config.container_access_type === 'private'
      ? undefined : `container_access_type is ${shown(c.config.container_access_type)}`),
  rule('CKV2_AZURE_21', PolicyLevel.ERROR, 'Blob read requests must be logged (Log Analytics storage insights on the container).', CONTAINER,
    (c, context) => context.resourcesOfType('azurerm_log_analytics_storage_insights').some((s) => isSet(s.config.blob_container_names)
      && JSON.stringify(s.config.blob_container_names).includes(String(c.config.name)))
      ? undefined : 'no azurerm_log_analytics_storage_insights covers the container'),
];

/* PostgreSQL flexible server rules: checkov's geo-backup and private endpoint checks, and the library's own. */
import { IPolicyContext, IPolicyRule, PolicyLevel, PolicyResource } from '../../core/policy/policy-rule';
import { firstBlock, isFalse, isSet, isTrue, isUnknown, rule, shown } from '../../aws/policy/rule';
import { referencedBy } from './storage-rules';

const SERVER = ['azurerm_postgresql_flexible_server'];

function isReplica(server: PolicyResource): boolean {
  return server.config.create_mode === 'Replica';
}

/** Server parameters (azurerm_postgresql_flexible_server_configuration) set on the server, name to value. */
function parametersOf(server: PolicyResource, context: IPolicyContext): Map<string, string> {
  const configs = context.resourcesReferencing('azurerm_postgresql_flexible_server_configuration', server);
  return new Map(configs.map((c) => [String(c.config.name), String(c.config.value).toLowerCase()]));
}

/**
 * checkov judges these parameters on single servers (azurerm_postgresql_configuration); the same IDs apply them to
 * the flexible server's parameters, so a suppression reads the same.
 */
function parameterRule(id: string, parameter: string, value: string, why: string): IPolicyRule {
  return rule(id, PolicyLevel.ERROR, `PostgreSQL flexible servers must set the server parameter ${parameter} to "${value}" (${why}).`, SERVER,
    (server, context) => {
      if (isReplica(server)) {
        return undefined;
      }
      const actual = parametersOf(server, context).get(parameter);
      return actual === value ? undefined : `server parameter ${parameter} is ${shown(actual)}`;
    });
}

export const DATABASE_RULES: IPolicyRule[] = [
  rule('CKV_AZURE_136', PolicyLevel.ERROR, 'PostgreSQL flexible servers must keep geo-redundant backups.', SERVER,
    (s) => isReplica(s) || isTrue(s.config.geo_redundant_backup_enabled) ? undefined : `geo_redundant_backup_enabled is ${shown(s.config.geo_redundant_backup_enabled)}`),
  rule('CKV2_AZURE_57', PolicyLevel.ERROR, 'PostgreSQL flexible servers must be reached through a private endpoint.', SERVER,
    (s, context) => referencedBy(context, 'azurerm_private_endpoint', s) ? undefined : 'no azurerm_private_endpoint connects to it'),
  rule('MLOPS_AZ_PG_PRIVATE', PolicyLevel.ERROR, 'PostgreSQL flexible servers must not be reachable from public networks.', SERVER,
    (s) => {
      if (isSet(s.config.delegated_subnet_id)) {
        return undefined;
      }
      return isFalse(s.config.public_network_access_enabled) ? undefined : 'neither delegated_subnet_id nor public_network_access_enabled = false is set';
    }),
  rule('MLOPS_AZ_PG_HA', PolicyLevel.ERROR, 'PostgreSQL flexible servers must be zone-redundant (high_availability.mode ZoneRedundant).', SERVER,
    (s) => isReplica(s) || firstBlock(s.config, 'high_availability')?.mode === 'ZoneRedundant'
      ? undefined : `high_availability.mode is ${shown(firstBlock(s.config, 'high_availability')?.mode)}`),
  rule('MLOPS_AZ_PG_CMK', PolicyLevel.ERROR, 'PostgreSQL flexible servers must encrypt data, and geo-redundant backups, with customer-managed keys.', SERVER,
    (s) => {
      const cmk = firstBlock(s.config, 'customer_managed_key');
      if (!isSet(cmk?.key_vault_key_id)) {
        return 'customer_managed_key.key_vault_key_id is not set';
      }
      return isTrue(s.config.geo_redundant_backup_enabled) && !isSet(cmk?.geo_backup_key_vault_key_id)
        ? 'geo-redundant backups are on and customer_managed_key.geo_backup_key_vault_key_id is not set' : undefined;
    }),
  rule('MLOPS_AZ_PG_SECURE_TRANSPORT', PolicyLevel.ERROR, 'PostgreSQL flexible servers must not turn require_secure_transport off.', ['azurerm_postgresql_flexible_server_configuration'],
    (c) => c.config.name === 'require_secure_transport' && !isUnknown(c.config.value) && String(c.config.value).toLowerCase() === 'off'
      ? 'require_secure_transport is "off"' : undefined),
  parameterRule('CKV_AZURE_30', 'log_checkpoints', 'on', 'checkpoints are logged'),
  parameterRule('CKV_AZURE_31', 'log_connections', 'on', 'connections are logged'),
  parameterRule('CKV_AZURE_32', 'connection_throttle.enable', 'on', 'repeated failed logins are throttled'),
];

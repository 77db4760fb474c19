/* Cloud SQL rules: private, TLS, backups, HA, CMEK, deletion protection, and checkov's PostgreSQL logging flags. */
import { IPolicyRule, PolicyLevel, PolicyResource } from '../../core/policy/policy-rule';
import { asList, firstBlock, isFalse, isSet, isTrue, isUnknown, rule, shown } from '../../aws/policy/rule';

const SQL = ['google_sql_database_instance'];

function settingsOf(db: PolicyResource): any {
  return firstBlock(db.config, 'settings') ?? {};
}

function isPostgres(db: PolicyResource): boolean {
  return typeof db.config.database_version === 'string' && db.config.database_version.startsWith('POSTGRES');
}

function isReplica(db: PolicyResource): boolean {
  return isSet(db.config.master_instance_name);
}

/** The instance's database flags, name to value. */
function flagsOf(db: PolicyResource): Map<string, string> {
  return new Map(asList(settingsOf(db).database_flags).map((f: any) => [String(f?.name), String(f?.value)]));
}

/** A PostgreSQL flag that must have one of the values. */
function flagRule(id: string, flag: string, values: string[], why: string): IPolicyRule {
  return rule(id, PolicyLevel.ERROR, `Cloud SQL PostgreSQL instances must set ${flag} to ${values.map((v) => `"${v}"`).join(' or ')} (${why}).`, SQL,
    (db) => {
      if (!isPostgres(db)) {
        return undefined;
      }
      const value = flagsOf(db).get(flag);
      return value !== undefined && values.includes(value) ? undefined : `database flag ${flag} is ${shown(value)}`;
    });
}

/** A PostgreSQL flag that must not be "on" (statistics logging floods the log). */
function flagNotOn(id: string, flag: string): IPolicyRule {
  return rule(id, PolicyLevel.ERROR, `Cloud SQL PostgreSQL instances must not set ${flag} to "on".`, SQL,
    (db) => isPostgres(db) && flagsOf(db).get(flag) === 'on' ? `database flag ${flag} is "on"` : undefined);
}

const LOG_LEVELS = ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'info', 'notice', 'warning', 'error', 'log', 'fatal', 'panic'];

export const SQL_RULES: IPolicyRule[] = [
  rule('CKV_GCP_6', PolicyLevel.ERROR, 'Cloud SQL instances must require client certificates (ssl_mode TRUSTED_CLIENT_CERTIFICATE_REQUIRED).', SQL,
    (db) => {
      const ip = firstBlock(settingsOf(db), 'ip_configuration') ?? {};
      return ip.ssl_mode === 'TRUSTED_CLIENT_CERTIFICATE_REQUIRED' || (ip.ssl_mode === undefined && isTrue(ip.require_ssl))
        ? undefined : `ip_configuration.ssl_mode is ${shown(ip.ssl_mode)}`;
    }),
  rule('MLOPS_SQL_TLS', PolicyLevel.ERROR, 'Cloud SQL instances must refuse unencrypted connections.', SQL,
    (db) => {
      const ip = firstBlock(settingsOf(db), 'ip_configuration') ?? {};
      return ['ENCRYPTED_ONLY', 'TRUSTED_CLIENT_CERTIFICATE_REQUIRED'].includes(ip.ssl_mode) || isUnknown(ip.ssl_mode)
        ? undefined : `ip_configuration.ssl_mode is ${shown(ip.ssl_mode)}, not ENCRYPTED_ONLY or TRUSTED_CLIENT_CERTIFICATE_REQUIRED`;
    }),
  rule('CKV_GCP_11', PolicyLevel.ERROR, 'Cloud SQL instances must not authorize 0.0.0.0/0.', SQL,
    (db) => {
      const networks = asList(firstBlock(settingsOf(db), 'ip_configuration')?.authorized_networks);
      return networks.some((n: any) => typeof n?.value === 'string' && n.value.endsWith('/0')) ? 'an authorized network is /0' : undefined;
    }),
  rule('MLOPS_SQL_PRIVATE_IP', PolicyLevel.ERROR, 'Cloud SQL instances must have no public IP (ipv4_enabled false) and a private network.', SQL,
    (db) => {
      const ip = firstBlock(settingsOf(db), 'ip_configuration') ?? {};
      if (!isFalse(ip.ipv4_enabled)) {
        return `ip_configuration.ipv4_enabled is ${shown(ip.ipv4_enabled)}, not false`;
      }
      return isSet(ip.private_network) ? undefined : 'ip_configuration.private_network is not set';
    }),
  rule('CKV_GCP_14', PolicyLevel.ERROR, 'Cloud SQL instances must have automated backups enabled.', SQL,
    (db) => isReplica(db) || isTrue(firstBlock(settingsOf(db), 'backup_configuration')?.enabled)
      ? undefined : 'settings.backup_configuration.enabled is not true'),
  rule('MLOPS_SQL_PITR', PolicyLevel.ERROR, 'Cloud SQL PostgreSQL instances must have point-in-time recovery.', SQL,
    (db) => isReplica(db) || !isPostgres(db) || isTrue(firstBlock(settingsOf(db), 'backup_configuration')?.point_in_time_recovery_enabled)
      ? undefined : 'settings.backup_configuration.point_in_time_recovery_enabled is not true'),
  rule('MLOPS_SQL_HA', PolicyLevel.ERROR, 'Cloud SQL primary instances must be regional (high availability).', SQL,
    (db) => isReplica(db) || settingsOf(db).availability_type === 'REGIONAL'
      ? undefined : `settings.availability_type is ${shown(settingsOf(db).availability_type)}, not "REGIONAL"`),
  rule('MLOPS_SQL_CMEK', PolicyLevel.ERROR, 'Cloud SQL instances must be encrypted with a customer-managed Cloud KMS key.', SQL,
    (db) => isSet(db.config.encryption_key_name) ? undefined : 'encryption_key_name is not set'),
  rule('MLOPS_SQL_DELETION_PROTECTION', PolicyLevel.ERROR,
    'Cloud SQL instances must be deletion-protected in Terraform (deletion_protection) and in the API (settings.deletion_protection_enabled).', SQL,
    (db) => {
      if (isFalse(db.config.deletion_protection)) {
        return 'deletion_protection is false';
      }
      return isTrue(settingsOf(db).deletion_protection_enabled) ? undefined : 'settings.deletion_protection_enabled is not true';
    }),
  rule('CKV_GCP_79', PolicyLevel.ERROR, 'Cloud SQL instances must run the latest major version (POSTGRES_18).', SQL,
    (db) => !isPostgres(db) || db.config.database_version === 'POSTGRES_18' ? undefined : `database_version is ${shown(db.config.database_version)}`),
  flagRule('CKV_GCP_51', 'log_checkpoints', ['on'], 'checkpoints are logged'),
  flagRule('CKV_GCP_52', 'log_connections', ['on'], 'connections are logged'),
  flagRule('CKV_GCP_53', 'log_disconnections', ['on'], 'session ends are logged'),
  flagRule('CKV_GCP_54', 'log_lock_waits', ['on'], 'long lock waits are logged'),
  flagRule('CKV_GCP_55', 'log_min_messages', LOG_LEVELS, 'a valid severity'),
  flagRule('CKV_GCP_56', 'log_temp_files', ['0'], 'every temporary file is logged'),
  flagRule('CKV_GCP_57', 'log_min_duration_statement', ['-1'], 'statements and their parameters are not logged'),
  flagRule('CKV_GCP_108', 'log_hostname', ['on'], 'client host names are logged'),
  flagRule('CKV_GCP_109', 'log_min_error_statement', LOG_LEVELS.slice(0, 9), 'failing statements are logged'),
  flagRule('CKV_GCP_110', 'cloudsql.enable_pgaudit', ['on'], 'pgAudit is available'),
  flagRule('CKV_GCP_111', 'log_statement', ['ddl', 'mod', 'all'], 'schema changes are logged'),
  flagRule('CKV2_GCP_13', 'log_duration', ['on'], 'statement durations are logged'),
  flagNotOn('CKV2_GCP_14', 'log_executor_stats'),
  flagNotOn('CKV2_GCP_15', 'log_parser_stats'),
  flagNotOn('CKV2_GCP_16', 'log_planner_stats'),
  flagNotOn('CKV2_GCP_17', 'log_statement_stats'),
];

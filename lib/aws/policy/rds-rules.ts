/* RDS instance rules: encryption, private access, resilience, observability and credential handling. */
import { IPolicyContext, IPolicyRule, PolicyLevel, PolicyResource } from '../../core/policy/policy-rule';
import { asList, forbidTrue, isFalse, isSet, isUnknown, referencesResource, requireSet, requireTrue, rule, shown, toNumber } from './rule';

const DB = ['aws_db_instance'];

/** Shortest backup retention, in days, that still covers a week of point-in-time recovery. */
const MIN_BACKUP_RETENTION_DAYS = 7;

/** The parameter group the instance uses, found by reference or by literal name. */
function parameterGroupOf(db: PolicyResource, context: IPolicyContext): PolicyResource | undefined {
  const name = db.config.parameter_group_name;
  return context.resourcesOfType('aws_db_parameter_group')
    .find((pg) => referencesResource(name, pg) || (typeof name === 'string' && name === pg.config.name));
}

/**
 * True when the parameter group forces TLS: `rds.force_ssl` on PostgreSQL and SQL Server, or its MySQL and
 * MariaDB counterpart `require_secure_transport`, which is the only switch those engines have.
 */
function forcesTls(pg: PolicyResource): boolean {
  return asList(pg.config.parameter).some((p) => {
    const value = String(p?.value).toUpperCase();
    return (p?.name === 'rds.force_ssl' && value === '1') || (p?.name === 'require_secure_transport' && (value === '1' || value === 'ON'));
  });
}

export const RDS_RULES: IPolicyRule[] = [
  rule('CKV_AWS_16', PolicyLevel.ERROR, 'RDS instances must encrypt storage.', DB, (db) => requireTrue(db.config, 'storage_encrypted')),
  rule('CKV_AWS_17', PolicyLevel.ERROR, 'RDS instances must not be publicly accessible.', DB, (db) => forbidTrue(db.config, 'publicly_accessible')),
  rule('CKV_AWS_157', PolicyLevel.ERROR, 'RDS instances must be Multi-AZ.', DB, (db) => requireTrue(db.config, 'multi_az')),
  rule('CKV_AWS_293', PolicyLevel.ERROR, 'RDS instances must have deletion protection.', DB, (db) => requireTrue(db.config, 'deletion_protection')),

  rule('CKV_AWS_133', PolicyLevel.ERROR, `RDS instances must keep automated backups for at least ${MIN_BACKUP_RETENTION_DAYS} days.`, DB,
    (db) => {
      const value = db.config.backup_retention_period;
      const days = toNumber(value);
      if (isUnknown(value) || (days !== undefined && days >= MIN_BACKUP_RETENTION_DAYS)) {
        return undefined;
      }
      return `backup_retention_period is ${shown(value)}; it must be at least ${MIN_BACKUP_RETENTION_DAYS}`;
    }),

  rule('CKV_AWS_118', PolicyLevel.ERROR, 'RDS instances must have enhanced monitoring.', DB,
    (db) => {
      const value = db.config.monitoring_interval;
      const seconds = toNumber(value);
      return isUnknown(value) || (seconds !== undefined && seconds > 0) ? undefined : `monitoring_interval is ${shown(value)}; it must be greater than 0`;
    }),

  rule('CKV_AWS_129', PolicyLevel.ERROR, 'RDS instances must export logs to CloudWatch.', DB,
    (db) => {
      const exports = db.config.enabled_cloudwatch_logs_exports;
      return isUnknown(exports) || asList(exports).length > 0 ? undefined : 'enabled_cloudwatch_logs_exports is empty or not set';
    }),

  rule('CKV_AWS_161', PolicyLevel.ERROR, 'RDS instances must enable IAM database authentication.', DB,
    (db) => requireTrue(db.config, 'iam_database_authentication_enabled')),
  rule('CKV_AWS_353', PolicyLevel.ERROR, 'RDS instances must enable Performance Insights.', DB,
    (db) => requireTrue(db.config, 'performance_insights_enabled')),
  rule('CKV_AWS_354', PolicyLevel.ERROR, 'RDS Performance Insights data must be encrypted with a customer-managed KMS key.', DB,
    (db) => requireSet(db.config, 'performance_insights_kms_key_id')),
  rule('CKV2_AWS_60', PolicyLevel.ERROR, 'RDS instances must copy tags to snapshots, so snapshot costs stay attributable.', DB,
    (db) => requireTrue(db.config, 'copy_tags_to_snapshot')),
  rule('CKV_AWS_226', PolicyLevel.ERROR, 'RDS instances must take minor engine upgrades, which carry security fixes.', DB,
    (db) => isFalse(db.config.auto_minor_version_upgrade) ? 'auto_minor_version_upgrade is false' : undefined),
  rule('MLOPS_RDS_FINAL_SNAPSHOT', PolicyLevel.ERROR, 'RDS instances must take a final snapshot when destroyed.', DB,
    (db) => forbidTrue(db.config, 'skip_final_snapshot')),
  rule('MLOPS_RDS_CMK', PolicyLevel.ERROR, 'RDS storage must be encrypted with a customer-managed KMS key, not the AWS-managed one.', DB,
    (db) => requireSet(db.config, 'kms_key_id')),

  rule('MLOPS_RDS_FORCE_SSL', PolicyLevel.ERROR, 'RDS instances must use a parameter group that forces TLS (rds.force_ssl = 1).', DB,
    (db, context) => {
      const pg = parameterGroupOf(db, context);
      if (!pg) {
        return `parameter_group_name (${shown(db.config.parameter_group_name)}) is not an aws_db_parameter_group of the stack, so TLS is not forced`;
      }
      return forcesTls(pg) ? undefined : `parameter group ${pg.address} does not set rds.force_ssl = "1"`;
    }),

  rule('MLOPS_RDS_MANAGED_PASSWORD', PolicyLevel.ERROR,
    'RDS master passwords must be managed by Secrets Manager (manage_master_user_password), never set in configuration or state.', DB,
    (db) => {
      if (isSet(db.config.password)) {
        return 'password is set, so the master password lands in Terraform state; use manage_master_user_password';
      }
      return requireTrue(db.config, 'manage_master_user_password');
    }),
];

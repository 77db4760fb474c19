/* ElastiCache replication group rules: encryption at rest and in transit, authentication, resilience and backups. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { isFalse, isSet, isUnknown, requireSet, requireTrue, rule, shown, toNumber } from './rule';

const GROUP = ['aws_elasticache_replication_group'];

export const ELASTICACHE_RULES: IPolicyRule[] = [
  rule('CKV_AWS_29', PolicyLevel.ERROR, 'ElastiCache replication groups must encrypt data at rest.', GROUP,
    (group) => requireTrue(group.config, 'at_rest_encryption_enabled')),
  rule('CKV_AWS_30', PolicyLevel.ERROR, 'ElastiCache replication groups must encrypt data in transit (TLS).', GROUP,
    (group) => requireTrue(group.config, 'transit_encryption_enabled')),
  rule('CKV_AWS_31', PolicyLevel.ERROR,
    'ElastiCache replication groups must encrypt data in transit and authenticate clients (an AUTH token or RBAC user groups in the configuration).', GROUP,
    (group) => requireTrue(group.config, 'transit_encryption_enabled')
      ?? (isSet(group.config.auth_token) || isSet(group.config.user_group_ids) ? undefined : 'neither auth_token nor user_group_ids is set')),
  rule('CKV_AWS_191', PolicyLevel.ERROR, 'ElastiCache replication groups must be encrypted with a customer-managed KMS key.', GROUP,
    (group) => requireSet(group.config, 'kms_key_id')),
  rule('CKV2_AWS_50', PolicyLevel.ERROR, 'ElastiCache replication groups must fail over automatically.', GROUP,
    (group) => requireTrue(group.config, 'automatic_failover_enabled')),
  rule('MLOPS_ELASTICACHE_MULTI_AZ', PolicyLevel.ERROR, 'ElastiCache replication groups must be Multi-AZ (replicas in other availability zones).', GROUP,
    (group) => requireTrue(group.config, 'multi_az_enabled')),
  rule('MLOPS_ELASTICACHE_TLS_REQUIRED', PolicyLevel.ERROR,
    'ElastiCache replication groups must require TLS, not merely accept it (transit_encryption_mode "preferred" lets clients in unencrypted).', GROUP,
    (group) => (group.config.transit_encryption_mode === 'preferred' ? 'transit_encryption_mode is "preferred"' : undefined)),
  rule('MLOPS_ELASTICACHE_SNAPSHOTS', PolicyLevel.ERROR, 'ElastiCache replication groups must keep automatic snapshots (snapshot_retention_limit of 1 day or more).', GROUP,
    (group) => {
      const value = group.config.snapshot_retention_limit;
      const days = toNumber(value);
      return isUnknown(value) || (days !== undefined && days >= 1) ? undefined : `snapshot_retention_limit is ${shown(value)}; it must be at least 1`;
    }),
  rule('MLOPS_ELASTICACHE_MINOR_UPGRADES', PolicyLevel.ERROR, 'ElastiCache replication groups must take minor engine upgrades, which carry security fixes.', GROUP,
    (group) => (isFalse(group.config.auto_minor_version_upgrade) ? 'auto_minor_version_upgrade is false' : undefined)),
  rule('MLOPS_ELASTICACHE_TOKEN_IN_STATE', PolicyLevel.ERROR,
    'ElastiCache AUTH tokens must not be set in configuration: auth_token has no write-only form in the AWS provider, so it lands in Terraform state.', GROUP,
    (group) => (isSet(group.config.auth_token) ? 'auth_token is set, so the token is kept in Terraform state; turn AUTH on outside Terraform (RedisCache does)' : undefined)),
];

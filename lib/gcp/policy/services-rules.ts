/* Artifact Registry, Pub/Sub, Secret Manager, Cloud KMS, Backup for GKE and project IAM rules. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { asList, firstBlock, isSet, isTrue, isUnknown, rule, shown, toNumber } from '../../aws/policy/rule';
import { noPublicMembers } from './storage-rules';

/** Longest key rotation period checkov accepts: 90 days. */
const MAX_ROTATION_SECONDS = 90 * 86400;

/** Roles that make a member an owner or editor of the whole project. */
const BASIC_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'];

const PROJECT_IAM = ['google_project_iam_member', 'google_project_iam_binding'];

export const SERVICES_RULES: IPolicyRule[] = [
  rule('CKV_GCP_84', PolicyLevel.ERROR, 'Artifact Registry repositories must be encrypted with a customer-managed Cloud KMS key.',
    ['google_artifact_registry_repository'], (repo) => isSet(repo.config.kms_key_name) ? undefined : 'kms_key_name is not set'),
  rule('MLOPS_AR_IMMUTABLE_TAGS', PolicyLevel.ERROR, 'Docker repositories of Artifact Registry must have immutable tags.',
    ['google_artifact_registry_repository'], (repo) => repo.config.format !== 'DOCKER' || isTrue(firstBlock(repo.config, 'docker_config')?.immutable_tags)
      ? undefined : 'docker_config.immutable_tags is not true'),
  rule('MLOPS_AR_SCANNING', PolicyLevel.ERROR, 'Artifact Registry repositories must not disable vulnerability scanning.',
    ['google_artifact_registry_repository'], (repo) => firstBlock(repo.config, 'vulnerability_scanning_config')?.enablement_config === 'DISABLED'
      ? 'vulnerability_scanning_config.enablement_config is "DISABLED"' : undefined),
  noPublicMembers('CKV_GCP_101', 'Artifact Registry repository access',
    ['google_artifact_registry_repository_iam_member', 'google_artifact_registry_repository_iam_binding']),

  rule('CKV_GCP_83', PolicyLevel.ERROR, 'Pub/Sub topics must be encrypted with a customer-managed Cloud KMS key.', ['google_pubsub_topic'],
    (topic) => isSet(topic.config.kms_key_name) ? undefined : 'kms_key_name is not set'),
  noPublicMembers('CKV_GCP_99', 'Pub/Sub topic access', ['google_pubsub_topic_iam_member', 'google_pubsub_topic_iam_binding']),

  rule('MLOPS_SECRET_REPLICATION', PolicyLevel.ERROR,
    'Secret Manager secrets must use user-managed replication to named regions, each replica with a customer-managed key.', ['google_secret_manager_secret'],
    (secret) => {
      const userManaged = firstBlock(firstBlock(secret.config, 'replication'), 'user_managed');
      const replicas = asList(userManaged?.replicas);
      if (replicas.length === 0) {
        return 'replication.user_managed has no replicas (automatic replication puts copies anywhere, under a Google-managed key)';
      }
      const bare = replicas.find((r: any) => !isSet(firstBlock(r, 'customer_managed_encryption')?.kms_key_name));
      return bare ? `the replica in ${shown(bare.location)} has no customer_managed_encryption.kms_key_name` : undefined;
    }),

  rule('CKV_GCP_43', PolicyLevel.ERROR, 'Cloud KMS keys must rotate at least every 90 days.', ['google_kms_crypto_key'],
    (key) => {
      if (key.config.purpose !== undefined && key.config.purpose !== 'ENCRYPT_DECRYPT') {
        return undefined;
      }
      const value = key.config.rotation_period;
      const seconds = typeof value === 'string' ? toNumber(value.replace(/s$/, '')) : toNumber(value);
      return isUnknown(value) || (seconds !== undefined && seconds <= MAX_ROTATION_SECONDS)
        ? undefined : `rotation_period is ${shown(value)}; it must be at most ${MAX_ROTATION_SECONDS}s`;
    }),
  noPublicMembers('CKV_GCP_112', 'Cloud KMS key access',
    ['google_kms_crypto_key_iam_member', 'google_kms_crypto_key_iam_binding']),

  rule('MLOPS_GKE_BACKUP_PLAN', PolicyLevel.ERROR,
    'Backup for GKE plans must run on a schedule, keep backups with a delete lock and encrypt them with a customer-managed key.',
    ['google_gke_backup_backup_plan'], (plan) => {
      const schedule = firstBlock(plan.config, 'backup_schedule');
      if (!isSet(schedule?.cron_schedule) && !firstBlock(schedule, 'rpo_config')) {
        return 'backup_schedule has neither cron_schedule nor rpo_config';
      }
      const retention = firstBlock(plan.config, 'retention_policy');
      if (!(toNumber(retention?.backup_delete_lock_days) ?? 0) && !isUnknown(retention?.backup_delete_lock_days)) {
        return 'retention_policy.backup_delete_lock_days is not set';
      }
      const key = firstBlock(firstBlock(plan.config, 'backup_config'), 'encryption_key')?.gcp_kms_encryption_key;
      return isSet(key) ? undefined : 'backup_config.encryption_key.gcp_kms_encryption_key is not set';
    }),

  rule('CKV_GCP_117', PolicyLevel.ERROR, 'Project IAM must not grant basic roles (owner, editor, viewer).', PROJECT_IAM,
    (member) => BASIC_ROLES.includes(member.config.role) ? `role is ${member.config.role}` : undefined),
  rule('CKV_GCP_42', PolicyLevel.ERROR, 'Project IAM must not grant admin, editor or owner roles to service accounts.', ['google_project_iam_member'],
    (member) => {
      const isServiceAccount = typeof member.config.member === 'string' && /@.*\.iam\.gserviceaccount\.com$/.test(member.config.member);
      return isServiceAccount && /(admin|Admin|editor|owner)/.test(String(member.config.role))
        ? `role ${member.config.role} is granted to service account ${member.config.member}` : undefined;
    }),
  rule('CKV_GCP_41', PolicyLevel.ERROR, 'Project IAM must not grant Service Account User or Token Creator project-wide.', PROJECT_IAM,
    (member) => ['roles/iam.serviceAccountUser', 'roles/iam.serviceAccountTokenCreator'].includes(member.config.role)
      ? `role is ${member.config.role}` : undefined),
];

/* Cloud Storage rules: uniform access, public access prevention, versioning, CMEK, access logs, no public members. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { firstBlock, forbidTrue, isSet, isTrue, isUnknown, rule, shown } from '../../aws/policy/rule';

const BUCKET = ['google_storage_bucket'];

/** Members that make a resource public. */
export const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];

/** A rule that IAM members/bindings of a resource type grant nothing to everyone. */
export function noPublicMembers(id: string, what: string, types: string[]): IPolicyRule {
  return rule(id, PolicyLevel.ERROR, `${what} must not be granted to allUsers or allAuthenticatedUsers.`, types,
    (member) => {
      const members = [member.config.member, ...(Array.isArray(member.config.members) ? member.config.members : [])];
      const open = members.find((m) => typeof m === 'string' && PUBLIC_MEMBERS.includes(m));
      return open ? `member ${open} makes it public` : undefined;
    });
}

export const STORAGE_RULES: IPolicyRule[] = [
  rule('CKV_GCP_29', PolicyLevel.ERROR, 'Cloud Storage buckets must use uniform bucket-level access.', BUCKET,
    (bucket) => isTrue(bucket.config.uniform_bucket_level_access) || isUnknown(bucket.config.uniform_bucket_level_access)
      ? undefined : `uniform_bucket_level_access is ${shown(bucket.config.uniform_bucket_level_access)}, not true`),
  rule('CKV_GCP_114', PolicyLevel.ERROR, 'Cloud Storage buckets must enforce public access prevention.', BUCKET,
    (bucket) => bucket.config.public_access_prevention === 'enforced'
      ? undefined : `public_access_prevention is ${shown(bucket.config.public_access_prevention)}, not "enforced"`),
  rule('CKV_GCP_78', PolicyLevel.ERROR, 'Cloud Storage buckets must have versioning enabled.', BUCKET,
    (bucket) => {
      const enabled = firstBlock(bucket.config, 'versioning')?.enabled;
      return isTrue(enabled) || isUnknown(enabled) ? undefined : `versioning.enabled is ${shown(enabled)}, not true`;
    }),
  rule('CKV_GCP_62', PolicyLevel.ERROR, 'Cloud Storage buckets must write access logs to a log bucket.', BUCKET,
    (bucket) => isSet(firstBlock(bucket.config, 'logging')?.log_bucket) ? undefined : 'logging.log_bucket is not set'),
  rule('CKV_GCP_63', PolicyLevel.ERROR, 'Cloud Storage buckets must not log to themselves.', BUCKET,
    (bucket) => {
      const target = firstBlock(bucket.config, 'logging')?.log_bucket;
      return isSet(target) && target === bucket.config.name ? 'logging.log_bucket is the bucket itself' : undefined;
    }),
  rule('MLOPS_GCS_CMEK', PolicyLevel.ERROR, 'Cloud Storage buckets must be encrypted by default with a customer-managed Cloud KMS key.', BUCKET,
    (bucket) => isSet(firstBlock(bucket.config, 'encryption')?.default_kms_key_name) ? undefined : 'encryption.default_kms_key_name is not set'),
  rule('MLOPS_GCS_FORCE_DESTROY', PolicyLevel.ERROR, 'Cloud Storage buckets must not set force_destroy, which lets terraform destroy delete every object.', BUCKET,
    (bucket) => forbidTrue(bucket.config, 'force_destroy')),
  noPublicMembers('CKV_GCP_28', 'Cloud Storage bucket access', ['google_storage_bucket_iam_member', 'google_storage_bucket_iam_binding']),
];

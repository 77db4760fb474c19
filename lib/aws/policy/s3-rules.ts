/*
 * S3 rules. Since AWS provider v4 a bucket's settings live in separate resources that point at the bucket
 * through their `bucket` argument, so most rules look for such a resource and then inspect it.
 */
import { IPolicyContext, IPolicyRule, PolicyLevel, PolicyResource } from '../../core/policy/policy-rule';
import { asList, attachedTo, firstBlock, forbidTrue, isSet, isTrue, isUnknown, parsePolicy, rule, shown, statementsOf } from './rule';

const BUCKET = ['aws_s3_bucket'];

/** The bucket's companion resources of a type (e.g. its versioning resource). */
function companions(context: IPolicyContext, type: string, bucket: PolicyResource): PolicyResource[] {
  return attachedTo(context, type, bucket, 'bucket', 'bucket');
}

/** A rule on one flag of the bucket's public access block. */
function publicAccessFlag(id: string, flag: string, what: string): IPolicyRule {
  return rule(id, PolicyLevel.ERROR, `S3 buckets must have a public access block with ${flag} = true, which ${what}.`, BUCKET,
    (bucket, context) => {
      const blocks = companions(context, 'aws_s3_bucket_public_access_block', bucket);
      if (blocks.length === 0) {
        return `no aws_s3_bucket_public_access_block references the bucket, so ${flag} is not true`;
      }
      return blocks.some((b) => isTrue(b.config[flag]) || isUnknown(b.config[flag]))
        ? undefined : `${flag} is not true on the bucket's aws_s3_bucket_public_access_block`;
    });
}

/** True for a Deny statement conditioned on aws:SecureTransport being false, i.e. one that refuses plain HTTP. */
function deniesInsecureTransport(statement: any): boolean {
  if (statement.Effect !== 'Deny') {
    return false;
  }
  const secure = statement.Condition?.Bool?.['aws:SecureTransport'];
  return asList(secure).some((v) => v === false || v === 'false');
}

export const S3_RULES: IPolicyRule[] = [
  rule('CKV_AWS_145', PolicyLevel.ERROR, 'S3 buckets must be encrypted by default with a customer-managed KMS key.', BUCKET,
    (bucket, context) => {
      const configs = companions(context, 'aws_s3_bucket_server_side_encryption_configuration', bucket);
      if (configs.length === 0) {
        return 'no aws_s3_bucket_server_side_encryption_configuration references the bucket';
      }
      const kms = configs.some((c) => asList(c.config.rule).some((r) => {
        const byDefault = firstBlock(r, 'apply_server_side_encryption_by_default');
        return ['aws:kms', 'aws:kms:dsse'].includes(byDefault?.sse_algorithm) && isSet(byDefault?.kms_master_key_id);
      }));
      return kms ? undefined : 'the bucket\'s default encryption is not sse_algorithm "aws:kms" (or "aws:kms:dsse") with a kms_master_key_id';
    }),

  rule('CKV_AWS_21', PolicyLevel.ERROR, 'S3 buckets must have versioning enabled.', BUCKET,
    (bucket, context) => {
      const configs = companions(context, 'aws_s3_bucket_versioning', bucket);
      if (configs.length === 0) {
        return 'no aws_s3_bucket_versioning references the bucket';
      }
      const statuses = configs.map((c) => firstBlock(c.config, 'versioning_configuration')?.status);
      return statuses.some((s) => s === 'Enabled' || isUnknown(s))
        ? undefined : `versioning_configuration.status is ${shown(statuses[0])}, not "Enabled"`;
    }),

  rule('CKV2_AWS_6', PolicyLevel.ERROR, 'S3 buckets must have a public access block.', BUCKET,
    (bucket, context) => companions(context, 'aws_s3_bucket_public_access_block', bucket).length > 0
      ? undefined : 'no aws_s3_bucket_public_access_block references the bucket'),
  publicAccessFlag('CKV_AWS_53', 'block_public_acls', 'rejects requests that add public ACLs'),
  publicAccessFlag('CKV_AWS_54', 'block_public_policy', 'rejects bucket policies that grant public access'),
  publicAccessFlag('CKV_AWS_55', 'ignore_public_acls', 'makes S3 ignore existing public ACLs'),
  publicAccessFlag('CKV_AWS_56', 'restrict_public_buckets', 'limits access under a public policy to AWS principals of the account'),

  rule('CKV2_AWS_65', PolicyLevel.ERROR, 'S3 buckets must disable ACLs with object ownership "BucketOwnerEnforced".', BUCKET,
    (bucket, context) => {
      const controls = companions(context, 'aws_s3_bucket_ownership_controls', bucket);
      if (controls.length === 0) {
        return 'no aws_s3_bucket_ownership_controls references the bucket, so ACLs stay enabled';
      }
      const ownerships = controls.map((c) => firstBlock(c.config, 'rule')?.object_ownership);
      return ownerships.includes('BucketOwnerEnforced')
        ? undefined : `rule.object_ownership is ${shown(ownerships[0])}, not "BucketOwnerEnforced"`;
    }),

  rule('CKV_AWS_300', PolicyLevel.ERROR, 'S3 buckets must abort incomplete multipart uploads with a lifecycle rule, so failed uploads stop costing storage.', BUCKET,
    (bucket, context) => {
      const aborts = companions(context, 'aws_s3_bucket_lifecycle_configuration', bucket)
        .flatMap((c) => asList(c.config.rule))
        .some((r) => r.status === 'Enabled' && isSet(firstBlock(r, 'abort_incomplete_multipart_upload')?.days_after_initiation));
      return aborts ? undefined : 'no enabled lifecycle rule sets abort_incomplete_multipart_upload.days_after_initiation';
    }),

  rule('CKV_AWS_18', PolicyLevel.ERROR, 'S3 buckets must have server access logging.', BUCKET,
    (bucket, context) => companions(context, 'aws_s3_bucket_logging', bucket).length > 0
      ? undefined : 'no aws_s3_bucket_logging references the bucket'),

  rule('CKV2_AWS_62', PolicyLevel.ERROR, 'S3 buckets must send event notifications (an aws_s3_bucket_notification).', BUCKET,
    (bucket, context) => companions(context, 'aws_s3_bucket_notification', bucket).length > 0
      ? undefined : 'no aws_s3_bucket_notification references the bucket'),

  rule('CKV_AWS_144', PolicyLevel.ERROR, 'S3 buckets must be replicated to another region (as the source or the destination of an enabled replication rule).', BUCKET,
    (bucket, context) => {
      const type = 'aws_s3_bucket_replication_configuration';
      const configs = [...context.resourcesReferencing(type, bucket), ...companions(context, type, bucket)];
      const enabled = configs.some((c) => asList(c.config.rule).some((r) => r.status === 'Enabled' || isUnknown(r.status)));
      return enabled ? undefined : 'no aws_s3_bucket_replication_configuration with an enabled rule replicates from or to the bucket';
    }),

  rule('MLOPS_S3_TLS', PolicyLevel.ERROR, 'S3 buckets must have a bucket policy that denies requests not made over TLS.', BUCKET,
    (bucket, context) => {
      const policies = companions(context, 'aws_s3_bucket_policy', bucket);
      if (policies.length === 0) {
        return 'no aws_s3_bucket_policy references the bucket, so plain-HTTP requests are not denied';
      }
      const denies = policies.some((p) => {
        // A policy only known at apply time cannot be judged here; let it pass.
        return parsePolicy(p.config.policy) === undefined || statementsOf(p.config.policy).some(deniesInsecureTransport);
      });
      return denies ? undefined : 'the bucket policy has no Deny statement with condition Bool aws:SecureTransport = "false"';
    }),

  rule('MLOPS_S3_FORCE_DESTROY', PolicyLevel.ERROR, 'S3 buckets must not set force_destroy, which lets terraform destroy delete every object.', BUCKET,
    (bucket) => forbidTrue(bucket.config, 'force_destroy')),
];

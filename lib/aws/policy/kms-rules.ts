/* KMS rules: key rotation and key policies. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { asList, attachedTo, isSet, requireTrue, rule, statementsOf } from './rule';

/** True when a principal element names everyone: "*" or {"AWS": "*"} (alone or in a list). */
function isEveryone(principal: any): boolean {
  if (principal === '*') {
    return true;
  }
  return principal !== null && typeof principal === 'object' && asList(principal.AWS).includes('*');
}

export const KMS_RULES: IPolicyRule[] = [
  rule('CKV_AWS_7', PolicyLevel.ERROR, 'Symmetric KMS keys must have automatic rotation enabled.', ['aws_kms_key'],
    (key) => {
      const spec = key.config.customer_master_key_spec;
      // KMS only rotates symmetric encryption keys; asymmetric and HMAC keys cannot enable rotation.
      if (isSet(spec) && spec !== 'SYMMETRIC_DEFAULT') {
        return undefined;
      }
      return requireTrue(key.config, 'enable_key_rotation');
    }),

  rule('CKV2_AWS_64', PolicyLevel.ERROR, 'KMS keys must have an explicit key policy rather than the default one.', ['aws_kms_key'],
    (key, context) => isSet(key.config.policy) || attachedTo(context, 'aws_kms_key_policy', key, 'key_id').length > 0
      ? undefined : 'policy is not set and no aws_kms_key_policy references the key'),

  rule('CKV_AWS_33', PolicyLevel.ERROR, 'KMS key policies must not allow every principal ("*") without a condition.', ['aws_kms_key', 'aws_kms_key_policy'],
    (key) => {
      const open = statementsOf(key.config.policy).find((s) => s.Effect === 'Allow' && isEveryone(s.Principal) && !s.Condition);
      return open ? `statement ${JSON.stringify(open.Sid ?? '(no Sid)')} allows Principal "*" without a Condition` : undefined;
    }),
];

/* SNS rules. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { requireSet, rule } from './rule';

export const SNS_RULES: IPolicyRule[] = [
  rule('CKV_AWS_26', PolicyLevel.ERROR, 'SNS topics must be encrypted with KMS.', ['aws_sns_topic'],
    (topic) => requireSet(topic.config, 'kms_master_key_id')),
];

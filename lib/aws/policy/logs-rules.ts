/* Logging rules: CloudWatch log groups and VPC flow logs. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { attachedTo, isUnknown, requireSet, rule, shown, toNumber } from './rule';

/** One year: long enough for audits and incident reviews, as checkov requires. */
const MIN_RETENTION_DAYS = 365;

export const LOGS_RULES: IPolicyRule[] = [
  rule('CKV_AWS_158', PolicyLevel.ERROR, 'CloudWatch log groups must be encrypted with a customer-managed KMS key.', ['aws_cloudwatch_log_group'],
    (group) => requireSet(group.config, 'kms_key_id')),

  // As in checkov, an absent or 0 retention (never expire) fails: logs must have a deliberate, bounded lifetime.
  rule('CKV_AWS_338', PolicyLevel.ERROR, `CloudWatch log groups must retain logs for at least ${MIN_RETENTION_DAYS} days.`, ['aws_cloudwatch_log_group'],
    (group) => {
      const value = group.config.retention_in_days;
      const days = toNumber(value);
      if (isUnknown(value) || (days !== undefined && days >= MIN_RETENTION_DAYS)) {
        return undefined;
      }
      return `retention_in_days is ${shown(value)}${days === 0 ? ' (never expire)' : ''}; it must be at least ${MIN_RETENTION_DAYS}`;
    }),

  rule('CKV2_AWS_11', PolicyLevel.ERROR, 'Every VPC must have flow logs.', ['aws_vpc'],
    (vpc, context) => attachedTo(context, 'aws_flow_log', vpc, 'vpc_id').length > 0 ? undefined : 'no aws_flow_log references the VPC through vpc_id'),
];

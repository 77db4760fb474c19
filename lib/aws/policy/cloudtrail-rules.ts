/* CloudTrail rules: every region, tamper-evident, encrypted, logging, and wired to notifications and CloudWatch Logs. */
import { IPolicyRule, PolicyLevel } from '../../core/policy/policy-rule';
import { isFalse, requireSet, requireTrue, rule } from './rule';

const TRAIL = ['aws_cloudtrail'];

export const CLOUDTRAIL_RULES: IPolicyRule[] = [
  rule('CKV_AWS_35', PolicyLevel.ERROR, 'CloudTrail trails must encrypt log files with a customer-managed KMS key.', TRAIL,
    (trail) => requireSet(trail.config, 'kms_key_id')),

  rule('CKV_AWS_36', PolicyLevel.ERROR, 'CloudTrail trails must enable log file validation, so tampering with a log file is detectable.', TRAIL,
    (trail) => requireTrue(trail.config, 'enable_log_file_validation')),

  rule('CKV_AWS_67', PolicyLevel.ERROR, 'CloudTrail trails must cover every region (is_multi_region_trail).', TRAIL,
    (trail) => requireTrue(trail.config, 'is_multi_region_trail')),

  rule('CKV_AWS_252', PolicyLevel.WARNING, 'CloudTrail trails should name an SNS topic notified of each delivered log file.', TRAIL,
    (trail) => requireSet(trail.config, 'sns_topic_name')),

  rule('CKV2_AWS_10', PolicyLevel.WARNING, 'CloudTrail trails should also deliver to CloudWatch Logs, for metric filters and alarms.', TRAIL,
    (trail) => requireSet(trail.config, 'cloud_watch_logs_group_arn')),

  rule('MLOPS_CLOUDTRAIL_LOGGING', PolicyLevel.ERROR, 'CloudTrail trails must not be created with logging stopped (enable_logging = false).', TRAIL,
    (trail) => isFalse(trail.config.enable_logging) ? 'enable_logging is false' : undefined),
];

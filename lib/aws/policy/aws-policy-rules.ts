import { IPolicyRule } from '../../core/policy/policy-rule';
import { BACKUP_RULES } from './backup-rules';
import { CLOUDTRAIL_RULES } from './cloudtrail-rules';
import { EC2_RULES } from './ec2-rules';
import { ECR_RULES } from './ecr-rules';
import { ELASTICACHE_RULES } from './elasticache-rules';
import { EKS_RULES } from './eks-rules';
import { GUARDDUTY_RULES } from './guardduty-rules';
import { IAM_RULES } from './iam-rules';
import { KMS_RULES } from './kms-rules';
import { LOGS_RULES } from './logs-rules';
import { RDS_RULES } from './rds-rules';
import { S3_RULES } from './s3-rules';
import { SECRETS_RULES } from './secrets-rules';
import { SNS_RULES } from './sns-rules';
import { SQS_RULES } from './sqs-rules';

/**
 * The AWS policy rule pack: security, resilience and cost rules for S3, RDS, EKS, EC2/VPC, KMS, IAM,
 * CloudWatch Logs, ECR, SNS, AWS Backup, Secrets Manager, CloudTrail, SQS, GuardDuty and ElastiCache resources. Rule IDs follow checkov's where
 * checkov has the check (e.g. CKV_AWS_145), so suppressions read the same in both tools; checks checkov
 * lacks use the `MLOPS_` prefix.
 *
 * @example
 * const pack = new PolicyPack(AwsPolicyRules.all());
 * Aspects.of(stack).add(pack);
 */
export class AwsPolicyRules {
  /** Every AWS rule, as a new array on each call. */
  public static all(): IPolicyRule[] {
    return [
      ...S3_RULES, ...RDS_RULES, ...EKS_RULES, ...EC2_RULES, ...KMS_RULES, ...IAM_RULES, ...LOGS_RULES,
      ...ECR_RULES, ...SNS_RULES, ...BACKUP_RULES, ...SECRETS_RULES,
      ...CLOUDTRAIL_RULES, ...SQS_RULES, ...GUARDDUTY_RULES, ...ELASTICACHE_RULES,
    ];
  }

  private constructor() {}
}

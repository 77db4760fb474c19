import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Construct } from 'constructs';
import type { AwsCloud } from './aws-cloud';
import { KeyPurpose } from './aws-cloud';

/** Retention of every log group the library creates: a year, as audits (and checkov CKV_AWS_338) expect. */
export const LOG_RETENTION_DAYS = 365;

/** Creates a log group encrypted with the logs key and kept for a year. */
export function encryptedLogGroup(scope: Construct, id: string, cloud: AwsCloud, name: string): CloudwatchLogGroup {
  return new CloudwatchLogGroup(scope, id, {
    provider: cloud.provider,
    name,
    retentionInDays: LOG_RETENTION_DAYS,
    kmsKeyId: cloud.key(KeyPurpose.LOGS).keyArn,
  });
}

import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import type { AwsCloud } from './aws-cloud';
import { KeyPurpose } from './aws-cloud';

/** Retention of every log group the library creates: a year, as audits (and checkov CKV_AWS_338) expect. */
export const LOG_RETENTION_DAYS = 365;

/** Creates a log group encrypted with the logs key and kept for a year. */
export function encryptedLogGroup(scope: Construct, id: string, cloud: AwsCloud, name: string): CloudwatchLogGroup {
  const gib = cloud.stack.usage.logIngestionGiBPerLogGroupPerMonth;
  cloud.stack.addCostLine({
    component: scope.node.path, resource: `log ingestion (${name})`, region: cloud.primaryRegion, unit: CostUnit.GB,
    baselineQuantity: gib, fullScaleQuantity: gib, priceKey: 'logs:ingestion',
    assumption: `usageAssumptions.logIngestionGiBPerLogGroupPerMonth = ${gib} GiB; storage after ingestion not counted`,
  });
  return new CloudwatchLogGroup(scope, id, {
    provider: cloud.provider,
    name,
    retentionInDays: LOG_RETENTION_DAYS,
    kmsKeyId: cloud.key(KeyPurpose.LOGS).keyArn,
  });
}

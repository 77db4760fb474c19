import { BudgetsBudget } from '@cdktf/provider-aws/lib/budgets-budget';
import { CeAnomalyMonitor } from '@cdktf/provider-aws/lib/ce-anomaly-monitor';
import { CeAnomalySubscription } from '@cdktf/provider-aws/lib/ce-anomaly-subscription';
import { CeCostAllocationTag } from '@cdktf/provider-aws/lib/ce-cost-allocation-tag';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import { CostBudgetOptions } from '../core/interfaces';
import { AwsCloud, KeyPurpose } from './aws-cloud';

/** Properties of an {@link AwsCostBudget}. */
export interface AwsCostBudgetProps extends CostBudgetOptions {
  /** The cloud. */
  readonly cloud: AwsCloud;
}

/**
 * AWS Budgets, Cost Anomaly Detection and cost allocation tag activation behind the cloud-neutral
 * BudgetAlerts: a monthly cost budget filtered on a cost allocation tag with actual and forecast alerts, a
 * KMS-encrypted SNS topic with email subscriptions, a tag-scoped anomaly monitor, and one
 * `aws_ce_cost_allocation_tag` per tag key (without activation, tag filters match nothing).
 */
export class AwsCostBudget extends Construct {
  /** The budget. */
  public readonly budget: BudgetsBudget;
  /** The alert topic. */
  public readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: AwsCostBudgetProps) {
    super(scope, id);
    const cloud = props.cloud;
    const provider = cloud.provider;
    const tagActivations = props.activateTagKeys.map((key) => new CeCostAllocationTag(this, `ActivateTag-${key}`, { provider, tagKey: key, status: 'Active' }));

    this.topic = new SnsTopic(this, 'Topic', {
      provider, namePrefix: `${cloud.namePrefix}-cost-alerts-`, kmsMasterKeyId: cloud.key(KeyPurpose.NOTIFICATIONS).keyArn,
    });
    new SnsTopicPolicy(this, 'TopicPolicy', {
      provider,
      arn: this.topic.arn,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'AllowBudgetsAndAnomalyDetectionToPublish',
          Effect: 'Allow',
          Principal: { Service: ['budgets.amazonaws.com', 'costalerts.amazonaws.com'] },
          Action: 'SNS:Publish',
          Resource: this.topic.arn,
          Condition: { StringEquals: { 'aws:SourceAccount': cloud.accountId } },
        }],
      }),
    });
    props.emails.forEach((email, i) => new SnsTopicSubscription(this, `Email${i + 1}`, {
      provider, topicArn: this.topic.arn, protocol: 'email', endpoint: email,
    }));

    const notification = (type: string, threshold: number) => ({
      notificationType: type, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE',
      subscriberEmailAddresses: props.emails, subscriberSnsTopicArns: [this.topic.arn],
    });
    this.budget = new BudgetsBudget(this, 'Budget', {
      provider,
      name: `${cloud.namePrefix}-monthly`,
      budgetType: 'COST',
      timeUnit: 'MONTHLY',
      limitAmount: props.monthlyLimitUsd.toFixed(2),
      limitUnit: 'USD',
      costFilter: [{ name: 'TagKeyValue', values: [`user:${props.filterTagKey}$${props.filterTagValue}`] }],
      notification: [
        ...props.actualThresholdsPercent.map((t) => notification('ACTUAL', t)),
        ...props.forecastThresholdsPercent.map((t) => notification('FORECASTED', t)),
      ],
      dependsOn: tagActivations,
    });

    const monitor = new CeAnomalyMonitor(this, 'AnomalyMonitor', {
      provider,
      name: `${cloud.namePrefix}-anomalies`,
      monitorType: 'CUSTOM',
      monitorSpecification: JSON.stringify({ Tags: { Key: props.filterTagKey, Values: [props.filterTagValue], MatchOptions: ['EQUALS'] } }),
      dependsOn: tagActivations,
    });
    new CeAnomalySubscription(this, 'AnomalySubscription', {
      provider,
      name: `${cloud.namePrefix}-anomaly-alerts`,
      frequency: 'IMMEDIATE',
      monitorArnList: [monitor.arn],
      subscriber: [{ type: 'SNS', address: this.topic.arn }],
      thresholdExpression: {
        dimension: { key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', matchOptions: ['GREATER_THAN_OR_EQUAL'], values: [String(props.anomalyThresholdUsd)] },
      },
    });
  }
}

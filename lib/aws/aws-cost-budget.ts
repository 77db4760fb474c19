import { BudgetsBudget } from '@cdktf/provider-aws/lib/budgets-budget';
import { CeAnomalyMonitor } from '@cdktf/provider-aws/lib/ce-anomaly-monitor';
import { CeAnomalySubscription } from '@cdktf/provider-aws/lib/ce-anomaly-subscription';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import { CostBudgetOptions } from '../core/interfaces';
import { DeploymentPhase } from '../core/platform-report';
import { AwsCloud, KeyPurpose } from './aws-cloud';

/** Properties of an {@link AwsCostBudget}. */
export interface AwsCostBudgetProps extends CostBudgetOptions {
  /** The cloud. */
  readonly cloud: AwsCloud;
}

/**
 * AWS Budgets and Cost Anomaly Detection behind the cloud-neutral BudgetAlerts: a monthly cost budget filtered
 * on a cost allocation tag with actual and forecast alerts, a KMS-encrypted SNS topic with email
 * subscriptions, and a tag-scoped anomaly monitor.
 *
 * Cost allocation tags are deliberately not activated here (no `aws_ce_cost_allocation_tag`): AWS can only
 * activate a key after it has seen it on a billed resource (up to 24 hours after the first deploy, so the
 * first apply would fail), an Organizations member account is denied the call, and destroying the resource
 * deactivates the tag for the whole account. Activation is an account-wide billing setting; the platform
 * report lists it as an operator step for the management account.
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
    cloud.stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: 'Activate the cost allocation tags',
      detail: `In the AWS Organizations management (payer) account, or in this account if it is standalone, activate the tag keys ${props.tagKeys.map((k) => `\`${k}\``).join(', ')} ` +
        '(Billing and Cost Management > Cost allocation tags). AWS lists a key only after it has seen it on a billed resource, up to 24 hours after ' +
        'the first deploy; until then the budget and the anomaly monitor filter on a tag billing does not know and report no spend. The stack never ' +
        'activates them itself: destroying such a resource would deactivate the tags for the whole account.',
      command: `aws ce update-cost-allocation-tags-status --cost-allocation-tags-status ${props.tagKeys.map((k) => `TagKey=${k},Status=Active`).join(' ')}`,
    });

    this.topic = new SnsTopic(this, 'Topic', {
      provider, namePrefix: `${cloud.namePrefix}-cost-alerts-`, kmsMasterKeyId: cloud.key(KeyPurpose.NOTIFICATIONS).keyArn,
    });
    // Budgets and Cost Anomaly Detection check that they may publish when the notification is created.
    const topicPolicy = new SnsTopicPolicy(this, 'TopicPolicy', {
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
      dependsOn: [topicPolicy],
    });

    const monitor = new CeAnomalyMonitor(this, 'AnomalyMonitor', {
      provider,
      name: `${cloud.namePrefix}-anomalies`,
      monitorType: 'CUSTOM',
      monitorSpecification: JSON.stringify({ Tags: { Key: props.filterTagKey, Values: [props.filterTagValue], MatchOptions: ['EQUALS'] } }),
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
      dependsOn: [topicPolicy],
    });
  }
}

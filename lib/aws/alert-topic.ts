import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { checkEmails } from '../core/validate';
import type { AwsCloud } from './aws-cloud';
import { KeyPurpose } from './aws-cloud';

/** Properties of an {@link AlertTopic}. */
export interface AlertTopicProps {
  /** The cloud. */
  readonly cloud: AwsCloud;
  /**
   * Email addresses subscribed to the topic (each confirms the subscription by mail).
   *
   * @default - none; subscribe a chat or paging integration to the topic instead
   */
  readonly emails?: string[];
}

/**
 * The platform's operational alert topic: a KMS-encrypted SNS topic that AWS services publish security and
 * health findings to (EventBridge rules for ECR/Inspector and GuardDuty findings). Each service that publishes
 * is named in the topic policy, scoped to this account, and may use the notifications key; both are added by
 * {@link AlertTopic.allowPublishFrom}. Get it with `AwsCloud.alertTopic()`.
 *
 * @example
 * const topic = cloud.alertTopic();
 * topic.allowPublishFrom('events.amazonaws.com');
 */
export class AlertTopic extends Construct {
  /** The topic. */
  public readonly resource: SnsTopic;
  /** The topic policy. */
  public readonly policy: SnsTopicPolicy;
  /** Topic ARN. */
  public readonly topicArn: string;
  private readonly cloud: AwsCloud;
  private readonly publishers: string[] = [];
  private subscriptions = 0;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    this.cloud = props.cloud;
    const provider = props.cloud.provider;
    this.resource = new SnsTopic(this, 'Resource', {
      provider, namePrefix: `${props.cloud.namePrefix}-alerts-`, kmsMasterKeyId: props.cloud.key(KeyPurpose.NOTIFICATIONS).keyArn,
    });
    this.topicArn = this.resource.arn;
    const owner = {
      Sid: 'AccountPublishesAndSubscribes',
      Effect: 'Allow',
      Principal: { AWS: `arn:${props.cloud.partition}:iam::${props.cloud.accountId}:root` },
      Action: ['SNS:Publish', 'SNS:Subscribe', 'SNS:GetTopicAttributes'],
      Resource: this.topicArn,
    };
    this.policy = new SnsTopicPolicy(this, 'Policy', {
      provider,
      arn: this.topicArn,
      policy: Lazy.stringValue({
        produce: () => JSON.stringify({
          Version: '2012-10-17',
          Statement: [owner, ...(this.publishers.length === 0 ? [] : [{
            Sid: 'AwsServicesPublish',
            Effect: 'Allow',
            Principal: { Service: this.publishers.length === 1 ? this.publishers[0] : [...this.publishers] },
            Action: 'SNS:Publish',
            Resource: this.topicArn,
            Condition: { StringEquals: { 'aws:SourceAccount': props.cloud.accountId } },
          }])],
        }),
      }),
    });
    checkEmails(this, 'emails', props.emails);
    (props.emails ?? []).forEach((email) => this.addEmail(email));
  }

  /**
   * Lets an AWS service (e.g. `events.amazonaws.com`) publish to the topic: names it in the topic policy and
   * lets it use the notifications key, without which an encrypted topic silently drops its messages.
   */
  public allowPublishFrom(servicePrincipal: string): void {
    if (this.publishers.includes(servicePrincipal)) {
      return;
    }
    this.publishers.push(servicePrincipal);
    this.cloud.key(KeyPurpose.NOTIFICATIONS).addServiceGrant({
      servicePrincipal,
      // No source condition here: SNS makes the KMS call for the publishing service, and EventBridge's documented
      // key policy for encrypted targets has none. The topic policy above scopes publishing to this account.
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    });
  }

  /**
   * Routes AWS events that match `eventPattern` (an EventBridge pattern object) to the topic: an EventBridge
   * rule on the default bus, created under `scope`, targeting the topic, after the topic policy admits
   * EventBridge. Returns the rule.
   */
  public routeEvents(scope: Construct, id: string, description: string, eventPattern: { [key: string]: any }): CloudwatchEventRule {
    this.allowPublishFrom('events.amazonaws.com');
    const provider = this.cloud.provider;
    const rule = new CloudwatchEventRule(scope, id, {
      provider, namePrefix: `${this.cloud.namePrefix}-${id.toLowerCase()}-`.slice(0, 38), description, eventPattern: JSON.stringify(eventPattern),
    });
    new CloudwatchEventTarget(scope, `${id}Target`, {
      provider, rule: rule.name, arn: this.topicArn, dependsOn: [this.policy, this.cloud.key(KeyPurpose.NOTIFICATIONS).resource],
    });
    return rule;
  }

  /** Subscribes an email address (confirmed by mail). */
  public addEmail(email: string): void {
    checkEmails(this, 'email', [email]);
    this.subscriptions += 1;
    new SnsTopicSubscription(this, `Email${this.subscriptions}`, {
      provider: this.cloud.provider, topicArn: this.topicArn, protocol: 'email', endpoint: email,
    });
  }
}

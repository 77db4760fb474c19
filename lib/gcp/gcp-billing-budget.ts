import type { BillingBudget } from '@cdktf/provider-google/lib/billing-budget';
import type { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import type { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { Construct } from 'constructs';
import { ValidationError } from '../core/errors';
import { CostBudgetOptions } from '../core/interfaces';
import { DeploymentPhase } from '../core/platform-report';
import { checkEmails, checkPattern, checkUsdAmount } from '../core/validate';
import type { GcpCloud } from './gcp-cloud';
import { GcpKeyPurpose, GcpRegionRole } from './gcp-cloud';
import { addServiceAgentStep, labelValue } from './gcs-bucket';
import { loadGoogle } from './google-bindings';
import { GoogleServiceAgent } from './google-service-agents';

/** Properties of a {@link GcpBillingBudget}. */
export interface GcpBillingBudgetProps extends CostBudgetOptions {
  /** The cloud. */
  readonly cloud: GcpCloud;
  /**
   * Billing account the budget is created on, e.g. `012345-6789AB-CDEF01`.
   *
   * @default - the cloud's `billingAccountId`, else the billing account the project is linked to (read at plan time)
   */
  readonly billingAccountId?: string;
}

/**
 * A Cloud Billing budget behind the cloud-neutral BudgetAlerts: a monthly budget on the billing account, filtered
 * on the project and on the cost-allocation label, with thresholds on actual (`CURRENT_SPEND`) and forecast
 * (`FORECASTED_SPEND`) spend. It notifies email channels of Cloud Monitoring (one per address; the billing
 * account's default recipients are turned off) and a CMEK-encrypted Pub/Sub topic for automation.
 *
 * Google Cloud has no cost-anomaly resource: the forecast thresholds are the early warning, and the report lists
 * the operator step that turns on Cloud Billing's anomaly detection in the console, which has no API in the provider.
 *
 * @example
 * cloud.newCostBudget(this, 'Budget', { monthlyLimitUsd: 5000, actualThresholdsPercent: [80, 100],
 *   forecastThresholdsPercent: [100], emails: ['ml-platform@example.com'], filterTagKey: 'team', filterTagValue: 'ml-platform',
 *   tagKeys: ['team'], anomalyThresholdUsd: 100 });
 */
export class GcpBillingBudget extends Construct {
  /** The budget. */
  public readonly budget: BillingBudget;
  /** The notification topic. */
  public readonly topic: PubsubTopic;
  /** One email notification channel per address. */
  public readonly channels: MonitoringNotificationChannel[];

  constructor(scope: Construct, id: string, props: GcpBillingBudgetProps) {
    super(scope, id);
    const cloud = props.cloud;
    const provider = cloud.provider;
    checkUsdAmount(this, 'monthlyLimitUsd', props.monthlyLimitUsd);
    checkEmails(this, 'emails', props.emails);
    if (!Array.isArray(props.emails) || props.emails.length > 5) {
      throw new ValidationError(this, 'emails', props.emails, 'must list 1 to 5 addresses (a budget notifies at most 5 monitoring channels)',
        'List up to 5 addresses, or one group address.');
    }
    const thresholds = [...props.actualThresholdsPercent.map((p) => ['CURRENT_SPEND', p] as const),
      ...props.forecastThresholdsPercent.map((p) => ['FORECASTED_SPEND', p] as const)];
    thresholds.forEach(([basis, percent], i) => {
      if (typeof percent !== 'number' || !(percent > 0) || percent > 1000) {
        throw new ValidationError(this, basis === 'CURRENT_SPEND' ? 'actualThresholdsPercent' : 'forecastThresholdsPercent', percent,
          `must be a percentage above 0 and at most 1000 (threshold ${i + 1})`, 'Use e.g. [80, 100].');
      }
    });
    const billingAccount = props.billingAccountId ?? (cloud as any).billingAccountId ?? this.linkedBillingAccount(cloud);
    checkPattern(this, 'billingAccountId', billingAccount, /^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$/,
      'a billing account ID such as "012345-6789AB-CDEF01"');

    const key = cloud.key(GcpKeyPurpose.NOTIFICATIONS, GcpRegionRole.PRIMARY);
    const grant = key.grantToServiceAgent(GoogleServiceAgent.PUBSUB);
    addServiceAgentStep(cloud);
    const { PubsubTopic: Topic } = loadGoogle<typeof import('@cdktf/provider-google/lib/pubsub-topic')>('pubsub-topic');
    this.topic = new Topic(this, 'Topic', {
      provider, project: cloud.projectId, name: `${cloud.namePrefix}-cost-alerts`, kmsKeyName: key.keyId,
      // Messages stay in the primary region.
      messageStoragePolicy: { allowedPersistenceRegions: [cloud.primaryRegion] },
      dependsOn: [grant],
    });
    // Cloud Billing publishes as this account; it must be allowed before the budget names the topic.
    const { PubsubTopicIamMember: TopicMember } = loadGoogle<typeof import('@cdktf/provider-google/lib/pubsub-topic-iam-member')>('pubsub-topic-iam-member');
    const publisher = new TopicMember(this, 'BillingPublisher', {
      provider, project: cloud.projectId, topic: this.topic.name, role: 'roles/pubsub.publisher',
      member: 'serviceAccount:billing-budget-alert@system.gserviceaccount.com',
    });
    const { MonitoringNotificationChannel: Channel } =
      loadGoogle<typeof import('@cdktf/provider-google/lib/monitoring-notification-channel')>('monitoring-notification-channel');
    this.channels = props.emails.map((email, i) => new Channel(this, `Email${i + 1}`, {
      provider, project: cloud.projectId, type: 'email', displayName: `${cloud.namePrefix} cost alerts (${email})`,
      labels: { email_address: email },
    }));
    const units = Math.floor(props.monthlyLimitUsd);
    const nanos = Math.round((props.monthlyLimitUsd - units) * 1e9);
    const { BillingBudget: Budget } = loadGoogle<typeof import('@cdktf/provider-google/lib/billing-budget')>('billing-budget');
    this.budget = new Budget(this, 'Resource', {
      provider,
      billingAccount,
      displayName: `${cloud.namePrefix}-monthly`.slice(0, 60),
      amount: { specifiedAmount: { currencyCode: 'USD', units: String(units), nanos } },
      budgetFilter: {
        projects: [`projects/${cloud.projectNumber}`],
        labels: { [labelValue(props.filterTagKey)]: labelValue(props.filterTagValue) },
        calendarPeriod: 'MONTH',
        creditTypesTreatment: 'INCLUDE_ALL_CREDITS',
      },
      thresholdRules: thresholds.map(([spendBasis, percent]) => ({ spendBasis, thresholdPercent: percent / 100 })),
      allUpdatesRule: {
        pubsubTopic: this.topic.id,
        schemaVersion: '1.0',
        monitoringNotificationChannels: this.channels.map((c) => c.id),
        disableDefaultIamRecipients: true,
      },
      dependsOn: [publisher],
    });
    cloud.stack.addDeploymentStep({
      phase: DeploymentPhase.BEFORE_DEPLOY,
      title: 'Allow the deploying identity to manage budgets on the billing account',
      detail: 'A budget is created on the billing account, not in the project: the identity that runs `cdktf deploy` needs '
        + '`billing.budgets.create` there (Billing Account Costs Manager or Billing Account Administrator), and the Cloud Billing and '
        + 'Billing Budgets APIs enabled in the project (its quota project, see the provider\'s `billing_project`).',
      command: `BILLING_ACCOUNT=$(gcloud billing projects describe ${cloud.projectId} --format="value(billingAccountName.basename())")\n`
        + 'gcloud billing accounts add-iam-policy-binding "$BILLING_ACCOUNT" --member "user:$(gcloud config get-value account)" '
        + '--role roles/billing.costsManager',
    });
    cloud.stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: 'Verify the budget notification channels and watch for cost anomalies',
      detail: `Each address (${props.emails.join(', ')}) gets a verification email from Cloud Monitoring. Google Cloud has no Terraform resource for ` +
        'cost anomaly detection: the budget\'s forecast thresholds are the early warning, and Cloud Billing > Anomalies in the console ' +
        `(on by default for the billing account) shows spikes; set its alert threshold to ${props.anomalyThresholdUsd} USD there. The budget filters on the label ` +
        `\`${labelValue(props.filterTagKey)}=${labelValue(props.filterTagValue)}\`, which the provider's default labels put on every resource.`,
    });
  }

  /** The billing account the project is linked to, read at plan time. */
  private linkedBillingAccount(cloud: GcpCloud): string {
    const { DataGoogleProject: Project } = loadGoogle<typeof import('@cdktf/provider-google/lib/data-google-project')>('data-google-project');
    const project = new Project(this, 'Project', { provider: cloud.provider, projectId: cloud.projectId });
    return project.billingAccount;
  }
}

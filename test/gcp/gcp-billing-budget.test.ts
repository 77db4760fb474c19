import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { GcpBillingBudget, GcpBillingBudgetProps } from '../../lib/gcp/gcp-billing-budget';
import { GcpCloud } from '../../lib/gcp/gcp-cloud';
import { GcpPolicyRules } from '../../lib/gcp/policy/gcp-policy-rules';
import { expectValidationError, newStack, refTo, resourceAt, resourcesOfType, synthStack } from '../helpers';

function setup() {
  const stack = newStack({ primaryRegion: 'us-central1', recoveryObjective: RecoveryObjective.businessCritical('us-east1') });
  const cloud = new GcpCloud(stack, 'Gcp', { projectId: 'fraud-ml-prod' });
  const budget = (overrides: Partial<GcpBillingBudgetProps> = {}) => new GcpBillingBudget(stack, 'Budget', {
    cloud, monthlyLimitUsd: 5000.5, actualThresholdsPercent: [80, 100], forecastThresholdsPercent: [100],
    emails: ['ml-platform@example.com', 'finops@example.com'], filterTagKey: 'team', filterTagValue: 'ml-platform', tagKeys: ['team'],
    anomalyThresholdUsd: 100, billingAccountId: '012345-6789AB-CDEF01', ...overrides,
  });
  return { stack, cloud, budget };
}

describe('GcpBillingBudget', () => {
  test('budgets the project and the cost label with actual and forecast thresholds, notifying channels and a CMEK topic', () => {
    const { stack, budget } = setup();
    budget();
    const { json, report } = synthStack(stack);
    const resource = resourceAt(json, 'google_billing_budget', 'Budget/Resource');
    expect(resource).toMatchObject({
      billing_account: '012345-6789AB-CDEF01', display_name: 'fraud-prod-monthly',
      amount: { specified_amount: { currency_code: 'USD', units: '5000', nanos: 500000000 } },
      budget_filter: { labels: { team: 'ml-platform' }, calendar_period: 'MONTH' },
      threshold_rules: [
        { spend_basis: 'CURRENT_SPEND', threshold_percent: 0.8 }, { spend_basis: 'CURRENT_SPEND', threshold_percent: 1 },
        { spend_basis: 'FORECASTED_SPEND', threshold_percent: 1 },
      ],
      all_updates_rule: { pubsub_topic: refTo(json, 'google_pubsub_topic', 'Budget/Topic', 'id'), schema_version: '1.0', disable_default_iam_recipients: true },
    });
    expect(resource.budget_filter.projects[0]).toMatch(/^projects\/\$\{data\.google_project\./);
    expect(resource.all_updates_rule.monitoring_notification_channels).toHaveLength(2);
    expect(resourcesOfType(json, 'google_monitoring_notification_channel').map((c) => c.labels.email_address))
      .toEqual(['ml-platform@example.com', 'finops@example.com']);
    const topic = resourceAt(json, 'google_pubsub_topic', 'Budget/Topic');
    expect(topic.kms_key_name).toMatch(/Gcp_PrimaryNotificationsKey/);
    expect(topic.message_storage_policy.allowed_persistence_regions).toEqual(['us-central1']);
    expect(resourceAt(json, 'google_pubsub_topic_iam_member', 'Budget/BillingPublisher')).toMatchObject({
      role: 'roles/pubsub.publisher', member: 'serviceAccount:billing-budget-alert@system.gserviceaccount.com',
    });
    const step = report.deploymentSteps.find((s: any) => s.title.startsWith('Verify the budget notification channels'));
    expect(step.detail).toMatch(/no Terraform resource for cost anomaly detection/);
  });

  test('reads the linked billing account when none is given', () => {
    const { stack, budget } = setup();
    budget({ billingAccountId: undefined });
    const { json } = synthStack(stack);
    expect(resourceAt(json, 'google_billing_budget', 'Budget/Resource').billing_account).toMatch(/^\$\{data\.google_project\.Budget_Project.*\.billing_account\}$/);
  });

  test('passes the GCP policy rules', () => {
    const { stack, budget } = setup();
    stack.policy.addRules(GcpPolicyRules.all());
    budget();
    const { report } = synthStack(stack);
    expect(report.policy.findings.filter((f: any) => f.suppressedBecause === undefined && f.level === 'ERROR')).toEqual([]);
  });

  describe('validation', () => {
    test('billingAccountId', () => {
      const { budget } = setup();
      expectValidationError(() => budget({ billingAccountId: 'billingAccounts/123' }), 'test/Budget', 'billingAccountId', /billing account ID/);
    });
    test('emails', () => {
      const { budget } = setup();
      expect(() => budget({ emails: ['not-an-email'] })).toThrow(/emails/);
    });
    test('more than five emails', () => {
      const { budget } = setup();
      expectValidationError(() => budget({ emails: ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io', 'f@x.io'] }), 'test/Budget', 'emails', /1 to 5 addresses/);
    });
    test('thresholds', () => {
      const { budget } = setup();
      expectValidationError(() => budget({ actualThresholdsPercent: [0] }), 'test/Budget', 'actualThresholdsPercent', /percentage above 0/);
      const again = setup();
      expectValidationError(() => again.budget({ forecastThresholdsPercent: [2000] }), 'test/Budget', 'forecastThresholdsPercent', /at most 1000/);
    });
    test('monthlyLimitUsd', () => {
      const { budget } = setup();
      expect(() => budget({ monthlyLimitUsd: -1 })).toThrow(/monthlyLimitUsd/);
    });
  });
});

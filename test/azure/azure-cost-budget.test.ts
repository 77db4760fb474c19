import { AzureCloud } from '../../lib/azure/azure-cloud';
import { AzureCostBudget, AzureCostBudgetProps } from '../../lib/azure/azure-cost-budget';
import { AzurePolicyRules } from '../../lib/azure/policy/azure-policy-rules';
import { PolicySuppressions } from '../../lib/core/policy/policy-suppressions';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { expectValidationError, newStack, refTo, resourceAt, synthStack } from '../helpers';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

function setup() {
  const stack = newStack({ primaryRegion: 'eastus2', recoveryObjective: RecoveryObjective.businessCritical('centralus') });
  const cloud = new AzureCloud(stack, 'Azure', { subscriptionId: SUBSCRIPTION });
  stack.policy.addRules(AzurePolicyRules.all());
  PolicySuppressions.add(cloud, [{ id: 'CKV_AZURE_40', reason: 'Keys of AzureCloud expire through their rotation policy.' }]);
  return { stack, cloud };
}

function props(cloud: AzureCloud, extra: Partial<AzureCostBudgetProps> = {}): AzureCostBudgetProps {
  return {
    cloud, monthlyLimitUsd: 5000, actualThresholdsPercent: [80, 100], forecastThresholdsPercent: [100], emails: ['ml@example.com', 'fin@example.com'],
    filterTagKey: 'team', filterTagValue: 'ml-platform', tagKeys: ['team'], anomalyThresholdUsd: 100, ...extra,
  };
}

describe('AzureCostBudget', () => {
  test('is a subscription budget on the cost tag with Actual and Forecasted notifications to the emails and an action group', () => {
    const { stack, cloud } = setup();
    new AzureCostBudget(stack, 'Budget', props(cloud));
    const json = synthStack(stack).json;
    const budget = resourceAt(json, 'azurerm_consumption_budget_subscription', 'Budget/Resource');
    expect(budget).toMatchObject({
      subscription_id: `/subscriptions/${SUBSCRIPTION}`, amount: 5000, time_grain: 'Monthly',
      filter: { tag: [{ name: 'team', operator: 'In', values: ['ml-platform'] }] },
      lifecycle: { ignore_changes: ['time_period[0].start_date'] },
    });
    // Computed by Terraform when it creates the budget, not by the synth clock.
    expect(budget.time_period.start_date).toBe('${formatdate("YYYY-MM-01\'T\'00:00:00\'Z\'", timestamp())}');
    const group = refTo(json, 'azurerm_monitor_action_group', 'Budget/ActionGroup', 'id');
    expect(budget.notification).toEqual([
      { enabled: true, threshold_type: 'Actual', threshold: 80, operator: 'GreaterThanOrEqualTo', contact_emails: ['ml@example.com', 'fin@example.com'], contact_groups: [group] },
      { enabled: true, threshold_type: 'Actual', threshold: 100, operator: 'GreaterThanOrEqualTo', contact_emails: ['ml@example.com', 'fin@example.com'], contact_groups: [group] },
      { enabled: true, threshold_type: 'Forecasted', threshold: 100, operator: 'GreaterThanOrEqualTo', contact_emails: ['ml@example.com', 'fin@example.com'], contact_groups: [group] },
    ]);
    expect(resourceAt(json, 'azurerm_monitor_action_group', 'Budget/ActionGroup')).toMatchObject({
      location: 'global', short_name: 'costalerts',
      email_receiver: [
        { name: 'email-1', email_address: 'ml@example.com', use_common_alert_schema: true },
        { name: 'email-2', email_address: 'fin@example.com', use_common_alert_schema: true },
      ],
    });
    const anomaly = resourceAt(json, 'azurerm_cost_anomaly_alert', 'Budget/AnomalyAlert');
    expect(anomaly).toMatchObject({ subscription_id: `/subscriptions/${SUBSCRIPTION}`, email_addresses: ['ml@example.com', 'fin@example.com'] });
    expect(anomaly.display_name.length).toBeLessThanOrEqual(25);
    expect(anomaly.email_subject.length).toBeLessThanOrEqual(50);
    expect(anomaly.name).toMatch(/^[a-z0-9-]+$/);
  });

  test('a pinned start date is used as is and not ignored', () => {
    const { stack, cloud } = setup();
    new AzureCostBudget(stack, 'Budget', props(cloud, { startDate: '2026-12-01' }));
    const budget = resourceAt(synthStack(stack).json, 'azurerm_consumption_budget_subscription', 'Budget/Resource');
    expect(budget.time_period).toEqual({ start_date: '2026-12-01T00:00:00Z' });
    expect(budget.lifecycle).toBeUndefined();
  });

  test('explains the anomaly alert has no amount threshold', () => {
    const { stack, cloud } = setup();
    new AzureCostBudget(stack, 'Budget', props(cloud));
    expect(JSON.stringify(synthStack(stack).report.deploymentSteps)).toMatch(/no amount threshold.*100 USD/);
  });

  describe('validation', () => {
    test.each([
      ['monthlyLimitUsd', { monthlyLimitUsd: -1 }, /monthlyLimitUsd/],
      ['emails[0]', { emails: ['not-an-email'] }, /email/],
      ['emails', { emails: [] }, /at least one address/],
      ['actualThresholdsPercent', { actualThresholdsPercent: [0] }, /above 0 and at most 1000/],
      ['forecastThresholdsPercent', { forecastThresholdsPercent: [2000] }, /above 0 and at most 1000/],
      ['actualThresholdsPercent', { actualThresholdsPercent: [], forecastThresholdsPercent: [] }, /both empty/],
      ['actualThresholdsPercent', { actualThresholdsPercent: [50, 60, 70, 80], forecastThresholdsPercent: [90, 100] }, /5 notifications/],
      ['startDate', { startDate: '2026-12-15' }, /first of a month/],
      ['startDate', { startDate: '2016-01-01' }, /on or after 2017-06-01/],
      ['startDate', { startDate: '2026-13-01' }, /YYYY-MM-01/],
    ])('%s', (prop, extra, message) => {
      const { stack, cloud } = setup();
      expectValidationError(() => new AzureCostBudget(stack, 'Budget', props(cloud, extra as any)), 'test/Budget', prop, message);
    });
  });
});

import { App } from 'cdktf';
import { AwsCloud } from '../lib/aws/aws-cloud';
import { BudgetAlerts, BudgetAlertsProps, BudgetScope } from '../lib/budget-alerts';
import { addressOf, expectValidationError, newApp, newStack, readStackOutput, refTo, resourceAt, resourcesOfType } from './helpers';

const EMAILS = ['ml-platform@example.com', 'finance+ml@example.org'];

describe('BudgetAlerts', () => {
  let json: any;
  let report: any;
  let markdown: string;
  let team: any;
  beforeAll(() => {
    const app: App = newApp();
    const stack = newStack({}, app, 'test');
    new BudgetAlerts(stack, 'Budget', { cloud: new AwsCloud(stack, 'Aws'), monthlyLimitUsd: 2500, emails: EMAILS });
    const other = newStack({}, app, 'team');
    new BudgetAlerts(other, 'Budget', {
      cloud: new AwsCloud(other, 'Aws'), monthlyLimitUsd: 99.5, emails: [EMAILS[0]], scope: BudgetScope.TEAM,
      actualThresholdsPercent: [50], forecastThresholdsPercent: [90, 110], anomalyThresholdUsd: 250,
    });
    app.synth();
    ({ json, report, markdown } = readStackOutput(app.outdir, 'test'));
    team = readStackOutput(app.outdir, 'team').json;
  });

  const topicArn = () => refTo(json, 'aws_sns_topic', 'test/Budget/Budget/Topic', 'arn');

  test('a monthly cost budget filtered on the project tag', () => {
    const budget = resourceAt(json, 'aws_budgets_budget', 'test/Budget/Budget/Budget');
    expect(budget).toMatchObject({
      name: 'fraud-prod-monthly', budget_type: 'COST', time_unit: 'MONTHLY', limit_amount: '2500.00', limit_unit: 'USD',
      cost_filter: [{ name: 'TagKeyValue', values: ['user:project$fraud'] }],
    });
    // Budgets checks it may publish to the topic when the notification is created: it waits for the topic policy.
    expect(budget.depends_on).toEqual([addressOf(json, 'aws_sns_topic_policy', 'test/Budget/Budget/TopicPolicy')]);
  });

  test('ACTUAL and FORECASTED notifications to the emails and the topic', () => {
    const { notification } = resourceAt(json, 'aws_budgets_budget', 'test/Budget/Budget/Budget');
    expect(notification.map((n: any) => [n.notification_type, n.threshold])).toEqual([['ACTUAL', 80], ['ACTUAL', 100], ['FORECASTED', 100]]);
    for (const n of notification) {
      expect(n).toMatchObject({ comparison_operator: 'GREATER_THAN', threshold_type: 'PERCENTAGE', subscriber_email_addresses: EMAILS, subscriber_sns_topic_arns: [topicArn()] });
    }
  });

  test('the SNS topic is KMS-encrypted and only billing services may publish', () => {
    const topic = resourceAt(json, 'aws_sns_topic', 'test/Budget/Budget/Topic');
    expect(topic.kms_master_key_id).toBe(refTo(json, 'aws_kms_key', 'test/Aws/PrimaryNotificationsKey/Resource', 'arn'));
    const policy = JSON.parse(resourceAt(json, 'aws_sns_topic_policy', 'test/Budget/Budget/TopicPolicy').policy);
    expect(policy.Statement).toEqual([expect.objectContaining({
      Effect: 'Allow', Principal: { Service: ['budgets.amazonaws.com', 'costalerts.amazonaws.com'] }, Action: 'SNS:Publish', Resource: topicArn(),
    })]);
    expect(policy.Statement[0].Condition.StringEquals['aws:SourceAccount']).toMatch(/^\$\{data\.aws_caller_identity\./);
  });

  test('one email subscription per address', () => {
    expect(resourcesOfType(json, 'aws_sns_topic_subscription').map((s) => [s.protocol, s.endpoint, s.topic_arn]))
      .toEqual(EMAILS.map((e) => ['email', e, topicArn()]));
  });

  test('an anomaly monitor on the same tag and an immediate subscription', () => {
    const monitor = resourceAt(json, 'aws_ce_anomaly_monitor', 'test/Budget/Budget/AnomalyMonitor');
    expect(monitor.monitor_type).toBe('CUSTOM');
    expect(JSON.parse(monitor.monitor_specification)).toEqual({ Tags: { Key: 'project', Values: ['fraud'], MatchOptions: ['EQUALS'] } });
    const [subscription] = resourcesOfType(json, 'aws_ce_anomaly_subscription');
    expect(subscription).toMatchObject({
      frequency: 'IMMEDIATE', monitor_arn_list: [refTo(json, 'aws_ce_anomaly_monitor', 'test/Budget/Budget/AnomalyMonitor', 'arn')],
      subscriber: [{ type: 'SNS', address: topicArn() }],
      threshold_expression: { dimension: { key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', match_options: ['GREATER_THAN_OR_EQUAL'], values: ['100'] } },
    });
    expect(subscription.depends_on).toEqual([addressOf(json, 'aws_sns_topic_policy', 'test/Budget/Budget/TopicPolicy')]);
    // Nothing waits for a tag activation any more.
    expect(monitor.depends_on).toBeUndefined();
  });

  test('no cost allocation tag is activated by the stack (it fails on a first deploy and its destroy deactivates account-wide tags)', () => {
    for (const j of [json, team]) {
      expect(j.resource.aws_ce_cost_allocation_tag).toBeUndefined();
      expect(JSON.stringify(j)).not.toContain('aws_ce_cost_allocation_tag');
    }
  });

  test('the report tells the operator how and where to activate the four cost allocation tags, after deploy', () => {
    const steps = report.deploymentSteps.filter((s: any) => s.title === 'Activate the cost allocation tags');
    expect(steps).toHaveLength(1);
    const [step] = steps;
    expect(step.phase).toBe('AFTER_DEPLOY');
    expect(step.command).toBe('aws ce update-cost-allocation-tags-status --cost-allocation-tags-status ' +
      'TagKey=cost-center,Status=Active TagKey=team,Status=Active TagKey=project,Status=Active TagKey=environment,Status=Active');
    expect(step.detail).toMatch(/management \(payer\) account/);
    expect(step.detail).toMatch(/24 hours/);
    expect(markdown).toContain('## Operator steps');
    expect(markdown).toContain('### After deploy');
    expect(markdown).toContain('- **Activate the cost allocation tags.**');
    expect(markdown).toContain('  aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey=cost-center,Status=Active');
  });

  test('scope and thresholds are configurable', () => {
    const budget = resourcesOfType(team, 'aws_budgets_budget')[0];
    expect(budget.cost_filter).toEqual([{ name: 'TagKeyValue', values: ['user:team$ml-platform'] }]);
    expect(budget.limit_amount).toBe('99.50');
    expect(budget.notification.map((n: any) => [n.notification_type, n.threshold])).toEqual([['ACTUAL', 50], ['FORECASTED', 90], ['FORECASTED', 110]]);
    expect(resourcesOfType(team, 'aws_ce_anomaly_subscription')[0].threshold_expression.dimension.values).toEqual(['250']);
  });

  test('the report describes the budget and there are no policy errors', () => {
    expect(report.components).toContainEqual({
      path: 'test/Budget', name: 'BudgetAlerts', description: '$2500/month on project=fraud; actual at 80/100%, forecast at 100%; anomalies from $100',
    });
    expect(report.policy.errors).toBe(0);
  });
});

describe('BudgetAlerts validation', () => {
  function build(props: Partial<BudgetAlertsProps>) {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    return () => new BudgetAlerts(stack, 'Budget', { cloud, monthlyLimitUsd: 1000, emails: EMAILS, ...props });
  }

  test.each([0, -5])('monthlyLimitUsd %p is rejected', (monthlyLimitUsd) => {
    expectValidationError(build({ monthlyLimitUsd }), 'test/Budget', 'monthlyLimitUsd', new RegExp(`must be a number greater than 0 \\(got ${monthlyLimitUsd}\\)`));
  });

  test('a missing or non-finite monthlyLimitUsd is rejected', () => {
    expectValidationError(build({ monthlyLimitUsd: undefined }), 'test/Budget', 'monthlyLimitUsd', /is required \(got nothing\)/);
    expectValidationError(build({ monthlyLimitUsd: NaN }), 'test/Budget', 'monthlyLimitUsd', /must be a number greater than 0/);
  });

  test.each([
    ['actualThresholdsPercent', [0], 0],
    ['actualThresholdsPercent', [80, 1001], 1001],
    ['forecastThresholdsPercent', [1001], 1001],
    ['forecastThresholdsPercent', [-1], -1],
  ])('%s %p is rejected', (prop, values, bad) => {
    const index = (values as number[]).indexOf(bad as number);
    expectValidationError(build({ [prop as string]: values }), 'test/Budget', `${prop}[${index}]`,
      new RegExp(`must be a number greater than 0 and at most 1000 \\(got ${bad}\\)`));
  });

  test('thresholds of exactly 1000 are accepted, an empty list is not', () => {
    expect(build({ actualThresholdsPercent: [1000], forecastThresholdsPercent: [0.5] })).not.toThrow();
    expectValidationError(build({ actualThresholdsPercent: [] }), 'test/Budget', 'actualThresholdsPercent', /must list at least one percentage/);
  });

  test.each(['not-an-email', 'a@b', '@example.com', 'me@exa mple.com'])('malformed email %p is rejected', (email) => {
    expectValidationError(build({ emails: [EMAILS[0], email] }), 'test/Budget', 'emails[1]', /is not valid: an email address such as "ml-platform@example\.com"/);
  });

  test('an empty email list is rejected', () => {
    expectValidationError(build({ emails: [] }), 'test/Budget', 'emails', /must list at least one address/);
    expectValidationError(build({ emails: undefined as any }), 'test/Budget', 'emails', /must list at least one address/);
  });

  test('anomalyThresholdUsd must be positive', () => {
    expectValidationError(build({ anomalyThresholdUsd: 0 }), 'test/Budget', 'anomalyThresholdUsd', /must be a number greater than 0 \(got 0\)/);
  });
});

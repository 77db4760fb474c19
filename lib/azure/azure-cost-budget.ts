import type { ConsumptionBudgetSubscription } from '@cdktf/provider-azurerm/lib/consumption-budget-subscription';
import type { CostAnomalyAlert } from '@cdktf/provider-azurerm/lib/cost-anomaly-alert';
import type { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from '../core/errors';
import { CostBudgetOptions } from '../core/interfaces';
import { DeploymentPhase } from '../core/platform-report';
import { checkEmails, checkUsdAmount, isUnresolved, slugify } from '../core/validate';
import type { AzureCloud } from './azure-cloud';
import { AzureRegionRole } from './azure-cloud';
import { loadAzurerm } from './azurerm-bindings';

/** Properties of an {@link AzureCostBudget}. */
export interface AzureCostBudgetProps extends CostBudgetOptions {
  /** The cloud. */
  readonly cloud: AzureCloud;
  /**
   * First day of the budget, `YYYY-MM-01`. Azure requires the first of a month, not before the current month when
   * the budget is created, and replaces the budget when it changes.
   *
   * @default - the first of the month in which `terraform apply` creates the budget (computed by Terraform at apply
   * time, never at synth), then kept: later applies ignore it
   */
  readonly startDate?: string;
}

/**
 * A monthly Azure consumption budget behind the cloud-neutral BudgetAlerts: a subscription budget filtered on the
 * cost-allocation tag (which every resource carries through AzureTagsAspect, in both regions' resource groups), with
 * `Actual` and `Forecasted` notifications at the thresholds, sent to the addresses and to an Azure Monitor action
 * group with an email receiver per address (for automation to hook into); and a subscription-scope cost anomaly
 * alert (`azurerm_cost_anomaly_alert`) mailing the same addresses the daily anomaly digest.
 *
 * The start date is fixed, never recomputed at synth: a budget's start date forces a new budget when it changes, so
 * a date derived from the synth clock would replace it every month (and change the synthesized stack). By default
 * Terraform computes the first of the current month when it creates the budget (Azure refuses a start date in a
 * past month) and then ignores the attribute; `startDate` pins it in code instead.
 *
 * Azure's anomaly alert has no amount threshold: it reports every anomaly Cost Management detects; the report
 * notes the `anomalyThresholdUsd` the other clouds apply.
 *
 * @example
 * cloud.newCostBudget(this, 'Budget', { monthlyLimitUsd: 5000, actualThresholdsPercent: [80, 100],
 *   forecastThresholdsPercent: [100], emails: ['ml-platform@example.com'], filterTagKey: 'team', filterTagValue: 'ml-platform',
 *   tagKeys: ['team'], anomalyThresholdUsd: 100 });
 */
export class AzureCostBudget extends Construct {
  /** The budget. */
  public readonly budget: ConsumptionBudgetSubscription;
  /** The action group the notifications go to. */
  public readonly actionGroup: MonitorActionGroup;
  /** The cost anomaly alert. */
  public readonly anomalyAlert: CostAnomalyAlert;

  constructor(scope: Construct, id: string, props: AzureCostBudgetProps) {
    super(scope, id);
    const cloud = props.cloud;
    const provider = cloud.provider;
    checkUsdAmount(this, 'monthlyLimitUsd', props.monthlyLimitUsd);
    checkEmails(this, 'emails', props.emails);
    if (!Array.isArray(props.emails) || props.emails.length === 0) {
      throw new ValidationError(this, 'emails', props.emails, 'must list at least one address', 'Pass e.g. ["ml-platform@example.com"].');
    }
    const actual = props.actualThresholdsPercent ?? [];
    const forecast = props.forecastThresholdsPercent ?? [];
    const thresholds = [...actual.map((p) => ['Actual', p] as const), ...forecast.map((p) => ['Forecasted', p] as const)];
    thresholds.forEach(([type, percent], i) => {
      if (typeof percent !== 'number' || !(percent > 0) || percent > 1000) {
        throw new ValidationError(this, type === 'Actual' ? 'actualThresholdsPercent' : 'forecastThresholdsPercent', percent,
          `must be a percentage above 0 and at most 1000 (threshold ${i + 1})`, 'Use e.g. [80, 100].');
      }
    });
    if (thresholds.length === 0) {
      throw new ValidationError(this, 'actualThresholdsPercent', actual, 'and forecastThresholdsPercent are both empty',
        'Give at least one threshold, e.g. actualThresholdsPercent: [80, 100].');
    }
    cloud.checkBudgetNotifications(this, 'emails', props.emails, 'actualThresholdsPercent', thresholds.length);
    if (props.startDate !== undefined && !isUnresolved(props.startDate)) {
      const match = /^(\d{4})-(\d{2})-01$/.exec(String(props.startDate));
      const month = match ? Number(match[2]) : 0;
      if (!match || month < 1 || month > 12 || props.startDate < '2017-06-01') {
        throw new ValidationError(this, 'startDate', props.startDate, 'must be the first of a month as YYYY-MM-01, on or after 2017-06-01',
          'Use the first of the month the budget starts, e.g. "2026-12-01", or leave it unset to start in the month of the first apply.');
      }
    }
    const name = slugify(`${cloud.namePrefix}-monthly`).slice(0, 63);

    const { MonitorActionGroup: Group } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/monitor-action-group')>('monitor-action-group');
    this.actionGroup = new Group(this, 'ActionGroup', {
      provider,
      name: `ag-${name}-cost`,
      resourceGroupName: cloud.resourceGroupName(AzureRegionRole.PRIMARY),
      location: 'global',
      shortName: 'costalerts',
      emailReceiver: props.emails.map((email, i) => ({ name: `email-${i + 1}`, emailAddress: email, useCommonAlertSchema: true })),
    });
    const { ConsumptionBudgetSubscription: Budget } =
      loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/consumption-budget-subscription')>('consumption-budget-subscription');
    const start = props.startDate !== undefined
      ? `${props.startDate}T00:00:00Z`
      : Fn.formatdate("YYYY-MM-01'T'00:00:00'Z'", Fn.timestamp());
    this.budget = new Budget(this, 'Resource', {
      provider,
      name,
      subscriptionId: `/subscriptions/${cloud.subscriptionId}`,
      amount: props.monthlyLimitUsd,
      timeGrain: 'Monthly',
      timePeriod: { startDate: start },
      filter: { tag: [{ name: props.filterTagKey, operator: 'In', values: [props.filterTagValue] }] },
      notification: thresholds.map(([type, percent]) => ({
        enabled: true, thresholdType: type, threshold: percent, operator: 'GreaterThanOrEqualTo',
        contactEmails: props.emails, contactGroups: [this.actionGroup.id],
      })),
      // The start date is decided once (a change replaces the budget): timestamp() would change it on every plan.
      lifecycle: props.startDate === undefined ? { ignoreChanges: ['time_period[0].start_date'] } : undefined,
    });
    const { CostAnomalyAlert: Alert } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/cost-anomaly-alert')>('cost-anomaly-alert');
    this.anomalyAlert = new Alert(this, 'AnomalyAlert', {
      provider,
      name: slugify(`${cloud.namePrefix}-cost-anomalies`).slice(0, 63).replace(/-+$/, ''),
      displayName: `${cloud.namePrefix} anomalies`.slice(0, 25),
      subscriptionId: `/subscriptions/${cloud.subscriptionId}`,
      emailAddresses: props.emails,
      emailSubject: `Cost anomaly: ${cloud.namePrefix}`.slice(0, 50),
      message: `Cost Management detected an anomaly in the subscription of ${cloud.namePrefix}.`.slice(0, 100),
    });
    cloud.stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: 'Check the cost budget and anomaly alerts',
      detail: `The budget filters on the tag \`${props.filterTagKey}=${props.filterTagValue}\` across the subscription; Azure Cost Management ` +
        'evaluates it a few times a day. The anomaly alert mails a daily digest of every anomaly Cost Management detects in the subscription: ' +
        `Azure has no amount threshold for it (the ${props.anomalyThresholdUsd} USD threshold of the other clouds does not apply).`,
    });
  }
}

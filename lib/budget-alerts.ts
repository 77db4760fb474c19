import { Construct } from 'constructs';
import { CostAllocation } from './core/cost-allocation';
import { ValidationError } from './core/errors';
import { ICloudServices } from './core/interfaces';
import { PlatformStack } from './core/platform-stack';
import {
  checkEmails, checkEnum, checkPositive, checkUnique, checkUsdAmount, isCloudServices, requireConstruct, requireList, requireProps,
} from './core/validate';

/** Which cost allocation tag scopes the budget and the anomaly monitor. */
export enum BudgetScope {
  /** Everything tagged with the stack's project. */
  PROJECT = 'PROJECT',
  /** Everything tagged with the stack's team. */
  TEAM = 'TEAM',
  /** Everything tagged with the stack's cost center. */
  COST_CENTER = 'COST_CENTER',
  /** Everything tagged with the stack's environment. */
  ENVIRONMENT = 'ENVIRONMENT',
}

/** Properties of a {@link BudgetAlerts}. */
export interface BudgetAlertsProps {
  /** Cloud whose billing services hold the budget. */
  readonly cloud: ICloudServices;
  /** Monthly budget in USD (greater than 0). */
  readonly monthlyLimitUsd: number;
  /** Who gets the alerts (at least one address). */
  readonly emails: string[];
  /**
   * Percentages of the budget at which actual spend alerts, in (0, 1000].
   *
   * @default [80, 100]
   */
  readonly actualThresholdsPercent?: number[];
  /**
   * Percentages of the budget at which forecast spend alerts, in (0, 1000].
   *
   * @default [100]
   */
  readonly forecastThresholdsPercent?: number[];
  /**
   * Alert on a cost anomaly whose total impact reaches this many USD.
   *
   * @default 100
   */
  readonly anomalyThresholdUsd?: number;
  /**
   * Tag the budget filters on.
   *
   * @default BudgetScope.PROJECT
   */
  readonly scope?: BudgetScope;
}

/**
 * Cost guardrails: a monthly budget filtered on a cost allocation tag, alerting on actual and forecast spend,
 * an encrypted notification topic with email subscriptions, and cost anomaly detection on the same tag. Tags
 * filter nothing in billing until activated, an account-wide setting the platform report lists as an operator
 * step rather than something a destroyable stack owns.
 *
 * @example
 * new BudgetAlerts(stack, 'Budget', { cloud, monthlyLimitUsd: 25000, emails: ['ml-platform@example.com'] });
 */
export class BudgetAlerts extends Construct {
  /** Tag key the budget filters on. */
  public readonly filterTagKey: string;

  constructor(scope: Construct, id: string, props: BudgetAlertsProps) {
    super(scope, id);
    requireProps(this, props, "{ cloud, monthlyLimitUsd: 25000, emails: ['ml-platform@example.com'] }");
    requireConstruct(this, 'cloud', props.cloud, 'a cloud (ICloudServices, e.g. an AwsCloud)', isCloudServices, "Pass the stack's AwsCloud, e.g. new AwsCloud(stack, 'Aws').");
    const stack = PlatformStack.ofConstruct(this);
    if (props.monthlyLimitUsd === undefined) {
      throw new ValidationError(this, 'monthlyLimitUsd', undefined, 'is required', 'Set the monthly budget in USD, e.g. 25000.');
    }
    checkUsdAmount(this, 'monthlyLimitUsd', props.monthlyLimitUsd);
    requireList(this, 'emails', props.emails, { example: "['ml-platform@example.com']" });
    if (!Array.isArray(props.emails) || props.emails.length === 0) {
      throw new ValidationError(this, 'emails', props.emails, 'must list at least one address', 'Add the address of the team that owns the spend.');
    }
    checkEmails(this, 'emails', props.emails);
    checkUnique(this, 'emails', props.emails);
    const actual = props.actualThresholdsPercent ?? [80, 100];
    const forecast = props.forecastThresholdsPercent ?? [100];
    checkThresholds(this, 'actualThresholdsPercent', actual);
    checkThresholds(this, 'forecastThresholdsPercent', forecast);
    const anomalyThresholdUsd = props.anomalyThresholdUsd ?? 100;
    checkUsdAmount(this, 'anomalyThresholdUsd', anomalyThresholdUsd);
    props.cloud.checkBudgetNotifications(this, 'emails', props.emails,
      props.forecastThresholdsPercent !== undefined ? 'forecastThresholdsPercent' : 'actualThresholdsPercent', actual.length + forecast.length);

    const cost = stack.costAllocation;
    checkEnum(this, 'scope', props.scope, BudgetScope, 'BudgetScope');
    const scopeTag = props.scope ?? BudgetScope.PROJECT;
    const [key, value] = {
      [BudgetScope.PROJECT]: [CostAllocation.PROJECT_KEY, cost.project],
      [BudgetScope.TEAM]: [CostAllocation.TEAM_KEY, cost.team],
      [BudgetScope.COST_CENTER]: [CostAllocation.COST_CENTER_KEY, cost.costCenter],
      [BudgetScope.ENVIRONMENT]: [CostAllocation.ENVIRONMENT_KEY, cost.environment],
    }[scopeTag];
    this.filterTagKey = key;
    props.cloud.newCostBudget(this, 'Budget', {
      monthlyLimitUsd: props.monthlyLimitUsd,
      actualThresholdsPercent: actual,
      forecastThresholdsPercent: forecast,
      emails: props.emails,
      filterTagKey: key,
      filterTagValue: value,
      tagKeys: cost.tagKeys,
      anomalyThresholdUsd,
    });
    stack.addBudget({ path: this.node.path, monthlyLimitUsd: props.monthlyLimitUsd });
    stack.addComponent({
      path: this.node.path, name: 'BudgetAlerts',
      description: `$${props.monthlyLimitUsd}/month on ${key}=${value}; actual at ${actual.join('/')}%, forecast at ${forecast.join('/')}%; ` +
        `anomalies from $${anomalyThresholdUsd}`,
    });
  }
}

function checkThresholds(scope: Construct, prop: string, values: number[]): void {
  if (!Array.isArray(values) || values.length === 0) {
    throw new ValidationError(scope, prop, values, 'must list at least one percentage', 'Use e.g. [80, 100].');
  }
  values.forEach((v, i) => checkPositive(scope, `${prop}[${i}]`, v, 1000));
  checkUnique(scope, prop, values);
}

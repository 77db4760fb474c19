import { IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { checkEmails, checkInteger, checkUnique, checkUsdAmount, requireList, requireProps } from '../core/validate';

/** What every cloud's platform composition takes the same way. */
interface CommonPlatformProps {
  readonly monthlyBudgetUsd?: number;
  readonly alertEmails?: string[];
  readonly modelObjectLockDays?: number;
  readonly gpuPools?: Array<{ readonly name?: string }>;
}

/** How a composition's checks differ by cloud: its example props and pool, and the ids its own children take. */
interface PlatformCheckOptions {
  /** Props to show when none are given, e.g. `{ monthlyBudgetUsd: 25000, ... }`. */
  readonly exampleProps: string;
  /** A GPU pool of this cloud for the examples, e.g. `{ name: 'Gpu', instanceType: 'g6.xlarge' }`. */
  readonly examplePool: string;
  /** Construct ids of the platform's own children, which a GPU pool cannot take. */
  readonly reservedChildIds: string[];
}

/**
 * Checks the props every platform composition shares (budget, alert emails, model lock, GPU pool names), so errors
 * name the prop the user set rather than an inner construct's, with the same words on every cloud.
 */
export function checkCommonPlatformProps(scope: IConstruct, props: CommonPlatformProps, options: PlatformCheckOptions): void {
  requireProps(scope, props, options.exampleProps);
  if (props.monthlyBudgetUsd === undefined) {
    throw new ValidationError(scope, 'monthlyBudgetUsd', undefined, 'is required', 'Set the monthly budget in USD, e.g. 25000.');
  }
  checkUsdAmount(scope, 'monthlyBudgetUsd', props.monthlyBudgetUsd);
  requireList(scope, 'alertEmails', props.alertEmails, { example: "['ml-platform@example.com']" });
  if (!Array.isArray(props.alertEmails) || props.alertEmails.length === 0) {
    throw new ValidationError(scope, 'alertEmails', props.alertEmails, 'must list at least one address',
      'Add the address of the team that owns the spend.');
  }
  checkEmails(scope, 'alertEmails', props.alertEmails);
  checkUnique(scope, 'alertEmails', props.alertEmails);
  checkInteger(scope, 'modelObjectLockDays', props.modelObjectLockDays, 1, 36500);
  if (props.gpuPools !== undefined && !Array.isArray(props.gpuPools)) {
    throw new ValidationError(scope, 'gpuPools', props.gpuPools, 'must be a list', `Pass e.g. [${options.examplePool}].`);
  }
  const reserved = options.reservedChildIds;
  const names = new Set<string>();
  (props.gpuPools ?? []).forEach((pool, i) => {
    const name = pool?.name;
    if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9]{0,62}$/.test(name)) {
      throw new ValidationError(scope, `gpuPools[${i}].name`, name, 'must be 1-63 letters or digits, starting with a letter',
        'Name the pool after its use, e.g. "TrainingGpus"; the name becomes part of Terraform addresses, so keep it once deployed.');
    }
    if (reserved.includes(name) || names.has(name)) {
      throw new ValidationError(scope, `gpuPools[${i}].name`, name,
        names.has(name) ? 'repeats the name of an earlier pool' : 'is taken by a part of the platform',
        `Give every pool its own name, other than ${reserved.join(', ')}.`);
    }
    names.add(name);
  });
}

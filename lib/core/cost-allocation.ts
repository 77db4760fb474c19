import { IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { slugify } from './validate';

/** Properties of a {@link CostAllocation}. */
export interface CostAllocationProps {
  /** Finance cost center that pays for the platform, e.g. `cc-4512`. */
  readonly costCenter: string;
  /** Team that owns the platform, e.g. `ml-platform`. */
  readonly team: string;
  /** Project the resources belong to, e.g. `fraud-models`. */
  readonly project: string;
  /** Deployment environment, e.g. `prod`. */
  readonly environment: string;
}

/**
 * Who pays for a stack. Required on every {@link PlatformStack}.
 *
 * The same four key/value pairs become the AWS providers' `default_tags`, labels on every Kubernetes
 * namespace and workload the library creates (so OpenCost can allocate), the cost allocation tag
 * activations and the budget filters. Values must be valid as both AWS tag values and Kubernetes label
 * values, so one spelling works everywhere.
 *
 * @example
 * const cost = new CostAllocation({ costCenter: 'cc-4512', team: 'ml-platform', project: 'fraud', environment: 'prod' });
 */
export class CostAllocation {
  /** Tag key for the cost center. */
  public static readonly COST_CENTER_KEY = 'cost-center';
  /** Tag key for the owning team. */
  public static readonly TEAM_KEY = 'team';
  /** Tag key for the project. */
  public static readonly PROJECT_KEY = 'project';
  /** Tag key for the environment. */
  public static readonly ENVIRONMENT_KEY = 'environment';

  /** Cost center. */
  public readonly costCenter: string;
  /** Owning team. */
  public readonly team: string;
  /** Project. */
  public readonly project: string;
  /** Environment. */
  public readonly environment: string;

  constructor(props: CostAllocationProps) {
    this.costCenter = props?.costCenter;
    this.team = props?.team;
    this.project = props?.project;
    this.environment = props?.environment;
  }

  /** The tag keys, in a fixed order. */
  public get tagKeys(): string[] {
    return [CostAllocation.COST_CENTER_KEY, CostAllocation.TEAM_KEY, CostAllocation.PROJECT_KEY, CostAllocation.ENVIRONMENT_KEY];
  }

  /** The cost allocation as tags (and Kubernetes labels): key to value. */
  public get tags(): { [key: string]: string } {
    return {
      [CostAllocation.COST_CENTER_KEY]: this.costCenter,
      [CostAllocation.TEAM_KEY]: this.team,
      [CostAllocation.PROJECT_KEY]: this.project,
      [CostAllocation.ENVIRONMENT_KEY]: this.environment,
    };
  }

  /**
   * `<project>-<environment>` made safe for every cloud resource name the library derives (database
   * identifiers, cluster names, key aliases, bucket prefixes): lower-case letters, digits and single hyphens,
   * starting with a letter, at most 32 characters.
   */
  public get resourcePrefix(): string {
    return startWithLetter(slugify(`${this.project}-${this.environment}`)).slice(0, 32).replace(/-+$/, '');
  }

  /** The project made safe for names that allow only lower-case letters, digits and single hyphens. */
  public get projectSlug(): string {
    return startWithLetter(slugify(this.project));
  }

  /**
   * Throws a {@link ValidationError} on the given scope when a field is missing or is not a valid
   * Kubernetes label value (which is also a valid AWS tag value).
   */
  public validate(scope: IConstruct): void {
    const fields: Array<[string, string]> = [
      ['costCenter', this.costCenter], ['team', this.team], ['project', this.project], ['environment', this.environment],
    ];
    for (const [name, value] of fields) {
      if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
        throw new ValidationError(scope, `costAllocation.${name}`, value, 'is required: a stack cannot synthesize untagged',
          `Set costAllocation.${name}, e.g. new CostAllocation({ costCenter: 'cc-4512', team: 'ml-platform', project: 'fraud', environment: 'prod' }).`);
      }
      if (typeof value !== 'string' || value.length > 63 || !/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(value)) {
        throw new ValidationError(scope, `costAllocation.${name}`, value,
          'must be 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
          'Use a value that is valid as both an AWS tag and a Kubernetes label value, e.g. "ml-platform".');
      }
    }
  }
}

/** Many cloud names must start with a letter; a slug that does not gets a `p-` prefix. */
function startWithLetter(slug: string): string {
  return /^[a-z]/.test(slug) ? slug : `p-${slug}`;
}

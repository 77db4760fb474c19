/*
 * Cloud-neutral cost model: constructs emit cost lines (what they create, how much of it a month at baseline and
 * at full scale, and which price it takes); a cloud layer supplies the dated price catalog; the stack totals them
 * at synth for the platform report and checks them against the budget.
 */

/** Hours in an average month (8,760 / 12), as the cloud price pages use. */
export const HOURS_PER_MONTH = 730;

/** Unit a cost line's quantity is counted in. */
export enum CostUnit {
  /** Hours of a running resource (per month: 730 for one always-on resource). */
  HOUR = 'hour',
  /** Gigabytes stored for a month. */
  GB_MONTH = 'GB-month',
  /** Gigabytes processed or transferred. */
  GB = 'GB',
  /** A resource billed per month (a key, a secret). */
  MONTH = 'month',
}

/** One billable thing a construct creates, counted per month. */
export interface CostLine {
  /** Construct path of the component that creates it. */
  readonly component: string;
  /** What is billed, e.g. `system nodes (m7i.large)`. */
  readonly resource: string;
  /** Region it is billed in. */
  readonly region: string;
  /** Unit of the quantities. */
  readonly unit: CostUnit;
  /** Monthly quantity at baseline (minimum nodes). */
  readonly baselineQuantity: number;
  /** Monthly quantity at full scale (maximum nodes). */
  readonly fullScaleQuantity: number;
  /** Key of the unit price in the cloud's price catalog, e.g. `ec2:m7i.large`. */
  readonly priceKey: string;
  /** How the quantities were reached (the usage assumption, when there is one). */
  readonly assumption: string;
  /**
   * The GPU pool the line belongs to, by construct path.
   *
   * @default - not a GPU pool
   */
  readonly gpuPool?: string;
  /**
   * Fraction of the catalog (on-demand) price expected to be paid, for spot capacity. The estimate keeps the
   * on-demand ceiling as the figure and shows the expected one beside it, labelled.
   *
   * @default - the catalog price is what is paid
   */
  readonly expectedPriceFactor?: number;
  /**
   * Cost allocation the line is billed to (tag key to value), when it differs from the stack's: e.g. a team's
   * own namespace or node pool. The estimate totals lines per value of each key.
   *
   * @default - the stack's cost allocation
   */
  readonly costAllocation?: { [key: string]: string };
}

/** A unit price from a catalog. */
export interface PriceQuote {
  /** USD per unit. */
  readonly usd: number;
  /** Unit the price is per, e.g. `hour`. */
  readonly unit: string;
  /** Price page or price list it comes from. */
  readonly source: string;
  /** Date the price was taken (YYYY-MM-DD). */
  readonly date: string;
  /** Where the figure came from: `price-list` (fetched) or `memory` (written by hand, to refresh). */
  readonly basis: string;
}

/** A dated price catalog of one cloud. */
export interface IPriceCatalog {
  /** Cloud the prices are for, e.g. `aws`. */
  readonly cloudName: string;
  /** The price of a key in a region, or undefined when the catalog has none (never zero for unknown). */
  price(key: string, region: string): PriceQuote | undefined;
}

/** A monthly budget registered with the stack. */
export interface BudgetLimit {
  /** Construct path of the budget. */
  readonly path: string;
  /** Monthly limit in USD. */
  readonly monthlyLimitUsd: number;
}

/**
 * Usage-based quantities the estimate cannot know from the configuration. Each has a default; override the ones
 * you know on `PlatformStackProps.usageAssumptions`.
 */
export interface UsageAssumptions {
  /**
   * Data stored in each object storage bucket, GiB.
   *
   * @default 100
   */
  readonly objectStorageGiBPerBucket?: number;
  /**
   * Data written each month to a bucket replicated to the DR region, GiB (all of it crosses regions).
   *
   * @default 20
   */
  readonly replicatedGiBPerBucketPerMonth?: number;
  /**
   * Data processed by the NAT gateways of a network each month (image pulls, package downloads, API calls), GiB.
   *
   * @default 200
   */
  readonly natProcessedGiBPerMonth?: number;
  /**
   * Logs ingested into each log group each month, GiB.
   *
   * @default 5
   */
  readonly logIngestionGiBPerLogGroupPerMonth?: number;
  /**
   * Backup storage each backed-up data store takes, in each vault (primary and DR copy), GiB.
   *
   * @default 100
   */
  readonly backupGiBPerStore?: number;
  /**
   * Expected spot discount against on-demand, percent (AWS quotes up to 90%; GPU spot prices typically sit 50-70% below).
   *
   * @default 60
   */
  readonly spotDiscountPercent?: number;
}

/** {@link UsageAssumptions} with every default filled in. */
export class ResolvedUsageAssumptions {
  /** Data stored in each bucket, GiB. */
  public readonly objectStorageGiBPerBucket: number;
  /** Data replicated per replicated bucket per month, GiB. */
  public readonly replicatedGiBPerBucketPerMonth: number;
  /** NAT processed data per network per month, GiB. */
  public readonly natProcessedGiBPerMonth: number;
  /** Log ingestion per log group per month, GiB. */
  public readonly logIngestionGiBPerLogGroupPerMonth: number;
  /** Backup storage per store per vault, GiB. */
  public readonly backupGiBPerStore: number;
  /** Expected spot discount, percent. */
  public readonly spotDiscountPercent: number;

  constructor(usage: UsageAssumptions = {}) {
    this.objectStorageGiBPerBucket = usage.objectStorageGiBPerBucket ?? 100;
    this.replicatedGiBPerBucketPerMonth = usage.replicatedGiBPerBucketPerMonth ?? 20;
    this.natProcessedGiBPerMonth = usage.natProcessedGiBPerMonth ?? 200;
    this.logIngestionGiBPerLogGroupPerMonth = usage.logIngestionGiBPerLogGroupPerMonth ?? 5;
    this.backupGiBPerStore = usage.backupGiBPerStore ?? 100;
    this.spotDiscountPercent = usage.spotDiscountPercent ?? 60;
  }
}

/** Monthly USD at baseline and at full scale. */
export interface CostTotals {
  /** Monthly USD at baseline (minimum nodes). */
  readonly baselineUsd: number;
  /** Monthly USD at full scale (maximum nodes), spot at the on-demand ceiling. */
  readonly fullScaleUsd: number;
  /** Monthly USD at full scale with spot at its expected discount. */
  readonly fullScaleExpectedUsd: number;
}

/** A priced cost line. */
export interface PricedCostLine extends CostTotals {
  /** The line. */
  readonly line: CostLine;
  /** Its unit price. */
  readonly price: PriceQuote;
}

/** The budget check's outcome. */
export interface BudgetCheck {
  /** The budget. */
  readonly budget: BudgetLimit;
  /** Whether the baseline alone exceeds it. */
  readonly baselineExceeds: boolean;
  /** Whether full scale (spot at the on-demand ceiling) exceeds it. */
  readonly fullScaleExceeds: boolean;
  /** The GPU pools, largest scale-up first, without whose scale-up full scale would fit the budget. */
  readonly poolsOverBudget: string[];
}

/** Totals of a group of lines. */
export interface CostGroup extends CostTotals {
  /** What the group is, e.g. a construct path. */
  readonly key: string;
}

/** The stack's monthly cost estimate. */
export interface CostEstimate extends CostTotals {
  /** Regions priced. */
  readonly regions: string[];
  /** Oldest and newest dates of the prices used (YYYY-MM-DD). */
  readonly oldestPriceDate: string;
  /** Newest price date used. */
  readonly newestPriceDate: string;
  /** Price keys used whose figure was written from memory and needs a refresh. */
  readonly pricesFromMemory: string[];
  /** Every priced line. */
  readonly lines: PricedCostLine[];
  /** Lines without a price: left out of the totals, and each one a warning. */
  readonly unpriced: CostLine[];
  /** Totals per component (construct path), in the order the components emitted lines. */
  readonly components: CostGroup[];
  /** Totals per GPU pool (construct path). */
  readonly gpuPools: CostGroup[];
  /**
   * Totals per cost allocation value, keyed `<tag key>=<value>` (e.g. `team=ml-platform`), for each tag key the
   * lines carry: what the billing console will show per allocation tag once the tags are activated.
   */
  readonly costAllocations: CostGroup[];
  /** Budget checks, one per registered budget. */
  readonly budgets: BudgetCheck[];
  /** Warnings, one per unpriced line and per budget exceeded at full scale. */
  readonly warnings: string[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** One formatter for every figure: `toLocaleString` builds a new one per call, which showed in synth profiles. */
const USD_FORMAT = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Totals cost lines against a price catalog and budgets. */
export class CostEstimator {
  /** Prices the lines and checks the budgets. Lines without a catalog or a price are unpriced, never zero. */
  public static estimate(lines: CostLine[], budgets: BudgetLimit[], catalog?: IPriceCatalog): CostEstimate {
    const priced: PricedCostLine[] = [];
    const unpriced: CostLine[] = [];
    for (const line of lines) {
      const price = catalog?.price(line.priceKey, line.region);
      if (!price) {
        unpriced.push(line);
        continue;
      }
      const factor = line.expectedPriceFactor ?? 1;
      priced.push({
        line, price,
        baselineUsd: round2(line.baselineQuantity * price.usd),
        fullScaleUsd: round2(line.fullScaleQuantity * price.usd),
        fullScaleExpectedUsd: round2(line.fullScaleQuantity * price.usd * factor),
      });
    }
    const totals = sum(priced);
    const dates = priced.map((p) => p.price.date).sort();
    const warnings = unpriced.map((l) => `cost estimate: no ${catalog ? `${catalog.cloudName} ` : ''}price for ${l.priceKey} in ${l.region} ` +
      `(${l.resource} of ${l.component}); it is left out of the totals, which are too low by its cost. ` +
      (catalog ? 'Add it to the price catalog or refresh the catalog.' : 'No price catalog is registered with the stack: create the cloud (e.g. AwsCloud) first.'));
    const checks = budgets.map((budget) => {
      const over = totals.fullScaleUsd > budget.monthlyLimitUsd;
      const poolsOverBudget: string[] = [];
      if (over) {
        let remaining = totals.fullScaleUsd;
        for (const pool of poolScaleUps(priced)) {
          if (remaining <= budget.monthlyLimitUsd || pool.scaleUpUsd <= 0) {
            break;
          }
          remaining -= pool.scaleUpUsd;
          poolsOverBudget.push(pool.path);
        }
        warnings.push(`cost estimate: full scale costs $${fmt(totals.fullScaleUsd)}/month (on-demand ceiling; $${fmt(totals.fullScaleExpectedUsd)} expected ` +
          `with spot discounts), over the budget of $${fmt(budget.monthlyLimitUsd)} at ${budget.path}. ` +
          (poolsOverBudget.length > 0 ? `The scale-up of GPU pool(s) ${poolsOverBudget.join(', ')} pushes it over: lower their maxSize, use spot, or raise the budget.`
            : 'Lower the maximum sizes or raise the budget.'));
      }
      return { budget, baselineExceeds: totals.baselineUsd > budget.monthlyLimitUsd, fullScaleExceeds: over, poolsOverBudget };
    });
    return {
      ...totals,
      regions: [...new Set(lines.map((l) => l.region))].sort(),
      oldestPriceDate: dates[0] ?? '',
      newestPriceDate: dates[dates.length - 1] ?? '',
      pricesFromMemory: [...new Set(priced.filter((p) => p.price.basis === 'memory').map((p) => `${p.line.priceKey}@${p.line.region}`))].sort(),
      lines: priced,
      unpriced,
      components: groupBy(priced, (l) => l.line.component),
      gpuPools: groupBy(priced, (l) => l.line.gpuPool),
      costAllocations: groupByAllocation(priced),
      budgets: checks,
      warnings,
    };
  }

  /** USD with thousands separators and cents, e.g. `25,000.00`. */
  public static formatUsd(usd: number): string {
    return USD_FORMAT.format(usd);
  }

  private constructor() {}
}

/** Totals of the priced lines grouped by a key (component path, GPU pool), in first-seen order. */
function groupBy(lines: PricedCostLine[], key: (l: PricedCostLine) => string | undefined): CostGroup[] {
  const groups = new Map<string, PricedCostLine[]>();
  for (const l of lines) {
    const k = key(l);
    if (k !== undefined) {
      groups.set(k, [...(groups.get(k) ?? []), l]);
    }
  }
  return [...groups.entries()].map(([k, ls]) => ({ key: k, ...sum(ls) }));
}

/** Totals per `key=value` of every cost allocation key the lines carry, keys in first-seen order, then values. */
function groupByAllocation(lines: PricedCostLine[]): CostGroup[] {
  const keys = [...new Set(lines.flatMap((l) => Object.keys(l.line.costAllocation ?? {})))];
  return keys.flatMap((tagKey) => groupBy(lines, (l) => {
    const value = l.line.costAllocation?.[tagKey];
    return value === undefined ? `${tagKey}=(untagged)` : `${tagKey}=${value}`;
  }));
}

function sum(lines: CostTotals[]): CostTotals {
  return {
    baselineUsd: round2(lines.reduce((a, l) => a + l.baselineUsd, 0)),
    fullScaleUsd: round2(lines.reduce((a, l) => a + l.fullScaleUsd, 0)),
    fullScaleExpectedUsd: round2(lines.reduce((a, l) => a + l.fullScaleExpectedUsd, 0)),
  };
}

/** Each GPU pool's full-scale minus baseline cost (on-demand ceiling), largest first. */
function poolScaleUps(lines: PricedCostLine[]): { path: string; scaleUpUsd: number }[] {
  return groupBy(lines, (l) => l.line.gpuPool)
    .map((g) => ({ path: g.key, scaleUpUsd: g.fullScaleUsd - g.baselineUsd }))
    .sort((a, b) => b.scaleUpUsd - a.scaleUpUsd);
}

const fmt = (usd: number) => CostEstimator.formatUsd(usd);

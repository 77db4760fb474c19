import { CostAllocation } from './cost-allocation';
import { CostEstimate, CostEstimator, HOURS_PER_MONTH } from './cost-estimate';
import { DataStoreEntry } from './data-store-registry';
import { PolicyFinding } from './policy/policy-rule';
import { RecoveryObjective } from './recovery-objective';
import { restoreOptions } from './restore-runbook';

/** A component the platform runs, for the report. */
export interface PlatformComponent {
  /** Construct path. */
  readonly path: string;
  /** Short name, e.g. `ExperimentTracking`. */
  readonly name: string;
  /** What it is, e.g. `MLflow 3.15.1 (chart mlflow 1.11.5)`. */
  readonly description: string;
}

/** When an operator step happens relative to `cdktf deploy`. */
export enum DeploymentPhase {
  /** Once, before the first deploy (account or network prerequisites). */
  BEFORE_DEPLOY = 'BEFORE_DEPLOY',
  /** After a deploy, to reach or finish the platform. */
  AFTER_DEPLOY = 'AFTER_DEPLOY',
}

/**
 * Something an operator does outside the stack, because it must not live in a stack that can be destroyed
 * (account-wide billing settings) or cannot be done by Terraform (reaching a private API).
 */
export interface DeploymentStep {
  /** When. */
  readonly phase: DeploymentPhase;
  /** One line, e.g. `Activate the cost allocation tags`. */
  readonly title: string;
  /** Why, where and by whom. */
  readonly detail: string;
  /**
   * A command that does it.
   *
   * @default - none
   */
  readonly command?: string;
}

/** Everything the report is made from. */
export interface PlatformReportInput {
  /** Stack name. */
  readonly stackName: string;
  /** Primary region. */
  readonly primaryRegion: string;
  /** Cost allocation. */
  readonly costAllocation: CostAllocation;
  /** Recovery objective. */
  readonly recoveryObjective: RecoveryObjective;
  /** Components. */
  readonly components: PlatformComponent[];
  /** Data stores with their protections. */
  readonly dataStores: DataStoreEntry[];
  /** Policy findings. */
  readonly findings: PolicyFinding[];
  /** Number of rules the policy pack ran. */
  readonly ruleCount: number;
  /**
   * Steps an operator takes before or after deploy.
   *
   * @default - none
   */
  readonly deploymentSteps?: DeploymentStep[];
  /**
   * Monthly cost estimate.
   *
   * @default - no estimate section
   */
  readonly costEstimate?: CostEstimate;
  /**
   * Why synth failed, when it did: the report then says `status: "failed"` and no `cdk.tf.json` is left for
   * the stack.
   *
   * @default - synth succeeded
   */
  readonly failure?: string;
}

/**
 * Renders the platform report written at synth beside each stack's `cdk.tf.json`: components, cost tags,
 * every data store with its backup mechanism, RPO and copy region, and the policy findings. Output is
 * deterministic (no timestamps) so it can be committed and diffed.
 */
export class PlatformReport {
  /** The report as a JSON-serialisable object. */
  public static toJson(input: PlatformReportInput): any {
    const ro = input.recoveryObjective;
    return {
      stack: input.stackName,
      // "failed": synth did not complete and no cdk.tf.json was left for this stack; do not deploy.
      status: input.failure === undefined ? 'ok' : 'failed',
      ...(input.failure === undefined ? {} : { failure: input.failure }),
      primaryRegion: input.primaryRegion,
      costAllocation: input.costAllocation.tags,
      recoveryObjective: {
        rpoMinutes: ro.rpo.toMinutes(), rtoMinutes: ro.rto.toMinutes(), drRegion: ro.drRegion, retentionDays: ro.retention.toDays(),
      },
      components: input.components.map((c) => ({ ...c })),
      deploymentSteps: (input.deploymentSteps ?? []).map((d) => ({ ...d })),
      ...(input.costEstimate === undefined ? {} : { costEstimate: costEstimateJson(input.costEstimate) }),
      dataStores: input.dataStores.map((e) => ({
        path: e.store.path,
        kind: e.store.kind,
        purpose: e.store.purpose,
        region: e.store.region,
        protections: e.protections.map((p) => ({
          mechanism: p.mechanism,
          rpoMinutes: p.rpo.toMinutes(),
          copyRegion: p.copyRegion,
          copyRpoMinutes: p.copyRpo.toMinutes(),
          retentionDays: p.retention.toDays(),
        })),
        // The fastest restore from outside the store's region; absent when no copy states one.
        ...restoreJson(e, ro),
      })),
      policy: {
        rules: input.ruleCount,
        errors: input.findings.filter((f) => f.level === 'ERROR' && !f.suppressedBecause).length,
        warnings: input.findings.filter((f) => f.level === 'WARNING' && !f.suppressedBecause).length,
        suppressed: input.findings.filter((f) => f.suppressedBecause).length,
        findings: input.findings.map((f) => ({ ...f })),
      },
    };
  }

  /** The report as Markdown. */
  public static toMarkdown(input: PlatformReportInput): string {
    const json = PlatformReport.toJson(input);
    const cell = (s: any) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const lines: string[] = [
      `# Platform report: ${json.stack}`,
      '',
      ...(input.failure === undefined ? [] : [
        '> **SYNTH FAILED: do not deploy this stack.** No `cdk.tf.json` was left for it; the sections below describe',
        '> the stack as far as synth got, and the policy findings may be incomplete. Fix the error and synthesize again.',
        '',
        '```text',
        ...input.failure.replace(/`{3,}/g, "'''").split('\n'),
        '```',
        '',
      ]),
      `Primary region \`${json.primaryRegion}\`, DR region \`${json.recoveryObjective.drRegion}\`; ` +
      `RPO ${input.recoveryObjective.rpo}, RTO ${input.recoveryObjective.rto}, retention ${input.recoveryObjective.retention}.`,
      '',
      '## Cost allocation',
      '',
      '| tag | value |',
      '|---|---|',
      ...Object.entries(json.costAllocation).map(([k, v]) => `| ${k} | ${cell(v)} |`),
      '',
      '## Components',
      '',
      '| component | path | what |',
      '|---|---|---|',
      ...input.components.map((c) => `| ${cell(c.name)} | \`${c.path}\` | ${cell(c.description)} |`),
      '',
    ];
    lines.push(...deploymentStepsMarkdown(input.deploymentSteps ?? []));
    lines.push(...costEstimateMarkdown(input.costEstimate));
    lines.push('## Data stores and disaster recovery', '',
      '| store | kind | purpose | region | protection | RPO (min) | copy region | copy RPO (min) | retention (days) | restore | est. restore (min) / RTO (min) |',
      '|---|---|---|---|---|---|---|---|---|---|---|');
    const ro = input.recoveryObjective;
    input.dataStores.forEach((entry, i) => {
      const store = json.dataStores[i];
      const estimates = new Map(restoreOptions(entry, ro).map((o) => [o.protection, o]));
      const rows = store.protections.length > 0 ? store.protections : [{ mechanism: '**none**', rpoMinutes: '-', copyRegion: '-', copyRpoMinutes: '-', retentionDays: '-' }];
      rows.forEach((p: any, j: number) => {
        const option = estimates.get(entry.protections[j]);
        const restore = option ? `${option.restore.kind}: ${cell(option.restore.summary)}` : '-';
        const minutes = option ? `${option.estimate.minutes} / ${ro.rto.toMinutes()}${option.estimate.minutes > ro.rto.toMinutes() ? ' **over RTO**' : ''}` : '-';
        lines.push(`| \`${store.path}\` | ${store.kind} | ${cell(store.purpose)} | ${cell(store.region)} | ${p.mechanism} | ${p.rpoMinutes} | ${p.copyRegion} | ${p.copyRpoMinutes} | ${p.retentionDays} | ${restore} | ${minutes} |`);
      });
    });
    lines.push('', 'Restore estimates follow the documented restore-time model (see `restore-runbook.md`, written beside this report with the ' +
      'steps to restore in the DR region); only copies outside the store\'s region are restores from the DR region.');
    lines.push('', '## Policy', '',
      `${json.policy.rules} rules; ${json.policy.errors} errors, ${json.policy.warnings} warnings, ${json.policy.suppressed} suppressed` +
      (input.failure === undefined ? '.' : ' (synth failed: findings may be incomplete).'), '');
    if (json.policy.findings.length > 0) {
      lines.push('| rule | level | resource | finding | suppressed because |', '|---|---|---|---|---|');
      for (const f of json.policy.findings) {
        lines.push(`| ${f.ruleId} | ${f.level} | \`${f.constructPath}\` | ${cell(f.message)} | ${cell(f.suppressedBecause ?? '')} |`);
      }
      lines.push('');
    }
    return lines.join('\n');
  }

  private constructor() {}
}

/** The operator steps, before-deploy first, as a Markdown section (nothing when there are none). */
function deploymentStepsMarkdown(steps: DeploymentStep[]): string[] {
  if (steps.length === 0) {
    return [];
  }
  const lines = ['## Operator steps', ''];
  for (const phase of [DeploymentPhase.BEFORE_DEPLOY, DeploymentPhase.AFTER_DEPLOY]) {
    const inPhase = steps.filter((s) => s.phase === phase);
    if (inPhase.length === 0) {
      continue;
    }
    lines.push(`### ${phase === DeploymentPhase.BEFORE_DEPLOY ? 'Before the first deploy' : 'After deploy'}`, '');
    for (const step of inPhase) {
      lines.push(`- **${step.title}.** ${step.detail}`);
      if (step.command) {
        lines.push('', '  ```sh', ...step.command.split('\n').map((l) => `  ${l}`), '  ```');
      }
    }
    lines.push('');
  }
  return lines;
}

/** The cost estimate as JSON: totals, per component, per GPU pool, every line, unpriced items and budget checks. */
function costEstimateJson(e: CostEstimate): any {
  const totals = (t: { baselineUsd: number; fullScaleUsd: number; fullScaleExpectedUsd: number }) =>
    ({ baselineUsd: t.baselineUsd, fullScaleUsd: t.fullScaleUsd, fullScaleExpectedUsd: t.fullScaleExpectedUsd });
  return {
    currency: 'USD',
    period: `month (${HOURS_PER_MONTH} hours)`,
    regions: e.regions,
    priceDates: { oldest: e.oldestPriceDate, newest: e.newestPriceDate },
    pricesFromMemory: e.pricesFromMemory,
    total: totals(e),
    components: e.components.map((c) => ({ path: c.key, ...totals(c) })),
    gpuPools: e.gpuPools.map((c) => ({ path: c.key, ...totals(c) })),
    costAllocations: e.costAllocations.map((c) => ({ allocation: c.key, ...totals(c) })),
    budgets: e.budgets.map((b) => ({
      path: b.budget.path, monthlyLimitUsd: b.budget.monthlyLimitUsd, baselineExceeds: b.baselineExceeds,
      fullScaleExceeds: b.fullScaleExceeds, poolsOverBudget: b.poolsOverBudget,
    })),
    warnings: e.warnings,
    lines: e.lines.map((l) => ({
      component: l.line.component, resource: l.line.resource, region: l.line.region, unit: l.line.unit,
      baselineQuantity: l.line.baselineQuantity, fullScaleQuantity: l.line.fullScaleQuantity,
      priceKey: l.line.priceKey, unitPriceUsd: l.price.usd, priceUnit: l.price.unit, priceDate: l.price.date, priceBasis: l.price.basis,
      priceSource: l.price.source,
      ...(l.line.gpuPool === undefined ? {} : { gpuPool: l.line.gpuPool }),
      ...(l.line.expectedPriceFactor === undefined ? {} : { expectedPriceFactor: l.line.expectedPriceFactor }),
      ...totals(l),
      assumption: l.line.assumption,
    })),
    unpriced: e.unpriced.map((l) => ({ component: l.component, resource: l.resource, region: l.region, priceKey: l.priceKey })),
  };
}

/** The cost estimate as a Markdown section (nothing without an estimate). */
function costEstimateMarkdown(e: CostEstimate | undefined): string[] {
  if (e === undefined) {
    return [];
  }
  const usd = (n: number) => `$${CostEstimator.formatUsd(n)}`;
  const cell = (s: any) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = ['## Cost estimate', '',
    `Monthly USD (${HOURS_PER_MONTH} hours) in ${e.regions.map((r) => `\`${r}\``).join(', ')}, list prices dated ` +
    `${e.oldestPriceDate === e.newestPriceDate ? e.oldestPriceDate : `${e.oldestPriceDate} to ${e.newestPriceDate}`}. ` +
    'Baseline: every pool at its minimum size; full scale: at its maximum, spot at the on-demand ceiling. ' +
    '"Expected" applies the spot discount assumption.' +
    (e.pricesFromMemory.length > 0 ? ` ${e.pricesFromMemory.length} price(s) were written from memory and need a refresh (scripts/refresh-aws-prices.js).` : ''),
    '',
    '| | baseline | full scale (ceiling) | full scale (expected) |', '|---|---|---|---|',
    `| **total** | **${usd(e.baselineUsd)}** | **${usd(e.fullScaleUsd)}** | **${usd(e.fullScaleExpectedUsd)}** |`,
  ];
  for (const b of e.budgets) {
    lines.push(`| budget \`${b.budget.path}\` | ${usd(b.budget.monthlyLimitUsd)} | ${b.fullScaleExceeds ? '**exceeded**' : 'fits'} | |`);
  }
  if (e.warnings.length > 0) {
    lines.push('', ...e.warnings.map((w) => `> **Warning:** ${cell(w)}`));
  }
  if (e.gpuPools.length > 0) {
    lines.push('', '### GPU pools', '', '| pool | baseline | full scale (ceiling) | full scale (expected) |', '|---|---|---|---|',
      ...e.gpuPools.map((g) => `| \`${g.key}\` | ${usd(g.baselineUsd)} | ${usd(g.fullScaleUsd)} | ${usd(g.fullScaleExpectedUsd)} |`));
  }
  if (e.costAllocations.length > 0) {
    lines.push('', '### Per cost allocation', '',
      'What billing shows per value of each cost allocation tag (once the tags are activated; see Operator steps).', '',
      '| tag = value | baseline | full scale (ceiling) | full scale (expected) |', '|---|---|---|---|',
      ...e.costAllocations.map((g) => `| \`${g.key}\` | ${usd(g.baselineUsd)} | ${usd(g.fullScaleUsd)} | ${usd(g.fullScaleExpectedUsd)} |`));
  }
  lines.push('', '### Per component', '', '| component | baseline | full scale (ceiling) | full scale (expected) |', '|---|---|---|---|',
    ...e.components.map((c) => `| \`${c.key}\` | ${usd(c.baselineUsd)} | ${usd(c.fullScaleUsd)} | ${usd(c.fullScaleExpectedUsd)} |`));
  lines.push('', '### Lines', '',
    '| component | resource | region | baseline qty | full qty | unit | unit price | baseline | full scale | assumption |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...e.lines.map((l) => `| \`${l.line.component}\` | ${cell(l.line.resource)} | ${l.line.region} | ${l.line.baselineQuantity} | ` +
      `${l.line.fullScaleQuantity} | ${l.line.unit} | $${l.price.usd} (${l.price.date}${l.price.basis === 'memory' ? ', from memory' : ''}) | ` +
      `${usd(l.baselineUsd)} | ${usd(l.fullScaleUsd)}${l.line.expectedPriceFactor === undefined ? '' : ` (expected ${usd(l.fullScaleExpectedUsd)})`} | ${cell(l.line.assumption)} |`));
  if (e.unpriced.length > 0) {
    lines.push('', '### Unpriced (left out of the totals)', '', '| component | resource | region | price key |', '|---|---|---|---|',
      ...e.unpriced.map((l) => `| \`${l.component}\` | ${cell(l.resource)} | ${l.region} | ${l.priceKey} |`));
  }
  lines.push('');
  return lines;
}

/** `{ restore }`: the fastest restore of a store from outside its region, against the RTO (empty when none is stated). */
function restoreJson(entry: DataStoreEntry, ro: RecoveryObjective): any {
  const best = restoreOptions(entry, ro)[0];
  if (!best) {
    return {};
  }
  return { restore: {
    mechanism: best.protection.mechanism,
    kind: best.restore.kind,
    summary: best.restore.summary,
    estimatedMinutes: best.estimate.minutes,
    estimate: best.estimate.breakdown,
    rtoMinutes: ro.rto.toMinutes(),
    withinRto: best.estimate.minutes <= ro.rto.toMinutes(),
  } };
}

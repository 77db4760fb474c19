import { CostAllocation } from './cost-allocation';
import { DataStoreEntry } from './data-store-registry';
import { PolicyFinding } from './policy/policy-rule';
import { RecoveryObjective } from './recovery-objective';

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
    lines.push('## Data stores and disaster recovery', '',
      '| store | kind | purpose | region | protection | RPO (min) | copy region | copy RPO (min) | retention (days) |',
      '|---|---|---|---|---|---|---|---|---|');
    for (const store of json.dataStores) {
      const rows = store.protections.length > 0 ? store.protections : [{ mechanism: '**none**', rpoMinutes: '-', copyRegion: '-', copyRpoMinutes: '-', retentionDays: '-' }];
      for (const p of rows) {
        lines.push(`| \`${store.path}\` | ${store.kind} | ${cell(store.purpose)} | ${cell(store.region)} | ${p.mechanism} | ${p.rpoMinutes} | ${p.copyRegion} | ${p.copyRpoMinutes} | ${p.retentionDays} |`);
      }
    }
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

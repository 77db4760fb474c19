import {
  AnnotationMetadataEntryType, Annotations, App, Aspects, DefaultTokenResolver, ISynthesisSession, IStackSynthesizer, StringConcat, TerraformStack, Tokenization,
} from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { CostAllocation } from './cost-allocation';
import { BudgetLimit, CostEstimate, CostEstimator, CostLine, IPriceCatalog, ResolvedUsageAssumptions, UsageAssumptions } from './cost-estimate';
import { DataStoreRegistry } from './data-store-registry';
import { ValidationError } from './errors';
import { DeploymentStep, PlatformComponent, PlatformReport, PlatformReportInput } from './platform-report';
import { PolicyPack } from './policy/policy-pack';
import { IPolicyRule } from './policy/policy-rule';
import { RecoveryObjective } from './recovery-objective';
import { RestoreRunbook, unrestorableDataStores } from './restore-runbook';
import { checkRegionName, checkPolicyRules } from './validate';

/** Properties of a {@link PlatformStack}. */
export interface PlatformStackProps {
  /** Who pays for every resource in the stack. Required: a stack cannot synthesize untagged. */
  readonly costAllocation: CostAllocation;
  /** How much data may be lost, how fast it comes back and where copies live. */
  readonly recoveryObjective: RecoveryObjective;
  /** Region the stack deploys to, e.g. `us-east-1`. */
  readonly primaryRegion: string;
  /**
   * Extra policy rules to run besides those each cloud adds.
   *
   * @default - only the clouds' rule packs
   */
  readonly policyRules?: IPolicyRule[];
  /**
   * Usage the cost estimate cannot read from the configuration (storage, transfer, log volume, spot discount).
   *
   * @default - the documented defaults of each UsageAssumptions field
   */
  readonly usageAssumptions?: UsageAssumptions;
}

/**
 * A Terraform stack with cost allocation, a recovery objective and a policy pack built in.
 *
 * Every construct of this library finds its stack with `PlatformStack.ofConstruct(this)`, so a resource can only be
 * created where cost tags and a recovery objective are declared. At synth the stack runs the policy pack,
 * proves that every registered data store is protected within the RPO with a copy outside the primary
 * region and restores within the RTO by the documented estimate, and writes `platform-report.json`,
 * `platform-report.md` and `restore-runbook.md` beside `cdk.tf.json`.
 *
 * @example
 * const stack = new PlatformStack(app, 'ml-prod', {
 *   costAllocation: new CostAllocation({ costCenter: 'cc-4512', team: 'ml-platform', project: 'fraud', environment: 'prod' }),
 *   recoveryObjective: RecoveryObjective.businessCritical('us-west-2'),
 *   primaryRegion: 'us-east-1',
 * });
 */
export class PlatformStack extends TerraformStack {
  /** The PlatformStack that holds `scope`; throws a ValidationError when there is none. */
  public static ofConstruct(scope: IConstruct): PlatformStack {
    const found = [...scope.node.scopes].reverse().find((c) => c instanceof PlatformStack);
    if (!found) {
      throw new ValidationError(scope, 'scope', scope.node.path, 'is not inside a PlatformStack',
        'Create this construct inside a PlatformStack, which carries the cost allocation and recovery objective every resource needs.');
    }
    return found as PlatformStack;
  }

  /** Oldest Terraform that can apply the stacks this library writes. */
  public static readonly MIN_TERRAFORM_VERSION = '1.11.0';

  /** Cost allocation of every resource in the stack. */
  public readonly costAllocation: CostAllocation;
  /** Recovery objective every data store must meet. */
  public readonly recoveryObjective: RecoveryObjective;
  /** Primary region. */
  public readonly primaryRegion: string;
  /** Data stores created in the stack and how they are protected. */
  public readonly dataStores = new DataStoreRegistry();
  /** The policy pack run at synth. */
  public readonly policy: PolicyPack;
  private readonly components: PlatformComponent[] = [];
  private readonly deploymentSteps: DeploymentStep[] = [];
  /** Usage assumptions of the cost estimate, defaults filled in. */
  public readonly usage: ResolvedUsageAssumptions;
  private readonly costLines: CostLine[] = [];
  private readonly budgets: BudgetLimit[] = [];
  private priceCatalog?: IPriceCatalog;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    if (!(props?.costAllocation instanceof CostAllocation)) {
      throw new ValidationError(this, 'costAllocation', props?.costAllocation, 'is required: a stack cannot synthesize untagged',
        "Pass new CostAllocation({ costCenter, team, project, environment }).");
    }
    if (!(props.recoveryObjective instanceof RecoveryObjective)) {
      throw new ValidationError(this, 'recoveryObjective', props.recoveryObjective, 'is required',
        "Pass a RecoveryObjective, e.g. RecoveryObjective.businessCritical('us-west-2').");
    }
    checkRegionName(this, 'primaryRegion', props.primaryRegion);
    if (props.primaryRegion === undefined) {
      throw new ValidationError(this, 'primaryRegion', undefined, 'is required', 'Set the region the stack deploys to, e.g. "us-east-1".');
    }
    props.costAllocation.validate(this);
    props.recoveryObjective.validate(this, props.primaryRegion);
    this.costAllocation = props.costAllocation;
    this.recoveryObjective = props.recoveryObjective;
    this.primaryRegion = props.primaryRegion;
    this.usage = new ResolvedUsageAssumptions(props.usageAssumptions);
    checkUsageAssumptions(this, this.usage);
    // 1.10 for S3-native state locking (use_lockfile), 1.11 for write-only arguments (passwords kept out of state).
    this.addOverride('terraform.required_version', `>= ${PlatformStack.MIN_TERRAFORM_VERSION}`);
    checkPolicyRules(this, 'policyRules', props.policyRules);
    this.policy = new PolicyPack(props.policyRules ?? [], this);
    Aspects.of(this).add(this.policy);
    this.synthesizer = new PlatformSynthesizer(this, this.synthesizer);
  }

  /** Records a component for the platform report. */
  public addComponent(component: PlatformComponent): void {
    this.components.push(component);
  }

  /** Records a step an operator takes outside Terraform; the report lists it, once per title. */
  public addDeploymentStep(step: DeploymentStep): void {
    if (!this.deploymentSteps.some((s) => s.title === step.title)) {
      this.deploymentSteps.push(step);
    }
  }

  /** Records a billable thing for the cost estimate (constructs call this for everything they create that costs). */
  public addCostLine(line: CostLine): void {
    for (const [prop, value] of [['baselineQuantity', line.baselineQuantity], ['fullScaleQuantity', line.fullScaleQuantity]] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new ValidationError(this, `costLine.${prop}`, value, `must be a number of at least 0 (${line.resource} of ${line.component})`,
          'Pass the monthly quantity.');
      }
    }
    // Kept as given, not copied: a quantity may be a getter counted at synth (e.g. stores registered later).
    // A line without its own allocation is billed to the stack's, which the provider's default tags give it.
    if (line.costAllocation === undefined) {
      Object.defineProperty(line, 'costAllocation', { value: this.costAllocation.tags, enumerable: true });
    }
    this.costLines.push(line);
  }

  /** Registers a monthly budget: synth warns when full scale exceeds it and fails when the baseline alone does. */
  public addBudget(budget: BudgetLimit): void {
    this.budgets.push({ ...budget });
  }

  /** Sets the price catalog the cost lines are priced from (the cloud layer does this). */
  public usePriceCatalog(catalog: IPriceCatalog): void {
    this.priceCatalog = catalog;
  }

  /** The monthly cost estimate as it stands now. */
  public costEstimate(): CostEstimate {
    return CostEstimator.estimate(this.costLines, this.budgets, this.priceCatalog);
  }

  /** The content of the platform report as it stands now. */
  public reportInput(): PlatformReportInput {
    return {
      stackName: this.node.id,
      primaryRegion: this.primaryRegion,
      costAllocation: this.costAllocation,
      recoveryObjective: this.recoveryObjective,
      components: [...this.components],
      dataStores: this.dataStores.stores,
      findings: [...this.policy.findings],
      ruleCount: this.policy.rules.length,
      deploymentSteps: [...this.deploymentSteps],
      costEstimate: this.costEstimate(),
    };
  }
}

/**
 * Proves at synth that every registered data store has a protection meeting the RPO and a copy outside its
 * region made within the RPO (backup windows included); returns one line per store that does not, naming it.
 */
function uncoveredDataStores(stack: PlatformStack): string[] {
  const rpo = stack.recoveryObjective.rpo;
  const errors: string[] = [];
  for (const { store, protections } of stack.dataStores.stores) {
    if (protections.length === 0) {
      errors.push(`data store ${store.path} (${store.purpose}) has no backup: add a BackupPolicy to the stack, ` +
        'or enable replication to the DR region on the store.');
      continue;
    }
    if (!protections.some((p) => p.rpo.toMinutes() <= rpo.toMinutes())) {
      errors.push(`data store ${store.path} (${store.purpose}) cannot meet the RPO of ${rpo}: its protections give ` +
        `${protections.map((p) => `${p.mechanism} every ${p.rpo}`).join(', ')}. Lower the backup interval or raise the RPO.`);
    }
    const copies = protections.filter((p) => p.copyRegion !== store.region);
    if (copies.length === 0) {
      errors.push(`data store ${store.path} (${store.purpose}) has no copy outside its region ${store.region}: ` +
        `copy its backups or replicate it to ${stack.recoveryObjective.drRegion}.`);
    } else if (!copies.some((p) => p.copyRpo.toMinutes() <= rpo.toMinutes())) {
      errors.push(`data store ${store.path} (${store.purpose}) is copied to another region less often than the RPO of ${rpo}: ` +
        `${copies.map((p) => `${p.mechanism} copies within ${p.copyRpo}`).join(', ')}. Enable continuous replication of the store, or raise the RPO.`);
    }
  }
  return errors;
}

/**
 * Wraps the stack's synthesizer: fails with a ValidationError naming every data store that misses the recovery
 * objective, and writes the platform report (also when synth then fails on policy findings).
 */
class PlatformSynthesizer implements IStackSynthesizer {
  constructor(private readonly stack: PlatformStack, private readonly inner: IStackSynthesizer) {}

  public synthesize(session: ISynthesisSession): void {
    let failure: string | undefined;
    try {
      const uncovered = uncoveredDataStores(this.stack);
      if (uncovered.length > 0) {
        throw new ValidationError(this.stack, 'recoveryObjective', `RPO ${this.stack.recoveryObjective.rpo}`,
          `is not met by ${uncovered.length} data store(s):\n  ${uncovered.join('\n  ')}\n`,
          'Every data store needs a protection within the RPO and a copy in the DR region.');
      }
      const unrestorable = unrestorableDataStores(this.stack.dataStores.stores, this.stack.recoveryObjective);
      if (unrestorable.length > 0) {
        throw new ValidationError(this.stack, 'recoveryObjective', `RTO ${this.stack.recoveryObjective.rto}`,
          `is not met:\n  ${unrestorable.join('\n  ')}\n`,
          'Every data store needs a copy in the DR region that restores within the RTO by the documented estimate (see restore-runbook.md).');
      }
      checkCostEstimate(this.stack);
      this.inner.synthesize(session);
      // `cdktf synth` sets CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS, so the inner synthesizer writes cdk.tf.json
      // even when the stack has error annotations (policy ERROR findings). Fail here as a plain App.synth() does.
      const errors = errorAnnotations(this.stack);
      if (errors.length > 0) {
        throw new Error(`Stack ${this.stack.node.id} has ${errors.length} error(s); nothing deployable was written:\n  ${errors.join('\n  ')}`);
      }
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
      discardStaleOutput(this.stack, session.outdir, failure);
      throw e;
    } finally {
      writeReport(this.stack, session.outdir, failure);
    }
  }
}

/**
 * Warns (Annotations) for every unpriced cost line and every budget full scale exceeds, and fails with a
 * ValidationError when the baseline alone exceeds a budget.
 */
function checkCostEstimate(stack: PlatformStack): void {
  const estimate = stack.costEstimate();
  for (const warning of estimate.warnings) {
    Annotations.of(stack).addWarning(warning);
  }
  const over = estimate.budgets.find((b) => b.baselineExceeds);
  if (over) {
    throw new ValidationError(stack, 'monthlyLimitUsd', over.budget.monthlyLimitUsd,
      `of the budget at ${over.budget.path} is exceeded by the baseline alone: $${CostEstimator.formatUsd(estimate.baselineUsd)}/month with every pool at its minimum size`,
      'Lower the minimum sizes (GPU pools, system nodes, database class) or raise the budget; see the cost estimate in platform-report.md.');
  }
}

/** Usage assumptions must be non-negative numbers, and the spot discount a percentage below 100. */
function checkUsageAssumptions(stack: PlatformStack, usage: ResolvedUsageAssumptions): void {
  for (const [prop, value] of Object.entries(usage)) {
    const max = prop === 'spotDiscountPercent' ? 99 : 1e9;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
      throw new ValidationError(stack, `usageAssumptions.${prop}`, value, `must be a number from 0 to ${max}`,
        'Give the expected monthly quantity, or leave it unset for the default.');
    }
  }
}

/** `[path] message` of every error annotation in the stack. */
function errorAnnotations(stack: TerraformStack): string[] {
  return stack.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === AnnotationMetadataEntryType.ERROR)
    .map((m) => `[${c.node.path}] ${m.data}`));
}

/** Resolves tokens the way the stack's own synthesis does (references become `${resource.address.attribute}`). */
const TOKEN_RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Writes platform-report.json and .md and restore-runbook.md for the stack; `failure` marks them as failed. */
function writeReport(stack: PlatformStack, outdir: string, failure?: string): void {
  const dir = path.join(outdir, 'stacks', stack.node.id);
  fs.mkdirSync(dir, { recursive: true });
  const input = { ...stack.reportInput(), failure };
  fs.writeFileSync(path.join(dir, 'platform-report.json'), JSON.stringify(PlatformReport.toJson(input), null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'platform-report.md'), PlatformReport.toMarkdown(input));
  fs.writeFileSync(path.join(dir, 'restore-runbook.md'), RestoreRunbook.toMarkdown({
    stackName: stack.node.id, primaryRegion: stack.primaryRegion, recoveryObjective: stack.recoveryObjective,
    dataStores: stack.dataStores.stores, resolve: (value) => String(Tokenization.resolve(value, { scope: stack, preparing: false, resolver: TOKEN_RESOLVER })), failure,
  }));
}

/**
 * After a failed synth, removes the Terraform configuration of the failed stack and of every stack the app had
 * not synthesized yet (a previous run's cdk.tf.json would otherwise look deployable), and marks the reports of
 * those not-yet-synthesized PlatformStacks as failed too. Terraform state and provider caches are kept.
 */
function discardStaleOutput(failed: PlatformStack, outdir: string, failure: string): void {
  let stacks: TerraformStack[] = [failed];
  try {
    stacks = App.of(failed).node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
  } catch {
    // not inside an App: only this stack
  }
  for (const stack of stacks.slice(Math.max(0, stacks.indexOf(failed)))) {
    for (const file of ['cdk.tf.json', 'cdk.tf']) {
      fs.rmSync(path.join(outdir, 'stacks', stack.node.id, file), { force: true });
    }
    if (stack !== failed && stack instanceof PlatformStack) {
      writeReport(stack, outdir, `not synthesized: synth stopped at stack ${failed.node.id}, which failed: ${failure}`);
    }
  }
}

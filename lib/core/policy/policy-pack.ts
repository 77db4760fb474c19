import { Annotations, DefaultTokenResolver, IAspect, StringConcat, TerraformDataSource, TerraformResource, TerraformStack, Tokenization } from 'cdktf';
import { IConstruct } from 'constructs';
import { IPolicyContext, IPolicyRule, PolicyFinding, PolicyLevel, PolicyResource } from './policy-rule';
import { PolicySuppressions } from './policy-suppressions';
import { checkPolicyRules } from '../validate';

/**
 * Runs a set of policy rules over every Terraform resource of a stack at synth, as an Aspect (cdk-nag v2
 * style). Unsuppressed ERROR findings become error annotations, which fail synth; WARNING findings become
 * warnings. A rule that throws becomes a finding instead of crashing synth.
 */
export class PolicyPack implements IAspect {
  /** Every finding, suppressed or not, in visiting order. */
  public readonly findings: PolicyFinding[] = [];
  private readonly rulesByType = new Map<string, IPolicyRule[]>();
  private readonly rulesById = new Map<string, IPolicyRule>();
  private context?: StackIndex;
  private readonly owner?: IConstruct;

  /**
   * @param rules the rules to run
   * @param owner the stack the pack runs on: rules added later are checked and errors name it
   */
  constructor(rules: IPolicyRule[] = [], owner?: IConstruct) {
    this.owner = owner;
    this.addRules(rules);
  }

  /** Every rule in the pack. */
  public get rules(): IPolicyRule[] {
    return [...this.rulesById.values()];
  }

  /** Adds rules; a cloud adds its rule pack when it is used in a stack. Adding the same rule twice is a no-op. */
  public addRules(rules: IPolicyRule[]): void {
    if (this.owner) {
      // A level in the wrong case ('error') would otherwise turn every finding of the rule into a warning.
      checkPolicyRules(this.owner, 'rules', rules);
    }
    for (const rule of rules) {
      if (this.rulesById.has(rule.id)) {
        continue;
      }
      this.rulesById.set(rule.id, rule);
      for (const type of rule.resourceTypes) {
        this.rulesByType.set(type, [...(this.rulesByType.get(type) ?? []), rule]);
      }
    }
  }

  /** Checks one construct when it is a Terraform resource or data source (rules name those as `data.<type>`). */
  public visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node) && !TerraformDataSource.isTerraformDataSource(node)) {
      return;
    }
    const resource = node as TerraformResource;
    const rules = this.rulesByType.get(policyType(node));
    if (!rules) {
      return;
    }
    this.context = this.context ?? new StackIndex(TerraformStack.of(resource));
    const view = this.context.viewOf(resource);
    for (const rule of rules) {
      let problem: string | undefined;
      try {
        problem = rule.check(view, this.context);
      } catch (e) {
        problem = `the rule could not evaluate this resource: ${(e as Error).message}`;
      }
      if (problem !== undefined) {
        this.record(resource, view, rule, problem);
      }
    }
  }

  private record(resource: TerraformResource, view: PolicyResource, rule: IPolicyRule, message: string): void {
    const suppression = PolicySuppressions.find(resource, rule.id);
    this.findings.push({
      ruleId: rule.id, level: rule.level, constructPath: view.constructPath, address: view.address, message,
      suppressedBecause: suppression?.reason,
    });
    if (suppression) {
      return;
    }
    const text = `${rule.id}: ${message} (${rule.description}) Fix the resource, or if this is intended add ` +
      `PolicySuppressions.add(scope, [{ id: '${rule.id}', reason: '...' }]).`;
    if (rule.level === PolicyLevel.ERROR) {
      Annotations.of(resource).addError(text);
    } else {
      Annotations.of(resource).addWarning(text);
    }
  }
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** The type rules name: the resource type, or `data.<type>` for a data source. */
function policyType(node: IConstruct): string {
  const type = (node as TerraformResource).terraformResourceType;
  return TerraformDataSource.isTerraformDataSource(node) ? `data.${type}` : type;
}

/** The stack's resources resolved to their synthesized form, built once per synth. */
class StackIndex implements IPolicyContext {
  private readonly byType = new Map<string, PolicyResource[]>();
  private readonly byConstruct = new Map<TerraformResource, PolicyResource>();
  /** Each resource's arguments as JSON, computed once: reference lookups scan them for every rule. */
  private readonly serialized = new Map<PolicyResource, string>();

  constructor(stack: TerraformStack) {
    for (const node of stack.node.findAll()) {
      const isData = TerraformDataSource.isTerraformDataSource(node);
      if (!TerraformResource.isTerraformResource(node) && !isData) {
        continue;
      }
      const resource = node as TerraformResource;
      const synthesized = Tokenization.resolve(resource.toTerraform(), { scope: stack, preparing: false, resolver: RESOLVER });
      const type = policyType(node);
      const blocks = synthesized?.[isData ? 'data' : 'resource']?.[resource.terraformResourceType] ?? {};
      for (const [name, config] of Object.entries<any>(blocks)) {
        const view: PolicyResource = { type, address: `${type}.${name}`, constructPath: resource.node.path, config: config ?? {} };
        this.byType.set(type, [...(this.byType.get(type) ?? []), view]);
        this.byConstruct.set(resource, view);
        this.serialized.set(view, JSON.stringify(view.config));
      }
    }
  }

  public viewOf(resource: TerraformResource): PolicyResource {
    const view = this.byConstruct.get(resource);
    if (!view) {
      throw new Error(`resource ${resource.node.path} was added after the policy pack started`);
    }
    return view;
  }

  public resourcesOfType(resourceType: string): PolicyResource[] {
    return this.byType.get(resourceType) ?? [];
  }

  public resourcesReferencing(resourceType: string, target: PolicyResource): PolicyResource[] {
    const marker = '${' + target.address + '.';
    return this.resourcesOfType(resourceType).filter((r) => this.serialized.get(r)!.includes(marker));
  }
}

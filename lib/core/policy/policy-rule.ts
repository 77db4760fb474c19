/** How serious a policy finding is. */
export enum PolicyLevel {
  /** Fails synth unless suppressed with a reason. */
  ERROR = 'ERROR',
  /** Reported and shown as a warning; synth goes on. */
  WARNING = 'WARNING',
}

/** A synthesized resource as a policy rule sees it: its Terraform type, address and resolved arguments. */
export interface PolicyResource {
  /** Terraform resource type, e.g. `aws_s3_bucket`; for a data source `data.<type>`, e.g. `data.aws_availability_zones`. */
  readonly type: string;
  /** Terraform address, e.g. `aws_s3_bucket.Tracking_Artifacts_Bucket_1A2B3C4D` or `data.aws_availability_zones.Zones_1A2B3C4D`. */
  readonly address: string;
  /** Construct path of the resource. */
  readonly constructPath: string;
  /** Arguments as they appear in the synthesized JSON (snake_case; references as `${type.name.attr}`). */
  readonly config: { [key: string]: any };
}

/** What a rule can look up besides the resource it checks. */
export interface IPolicyContext {
  /** Every resource of the given type in the stack. */
  resourcesOfType(resourceType: string): PolicyResource[];
  /** Resources of the given type whose arguments reference the target resource. */
  resourcesReferencing(resourceType: string, target: PolicyResource): PolicyResource[];
}

/**
 * One policy rule. IDs follow checkov's AWS IDs where checkov has the check (CKV_AWS_19, CKV2_AWS_6, ...);
 * checks checkov lacks use the `MLOPS_` prefix.
 */
export interface IPolicyRule {
  /** Rule ID, used in findings and suppressions. */
  readonly id: string;
  /** Level of the rule's findings. */
  readonly level: PolicyLevel;
  /** What the rule requires, in one sentence. */
  readonly description: string;
  /** Terraform resource types the rule inspects. */
  readonly resourceTypes: string[];
  /**
   * Checks one resource.
   *
   * @returns why the resource fails the rule, or undefined when it passes
   */
  check(resource: PolicyResource, context: IPolicyContext): string | undefined;
}

/** A reasoned exception to a rule. */
export interface PolicySuppression {
  /** Rule ID to suppress. */
  readonly id: string;
  /** Why the rule does not apply here (at least 10 characters). */
  readonly reason: string;
}

/** One result of a rule against a resource. */
export interface PolicyFinding {
  /** Rule ID. */
  readonly ruleId: string;
  /** Level. */
  readonly level: PolicyLevel;
  /** Construct path of the resource. */
  readonly constructPath: string;
  /** Terraform address of the resource. */
  readonly address: string;
  /** What is wrong. */
  readonly message: string;
  /**
   * Reason of the suppression, when the finding is suppressed.
   *
   * @default - not suppressed
   */
  readonly suppressedBecause?: string;
}

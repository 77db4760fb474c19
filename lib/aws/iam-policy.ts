/*
 * IAM policy documents as plain objects. Internal: the public API takes PolicyStatement.
 */

/** One IAM policy statement. */
export interface PolicyStatement {
  /**
   * Statement ID.
   *
   * @default - none
   */
  readonly sid?: string;
  /**
   * Allow or Deny.
   *
   * @default 'Allow'
   */
  readonly effect?: string;
  /** Actions, e.g. `s3:GetObject`. */
  readonly actions: string[];
  /** Resource ARNs (may be tokens). */
  readonly resources: string[];
  /**
   * Conditions: operator to key to values, as in IAM JSON.
   *
   * @default - none
   */
  readonly conditions?: { [operator: string]: { [key: string]: any } };
}

/** Renders statements as an IAM policy JSON string. */
export function policyDocument(statements: PolicyStatement[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? 'Allow',
      Action: s.actions,
      Resource: s.resources.length === 1 ? s.resources[0] : s.resources,
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  });
}

/** A trust policy letting an AWS service assume a role. */
export function serviceTrustPolicy(services: string[], actions: string[] = ['sts:AssumeRole'], conditions?: { [op: string]: { [key: string]: any } }): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Service: services.length === 1 ? services[0] : services },
      Action: actions.length === 1 ? actions[0] : actions,
      ...(conditions ? { Condition: conditions } : {}),
    }],
  });
}

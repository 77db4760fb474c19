import { IConstruct } from 'constructs';
import { ValidationError } from '../errors';
import { PolicySuppression } from './policy-rule';

const METADATA_KEY = 'cdktf-mlops:policy-suppressions';

/**
 * Reasoned exceptions to policy rules. A suppression on a construct applies to it and to everything below it;
 * it is stored in the construct's metadata, as cdk-nag does, and shown in the platform report.
 *
 * @example
 * PolicySuppressions.add(logBucket, [{ id: 'CKV_AWS_18', reason: 'This is the access-log bucket itself.' }]);
 */
export class PolicySuppressions {
  /** Adds suppressions to a construct. */
  public static add(scope: IConstruct, suppressions: PolicySuppression[]): void {
    suppressions.forEach((s, i) => {
      if (!s || typeof s.id !== 'string' || !/^[A-Z0-9_]+$/.test(s.id)) {
        throw new ValidationError(scope, `suppressions[${i}].id`, s?.id, 'must be a rule ID such as "CKV_AWS_18"', 'Use the ID from the finding.');
      }
      if (typeof s.reason !== 'string' || s.reason.trim().length < 10) {
        throw new ValidationError(scope, `suppressions[${i}].reason`, s.reason, 'must explain the exception in at least 10 characters',
          'Say why the rule does not apply; the reason is shown in the platform report.');
      }
      scope.node.addMetadata(METADATA_KEY, { id: s.id, reason: s.reason });
    });
  }

  /** The suppression of `ruleId` that applies to `scope` (set on it or an ancestor), if any. */
  public static find(scope: IConstruct, ruleId: string): PolicySuppression | undefined {
    for (const c of [...scope.node.scopes].reverse()) {
      const hit = c.node.metadata.find((m) => m.type === METADATA_KEY && m.data.id === ruleId);
      if (hit) {
        return hit.data as PolicySuppression;
      }
    }
    return undefined;
  }

  private constructor() {}
}

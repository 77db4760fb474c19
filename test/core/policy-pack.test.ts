import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';
import { AwsCloud } from '../../lib/aws/aws-cloud';
import { AwsPolicyRules } from '../../lib/aws/policy/aws-policy-rules';
import { PolicyPack } from '../../lib/core/policy/policy-pack';
import { IPolicyRule, PolicyLevel, PolicyResource } from '../../lib/core/policy/policy-rule';
import { PolicySuppressions } from '../../lib/core/policy/policy-suppressions';
import { PlatformStack } from '../../lib/core/platform-stack';
import { addressOf, appOf, expectValidationError, newStack, readStackOutput, synthStack } from '../helpers';

/** Parameters must have a description. */
const DESCRIPTION_RULE: IPolicyRule = {
  id: 'TEST_SSM_DESCRIPTION',
  level: PolicyLevel.ERROR,
  description: 'SSM parameters must say what they hold.',
  resourceTypes: ['aws_ssm_parameter'],
  check: (r: PolicyResource) => (r.config.description ? undefined : 'description is not set'),
};

/** Parameters should be SecureString. */
const SECURE_RULE: IPolicyRule = {
  id: 'TEST_SSM_SECURE',
  level: PolicyLevel.WARNING,
  description: 'SSM parameters should be SecureString.',
  resourceTypes: ['aws_ssm_parameter'],
  check: (r: PolicyResource) => (r.config.type === 'SecureString' ? undefined : `type is "${r.config.type}", not "SecureString"`),
};

function stackWith(rules: IPolicyRule[]): { stack: PlatformStack; cloud: AwsCloud } {
  const stack = newStack({ policyRules: rules });
  const cloud = new AwsCloud(stack, 'Aws');
  return { stack, cloud };
}

function parameter(scope: Construct, cloud: AwsCloud, id: string, extra: { description?: string; type?: string } = {}): SsmParameter {
  return new SsmParameter(scope, id, { provider: cloud.provider, name: `/test/${id}`, type: extra.type ?? 'String', value: 'v', description: extra.description });
}

function synthError(stack: PlatformStack): string {
  try {
    appOf(stack).synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synth did not fail');
}

describe('PolicyPack through PlatformStack', () => {
  test('an ERROR finding fails synth with the rule id, the resource path and how to suppress it', () => {
    const { stack, cloud } = stackWith([DESCRIPTION_RULE]);
    parameter(stack, cloud, 'Param');
    const message = synthError(stack);
    expect(message).toMatch(/Encountered Annotations with level "ERROR"/);
    expect(message).toContain('[test/Param] TEST_SSM_DESCRIPTION: description is not set (SSM parameters must say what they hold.)');
    expect(message).toContain("PolicySuppressions.add(scope, [{ id: 'TEST_SSM_DESCRIPTION', reason: '...' }])");

    const { report, json } = readStackOutput(appOf(stack).outdir, 'test');
    // Synth stopped before writing cdk.tf.json; the report was still written.
    expect(json).toBeUndefined();
    expect(report.policy.errors).toBe(1);
    expect(report.policy.findings).toEqual([{
      ruleId: 'TEST_SSM_DESCRIPTION', level: 'ERROR', constructPath: 'test/Param', address: expect.stringMatching(/^aws_ssm_parameter\.Param/),
      message: 'description is not set',
    }]);
  });

  test('a compliant resource gives no finding and synth passes', () => {
    const { stack, cloud } = stackWith([DESCRIPTION_RULE]);
    parameter(stack, cloud, 'Param', { description: 'the model version in production' });
    const { report } = synthStack(stack);
    expect(report.policy).toEqual({ rules: AwsPolicyRules.all().length + 1, errors: 0, warnings: 0, suppressed: 0, findings: [] });
  });

  test('a suppression with a reason lets synth pass and shows in the report', () => {
    const { stack, cloud } = stackWith([DESCRIPTION_RULE]);
    const param = parameter(stack, cloud, 'Param');
    PolicySuppressions.add(param, [{ id: 'TEST_SSM_DESCRIPTION', reason: 'The name says it all for this flag.' }]);
    const { report, json, markdown } = synthStack(stack);
    expect(report.policy.errors).toBe(0);
    expect(report.policy.suppressed).toBe(1);
    expect(report.policy.findings).toEqual([{
      ruleId: 'TEST_SSM_DESCRIPTION', level: 'ERROR', constructPath: 'test/Param', address: addressOf(json, 'aws_ssm_parameter', 'test/Param'),
      message: 'description is not set', suppressedBecause: 'The name says it all for this flag.',
    }]);
    expect(markdown).toContain('| TEST_SSM_DESCRIPTION | ERROR | `test/Param` | description is not set | The name says it all for this flag. |');
  });

  test('a suppression on an ancestor covers the resources below it, and only the rule it names', () => {
    const { stack, cloud } = stackWith([DESCRIPTION_RULE, SECURE_RULE]);
    const group = new Construct(stack, 'Flags');
    parameter(group, cloud, 'A');
    parameter(group, cloud, 'B');
    PolicySuppressions.add(group, [{ id: 'TEST_SSM_DESCRIPTION', reason: 'Feature flags are documented in the runbook.' }]);
    const { report } = synthStack(stack);
    expect(report.policy.errors).toBe(0);
    expect(report.policy.suppressed).toBe(2);
    expect(report.policy.warnings).toBe(2);
    const warnings = report.policy.findings.filter((f: any) => f.ruleId === 'TEST_SSM_SECURE');
    expect(warnings.map((f: any) => f.constructPath).sort()).toEqual(['test/Flags/A', 'test/Flags/B']);
    expect(warnings.every((f: any) => f.suppressedBecause === undefined && f.message === 'type is "String", not "SecureString"')).toBe(true);
  });

  test('a WARNING finding does not fail synth but is counted and annotated', () => {
    const { stack, cloud } = stackWith([SECURE_RULE]);
    const param = parameter(stack, cloud, 'Param');
    const { report } = synthStack(stack);
    expect(report.policy).toMatchObject({ errors: 0, warnings: 1, suppressed: 0 });
    const warnings = param.node.metadata.filter((m) => m.type === '@cdktf/warn');
    expect(warnings.map((m) => m.data)).toEqual([expect.stringContaining('TEST_SSM_SECURE: type is "String", not "SecureString"')]);
    expect(param.node.metadata.filter((m) => m.type === '@cdktf/error')).toEqual([]);
  });

  test('a rule that throws becomes a finding at its level instead of crashing synth', () => {
    const throwing: IPolicyRule = { ...DESCRIPTION_RULE, id: 'TEST_THROWS', check: () => { throw new Error('boom'); } };
    const { stack, cloud } = stackWith([throwing]);
    parameter(stack, cloud, 'Param', { description: 'fine' });
    expect(synthError(stack)).toContain('TEST_THROWS: the rule could not evaluate this resource: boom');
  });

  test('rules see resolved configs and can look up other resources', () => {
    const seen: PolicyResource[] = [];
    const spy: IPolicyRule = {
      id: 'TEST_SPY', level: PolicyLevel.WARNING, description: 'records what it sees', resourceTypes: ['aws_ssm_parameter'],
      check: (r, context) => {
        seen.push(r);
        expect(context.resourcesOfType('aws_ssm_parameter')).toHaveLength(2);
        expect(context.resourcesReferencing('aws_ssm_parameter', r).map((x) => x.constructPath)).toEqual(r.constructPath === 'test/Source' ? ['test/Copy'] : []);
        return undefined;
      },
    };
    const { stack, cloud } = stackWith([spy]);
    const source = parameter(stack, cloud, 'Source', { description: 'source' });
    new SsmParameter(stack, 'Copy', { provider: cloud.provider, name: '/test/copy', type: 'String', value: source.value, description: 'copy' });
    synthStack(stack);
    expect(seen.map((r) => r.constructPath).sort()).toEqual(['test/Copy', 'test/Source']);
    const copy = seen.find((r) => r.constructPath === 'test/Copy')!;
    expect(copy.type).toBe('aws_ssm_parameter');
    expect(copy.config.value).toMatch(/^\$\{aws_ssm_parameter\.Source(_[0-9A-F]+)?\.value\}$/);
    expect(copy.config.name).toBe('/test/copy');
  });
});

describe('PolicySuppressions', () => {
  test.each(['too short', '', '         x'])('a reason under 10 characters (%p) throws', (reason) => {
    const stack = newStack();
    const target = new Construct(stack, 'Target');
    expectValidationError(() => PolicySuppressions.add(target, [{ id: 'CKV_AWS_18', reason }]), 'test/Target', 'suppressions[0].reason',
      /must explain the exception in at least 10 characters/);
  });

  test('the index of the bad suppression is named', () => {
    const stack = newStack();
    const target = new Construct(stack, 'Target');
    expectValidationError(() => PolicySuppressions.add(target, [
      { id: 'CKV_AWS_18', reason: 'a good enough reason' }, { id: 'CKV_AWS_21', reason: 'short' },
    ]), 'test/Target', 'suppressions[1].reason', /at least 10 characters \(got "short"\)/);
  });

  test.each(['ckv_aws_18', 'CKV-AWS-18', '', undefined])('an invalid rule id %p throws', (id) => {
    const stack = newStack();
    const target = new Construct(stack, 'Target');
    expectValidationError(() => PolicySuppressions.add(target, [{ id: id as any, reason: 'a perfectly fine reason' }]), 'test/Target',
      'suppressions[0].id', /must be a rule ID such as "CKV_AWS_18"/);
  });

  test('find() returns the nearest suppression and undefined otherwise', () => {
    const stack = newStack();
    const parent = new Construct(stack, 'Parent');
    const child = new Construct(parent, 'Child');
    PolicySuppressions.add(parent, [{ id: 'RULE_A', reason: 'reason on the parent' }]);
    PolicySuppressions.add(child, [{ id: 'RULE_A', reason: 'reason on the child' }]);
    expect(PolicySuppressions.find(child, 'RULE_A')).toEqual({ id: 'RULE_A', reason: 'reason on the child' });
    expect(PolicySuppressions.find(parent, 'RULE_A')).toEqual({ id: 'RULE_A', reason: 'reason on the parent' });
    expect(PolicySuppressions.find(child, 'RULE_B')).toBeUndefined();
    expect(PolicySuppressions.find(stack, 'RULE_A')).toBeUndefined();
  });
});

describe('PolicyPack', () => {
  test('adding the same rule id twice keeps one rule', () => {
    const pack = new PolicyPack([DESCRIPTION_RULE]);
    pack.addRules([DESCRIPTION_RULE, { ...DESCRIPTION_RULE }, SECURE_RULE]);
    expect(pack.rules.map((r) => r.id)).toEqual(['TEST_SSM_DESCRIPTION', 'TEST_SSM_SECURE']);
  });

  test('creating an AwsCloud adds the AWS rule pack to the stack', () => {
    const stack = newStack({ policyRules: [DESCRIPTION_RULE] });
    expect(stack.policy.rules.map((r) => r.id)).toEqual(['TEST_SSM_DESCRIPTION']);
    new AwsCloud(stack, 'Aws');
    expect(stack.policy.rules).toHaveLength(AwsPolicyRules.all().length + 1);
  });
});

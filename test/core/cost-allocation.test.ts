import { CostAllocation } from '../../lib/core/cost-allocation';
import { PlatformStack } from '../../lib/core/platform-stack';
import { DEFAULT_COST, defaultStackProps, expectValidationError, newApp } from '../helpers';

const FIELDS = ['costCenter', 'team', 'project', 'environment'] as const;

function stackWith(cost: any): PlatformStack {
  return new PlatformStack(newApp(), 'test', { ...defaultStackProps(), costAllocation: new CostAllocation(cost) });
}

describe('CostAllocation', () => {
  test('exposes the four fields as tags with fixed keys, in a fixed order', () => {
    const cost = new CostAllocation({ ...DEFAULT_COST });
    expect(cost.tagKeys).toEqual(['cost-center', 'team', 'project', 'environment']);
    expect(cost.tags).toEqual({ 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod' });
    expect(Object.keys(cost.tags)).toEqual(cost.tagKeys);
    expect([CostAllocation.COST_CENTER_KEY, CostAllocation.TEAM_KEY, CostAllocation.PROJECT_KEY, CostAllocation.ENVIRONMENT_KEY])
      .toEqual(cost.tagKeys);
  });

  test.each(['a', 'ml-platform', 'ML_Platform.v2', '0', 'x'.repeat(63), 'cc-4512'])('accepts %p in every field', (value) => {
    for (const field of FIELDS) {
      expect(() => stackWith({ ...DEFAULT_COST, [field]: value })).not.toThrow();
    }
  });

  describe.each(FIELDS)('%s', (field) => {
    test.each([undefined, null, '', '   '])('missing value %p is rejected as required', (value) => {
      const error = expectValidationError(() => stackWith({ ...DEFAULT_COST, [field]: value }), 'test', `costAllocation.${field}`,
        /is required: a stack cannot synthesize untagged/);
      expect(error.message).toContain(`Set costAllocation.${field}`);
    });

    test.each([
      ['has space'], ['-leading-dash'], ['trailing-dash-'], ['.dot'], ['x'.repeat(64)], ['ümlaut'], ['a/b'], ['a:b'],
    ])('invalid value %p is rejected', (value) => {
      expectValidationError(() => stackWith({ ...DEFAULT_COST, [field]: value }), 'test', `costAllocation.${field}`,
        /must be 1-63 letters, digits, "-", "_" or "\.", starting and ending with a letter or digit \(got ".*"\)/);
    });

    test('a non-string value is rejected with the value in the message', () => {
      expectValidationError(() => stackWith({ ...DEFAULT_COST, [field]: 42 }), 'test', `costAllocation.${field}`, /must be 1-63 .*\(got 42\)/);
    });
  });

  test('validate() names the scope it is given', () => {
    const stack = new PlatformStack(newApp(), 'named-stack', defaultStackProps());
    const cost = new CostAllocation({ ...DEFAULT_COST, project: '' });
    expectValidationError(() => cost.validate(stack), 'named-stack', 'costAllocation.project', /is required/);
  });

  test('the first invalid field in order costCenter, team, project, environment is reported', () => {
    expectValidationError(() => stackWith({ costCenter: 'ok', team: '', project: '', environment: '' }), 'test', 'costAllocation.team', /is required/);
  });
});

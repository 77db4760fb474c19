import { AwsCloud } from '../../lib/aws/aws-cloud';
import { Duration } from '../../lib/core/duration';
import { PlatformStack } from '../../lib/core/platform-stack';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import { defaultStackProps, expectValidationError, newApp } from '../helpers';

function stackWith(recoveryObjective: RecoveryObjective, primaryRegion = 'us-east-1'): PlatformStack {
  return new PlatformStack(newApp(), 'test', { ...defaultStackProps(), recoveryObjective, primaryRegion });
}

const of = (rpo: Duration, extra: { rto?: Duration; drRegion?: string; retention?: Duration } = {}) =>
  RecoveryObjective.of({ rpo, rto: extra.rto ?? Duration.hours(4), drRegion: extra.drRegion ?? 'us-west-2', retention: extra.retention });

describe('RecoveryObjective tiers', () => {
  test.each([
    ['missionCritical', RecoveryObjective.missionCritical('eu-west-1'), 15, 60],
    ['businessCritical', RecoveryObjective.businessCritical('eu-west-1'), 60, 240],
    ['standard', RecoveryObjective.standard('eu-west-1'), 24 * 60, 24 * 60],
  ])('%s', (_name, ro, rpoMinutes, rtoMinutes) => {
    expect(ro.rpo.toMinutes()).toBe(rpoMinutes);
    expect(ro.rto.toMinutes()).toBe(rtoMinutes);
    expect(ro.retention.toDays()).toBe(35);
    expect(ro.drRegion).toBe('eu-west-1');
    expect(() => stackWith(ro)).not.toThrow();
  });

  test('a custom objective defaults retention to 35 days', () => {
    const ro = of(Duration.hours(4));
    expect(ro.retention.toDays()).toBe(35);
    expect(ro.rpo.toHours()).toBe(4);
  });

  test('the minimum RPO is 5 minutes and is accepted', () => {
    expect(RecoveryObjective.MIN_RPO_MINUTES).toBe(5);
    expect(() => stackWith(of(Duration.minutes(5)))).not.toThrow();
  });
});

describe('RecoveryObjective validation', () => {
  test.each([4, 1, 0, -10])('an RPO of %p minutes is rejected', (minutes) => {
    const error = expectValidationError(() => stackWith(of(Duration.minutes(minutes))), 'test', 'recoveryObjective.rpo',
      /is shorter than any backup schedule can give \(continuous backup reaches 5 minutes\)/);
    expect(error.message).toContain(`(got ${minutes} minute`);
    expect(error.message).toContain('Use an RPO of at least 5 minutes');
  });

  test('a missing RPO or RTO is required', () => {
    expectValidationError(() => stackWith(RecoveryObjective.of({ rto: Duration.hours(1), drRegion: 'us-west-2' } as any)), 'test',
      'recoveryObjective.rpo', /is required \(got nothing\)/);
    expectValidationError(() => stackWith(RecoveryObjective.of({ rpo: Duration.hours(1), drRegion: 'us-west-2' } as any)), 'test',
      'recoveryObjective.rto', /is required/);
  });

  test('an RTO of zero is rejected', () => {
    expectValidationError(() => stackWith(of(Duration.hours(1), { rto: Duration.minutes(0) })), 'test', 'recoveryObjective.rto',
      /must be longer than zero \(got 0 minutes\)/);
  });

  test('a DR region equal to the primary region is rejected', () => {
    const error = expectValidationError(() => stackWith(RecoveryObjective.businessCritical('us-east-1')), 'test', 'recoveryObjective.drRegion',
      /is the same as the primary region \(got "us-east-1"\)/);
    expect(error.message).toContain('Choose another region');
    expectValidationError(() => stackWith(RecoveryObjective.standard('eu-west-1'), 'eu-west-1'), 'test', 'recoveryObjective.drRegion',
      /is the same as the primary region \(got "eu-west-1"\)/);
  });

  test.each(['mars-north-1', 'us-east', 'US-EAST-1', 'us-east-1a'])('a bad DR region %p is rejected', (region) => {
    expectValidationError(() => stackWith(RecoveryObjective.businessCritical(region)), 'test', 'recoveryObjective.drRegion',
      /is not valid: an AWS region name such as "us-east-1"/);
  });

  test('a name shaped like another cloud\'s region passes the stack and is rejected by the cloud the stack uses', () => {
    // "useast1" is shaped like an Azure region name; the AWS layer knows the real AWS regions.
    const stack = stackWith(RecoveryObjective.businessCritical('useast1'));
    expectValidationError(() => new AwsCloud(stack, 'Aws'), 'test', 'recoveryObjective.drRegion', /is not an AWS region \(got "useast1"\)/);
  });

  test.each([[''], [undefined]])('a missing DR region (%p) is rejected', (region) => {
    expectValidationError(() => stackWith(RecoveryObjective.of({ rpo: Duration.hours(1), rto: Duration.hours(4), drRegion: region as any })),
      'test', 'recoveryObjective.drRegion', /is required .*Name the region that holds disaster-recovery copies/);
  });

  test.each(['eu-central-1', 'ap-southeast-2', 'us-gov-west-1', 'il-central-1', 'ca-west-1'])('DR region %p is accepted', (region) => {
    expect(() => stackWith(RecoveryObjective.businessCritical(region))).not.toThrow();
  });

  test('retention shorter than the RPO is rejected', () => {
    const error = expectValidationError(() => stackWith(of(Duration.days(2), { rto: Duration.hours(4), retention: Duration.days(1) })), 'test',
      'recoveryObjective.retention', /is shorter than the RPO \(2 days\) \(got 1 day\)/);
    expect(error.message).toContain('Keep recovery points for at least one RPO interval');
  });

  test('retention equal to the RPO is accepted', () => {
    expect(() => stackWith(of(Duration.days(1), { retention: Duration.days(1) }))).not.toThrow();
  });

  test.each([
    ['a fraction of a day', Duration.hours(36)],
    ['zero days', Duration.days(0)],
    ['more than 100 years', Duration.days(36501)],
  ])('retention of %s is rejected', (_name, retention) => {
    expectValidationError(() => stackWith(of(Duration.hours(1), { retention })), 'test', 'recoveryObjective.retention',
      /must be a whole number of days from 1 to 36500/);
  });

  test('validate() can be called directly on any scope', () => {
    const stack = stackWith(RecoveryObjective.businessCritical('us-west-2'));
    expectValidationError(() => RecoveryObjective.businessCritical('us-west-2').validate(stack, 'us-west-2'), 'test',
      'recoveryObjective.drRegion', /is the same as the primary region/);
    expect(() => RecoveryObjective.businessCritical('us-west-2').validate(stack, 'us-east-1')).not.toThrow();
  });
});

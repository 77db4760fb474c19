import * as fc from 'fast-check';
import { BackupSchedule } from '../../lib/core/backup-schedule';
import { Duration } from '../../lib/core/duration';

const CRON = /^cron\(0 (0\/(1|2|3|4|6|8|12)|3) \? \* \* \*\)$/;

describe('BackupSchedule.forRpo', () => {
  test.each([
    // rpo in minutes, interval hours, continuous, cron
    [5, 1, true, 'cron(0 0/1 ? * * *)'],
    [15, 1, true, 'cron(0 0/1 ? * * *)'],
    [59, 1, true, 'cron(0 0/1 ? * * *)'],
    [60, 1, false, 'cron(0 0/1 ? * * *)'],
    [90, 1, false, 'cron(0 0/1 ? * * *)'],
    [120, 2, false, 'cron(0 0/2 ? * * *)'],
    [180, 3, false, 'cron(0 0/3 ? * * *)'],
    [240, 4, false, 'cron(0 0/4 ? * * *)'],
    [300, 4, false, 'cron(0 0/4 ? * * *)'],
    [360, 6, false, 'cron(0 0/6 ? * * *)'],
    [420, 6, false, 'cron(0 0/6 ? * * *)'],
    [480, 8, false, 'cron(0 0/8 ? * * *)'],
    [660, 8, false, 'cron(0 0/8 ? * * *)'],
    [720, 12, false, 'cron(0 0/12 ? * * *)'],
    [23 * 60, 12, false, 'cron(0 0/12 ? * * *)'],
    [24 * 60, 24, false, 'cron(0 3 ? * * *)'],
    [48 * 60, 24, false, 'cron(0 3 ? * * *)'],
    [7 * 24 * 60, 24, false, 'cron(0 3 ? * * *)'],
  ])('RPO %p min -> every %p h, continuous %p, %p', (rpoMinutes, hours, continuous, cron) => {
    const schedule = BackupSchedule.forRpo(Duration.minutes(rpoMinutes));
    expect(schedule.snapshotIntervalHours).toBe(hours);
    expect(schedule.continuous).toBe(continuous);
    expect(schedule.cronExpression).toBe(cron);
    expect(schedule.effectiveRpo.toMinutes()).toBe(continuous ? 5 : hours * 60);
  });

  test('the same RPO in different units gives the same schedule', () => {
    for (const [a, b] of [[Duration.hours(1), Duration.minutes(60)], [Duration.days(1), Duration.hours(24)], [Duration.hours(6), Duration.minutes(360)]]) {
      expect(BackupSchedule.forRpo(a)).toEqual(BackupSchedule.forRpo(b));
    }
  });

  test('for every RPO from 5 minutes to 60 days the schedule meets the RPO', () => {
    fc.assert(fc.property(fc.integer({ min: 5, max: 60 * 24 * 60 }), (rpoMinutes) => {
      const schedule = BackupSchedule.forRpo(Duration.minutes(rpoMinutes));
      expect(24 % schedule.snapshotIntervalHours).toBe(0);
      expect(schedule.effectiveRpo.toMinutes()).toBeLessThanOrEqual(rpoMinutes);
      expect(schedule.continuous).toBe(rpoMinutes < 60);
      if (!schedule.continuous) {
        // interval <= RPO, and it is the longest interval dividing a day that does.
        expect(schedule.snapshotIntervalHours * 60).toBeLessThanOrEqual(rpoMinutes);
        const next = [1, 2, 3, 4, 6, 8, 12, 24].find((h) => h > schedule.snapshotIntervalHours);
        if (next !== undefined) {
          expect(next * 60).toBeGreaterThan(rpoMinutes);
        }
      }
      expect(schedule.cronExpression).toMatch(CRON);
    }), { numRuns: 500 });
  });

  test('fractional hours are handled', () => {
    const schedule = BackupSchedule.forRpo(Duration.hours(2.5));
    expect(schedule.snapshotIntervalHours).toBe(2);
    expect(schedule.continuous).toBe(false);
  });
});

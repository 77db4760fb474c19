import * as fc from 'fast-check';
import { BackupSchedule } from '../../lib/core/backup-schedule';
import { Duration } from '../../lib/core/duration';

/** Daily snapshot (24 h) + 60 min start window + 180 min completion window. */
const SNAPSHOT_RPO_MINUTES = 24 * 60 + 60 + 180;
/** The snapshot RPO + the 120 min budget for the cross-region copy. */
const COPY_RPO_MINUTES = SNAPSHOT_RPO_MINUTES + 120;

describe('BackupSchedule.forRpo', () => {
  test.each([5, 15, 60, 6 * 60, 24 * 60, 48 * 60, 7 * 24 * 60])('RPO %p min -> one daily snapshot at 03:00 UTC with 60/180-minute windows', (rpoMinutes) => {
    const schedule = BackupSchedule.forRpo(Duration.minutes(rpoMinutes));
    expect(schedule.snapshotIntervalHours).toBe(24);
    expect(schedule.cronExpression).toBe('cron(0 3 ? * * *)');
    expect(schedule.startWindowMinutes).toBe(60);
    expect(schedule.completionWindowMinutes).toBe(180);
  });

  test('the achieved RPO counts both job windows, and the copy adds its budget: 28 h and 30 h', () => {
    const schedule = BackupSchedule.forRpo(Duration.hours(1));
    expect(schedule.snapshotRpo.toMinutes()).toBe(SNAPSHOT_RPO_MINUTES);
    expect(schedule.snapshotRpo.toHours()).toBe(28);
    expect(schedule.copyRpo.toMinutes()).toBe(COPY_RPO_MINUTES);
    expect(schedule.copyRpo.toHours()).toBe(30);
  });

  test.each([
    // rpo in minutes, needs continuous copies
    [5, true],
    [15, true],
    [60, true],
    [24 * 60, true],
    [28 * 60, true],
    [COPY_RPO_MINUTES - 1, true],
    [COPY_RPO_MINUTES, false],
    [48 * 60, false],
    [7 * 24 * 60, false],
  ])('RPO %p min -> needsContinuousCopies %p', (rpoMinutes, needed) => {
    expect(BackupSchedule.forRpo(Duration.minutes(rpoMinutes)).needsContinuousCopies).toBe(needed);
  });

  test('the same RPO in different units gives the same schedule', () => {
    for (const [a, b] of [[Duration.hours(1), Duration.minutes(60)], [Duration.days(1), Duration.hours(24)], [Duration.hours(30), Duration.minutes(1800)]]) {
      const [x, y] = [BackupSchedule.forRpo(a), BackupSchedule.forRpo(b)];
      expect(x.needsContinuousCopies).toBe(y.needsContinuousCopies);
      expect(x.snapshotRpo.toMinutes()).toBe(y.snapshotRpo.toMinutes());
      expect(x.copyRpo.toMinutes()).toBe(y.copyRpo.toMinutes());
      expect(x.cronExpression).toBe(y.cronExpression);
    }
  });

  test('for every RPO from 5 minutes to 60 days: continuous copies are asked for exactly when the backup copies are too late', () => {
    fc.assert(fc.property(fc.integer({ min: 5, max: 60 * 24 * 60 }), (rpoMinutes) => {
      const schedule = BackupSchedule.forRpo(Duration.minutes(rpoMinutes));
      // Never an hourly snapshot schedule again (that was ~840 recovery points per region at 35 days).
      expect(schedule.snapshotIntervalHours).toBe(24);
      expect(schedule.needsContinuousCopies).toBe(rpoMinutes < schedule.copyRpo.toMinutes());
      if (!schedule.needsContinuousCopies) {
        expect(schedule.copyRpo.toMinutes()).toBeLessThanOrEqual(rpoMinutes);
        expect(schedule.snapshotRpo.toMinutes()).toBeLessThanOrEqual(rpoMinutes);
      }
    }), { numRuns: 500 });
  });

  test('fractional hours are handled', () => {
    expect(BackupSchedule.forRpo(Duration.hours(29.99)).needsContinuousCopies).toBe(true);
    expect(BackupSchedule.forRpo(Duration.hours(30.5)).needsContinuousCopies).toBe(false);
  });
});

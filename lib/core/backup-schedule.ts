import { Duration } from './duration';

/**
 * The backup service's snapshot schedule, and what it honestly achieves.
 *
 * Snapshots are daily whatever the RPO: they are the long-term, locked copies (35 days of hourly snapshots would
 * be ~840 recovery points per region, which is not how backup services are meant to be used). A sub-day RPO is
 * met the way the clouds intend, by each store's own continuous mechanism (database point-in-time recovery with
 * its logs replicated to the DR region, object replication), which the stores register themselves.
 *
 * The achieved RPO of a snapshot counts the backup job's windows: a job may start up to `startWindow` after its
 * scheduled time and finish up to `completionWindow` later, and a cross-region copy starts only after that.
 */
export class BackupSchedule {
  /** The schedule for a recovery objective's RPO. */
  public static forRpo(rpo: Duration): BackupSchedule {
    return new BackupSchedule(rpo);
  }

  /** Hours between two snapshots. */
  public readonly snapshotIntervalHours = 24;
  /** Minutes a job may wait to start after its scheduled time. */
  public readonly startWindowMinutes = 60;
  /** Minutes a started job has to complete. */
  public readonly completionWindowMinutes = 180;
  /** Minutes budgeted for the cross-region copy of a recovery point (the service gives no bound). */
  public readonly copyBudgetMinutes = 120;

  private constructor(private readonly rpo: Duration) {}

  /** A cron expression (AWS six-field form): every day at 03:00 UTC. */
  public get cronExpression(): string {
    return 'cron(0 3 ? * * *)';
  }

  /** Worst-case data loss from the snapshots in the primary region: interval plus both windows. */
  public get snapshotRpo(): Duration {
    return Duration.minutes(this.snapshotIntervalHours * 60 + this.startWindowMinutes + this.completionWindowMinutes);
  }

  /** Worst-case data loss from the copies in the DR region: the snapshot RPO plus the copy budget. */
  public get copyRpo(): Duration {
    return Duration.minutes(this.snapshotRpo.toMinutes() + this.copyBudgetMinutes);
  }

  /** True when the RPO is shorter than the copies achieve, so stores need a continuous copy of their own. */
  public get needsContinuousCopies(): boolean {
    return this.rpo.toMinutes() < this.copyRpo.toMinutes();
  }
}

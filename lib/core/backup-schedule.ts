import { Duration } from './duration';

/** Intervals that divide a day evenly, so a cron schedule fires at a constant interval. */
const HOURLY_INTERVALS = [1, 2, 3, 4, 6, 8, 12, 24];

/**
 * The backup schedule that meets an RPO: how often snapshots are taken and whether continuous backup
 * (point-in-time recovery) is needed because the RPO is under an hour, the shortest snapshot interval.
 */
export class BackupSchedule {
  /** Derives the schedule for an RPO. */
  public static forRpo(rpo: Duration): BackupSchedule {
    const rpoHours = rpo.toHours();
    const intervalHours = [...HOURLY_INTERVALS].reverse().find((h) => h <= rpoHours) ?? 1;
    return new BackupSchedule(intervalHours, rpoHours < 1);
  }

  private constructor(
    /** Hours between two snapshots (1 to 24, dividing 24). */
    public readonly snapshotIntervalHours: number,
    /** True when continuous backup is needed to meet the RPO. */
    public readonly continuous: boolean,
  ) {}

  /** The worst-case data loss this schedule gives in the primary region. */
  public get effectiveRpo(): Duration {
    return this.continuous ? Duration.minutes(5) : Duration.hours(this.snapshotIntervalHours);
  }

  /** A cron expression (AWS six-field form) that takes a snapshot every `snapshotIntervalHours`. */
  public get cronExpression(): string {
    return this.snapshotIntervalHours >= 24 ? 'cron(0 3 ? * * *)' : `cron(0 0/${this.snapshotIntervalHours} ? * * *)`;
  }
}

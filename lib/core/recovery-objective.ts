import { IConstruct } from 'constructs';
import { Duration } from './duration';
import { ValidationError } from './errors';
import { RestoreAssumptions, RestoreTimeModel } from './restore';
import { checkRegionName, checkRequired } from './validate';

/** Properties of a {@link RecoveryObjective}. */
export interface RecoveryObjectiveProps {
  /** Recovery point objective: the most data, in time, the platform may lose. */
  readonly rpo: Duration;
  /** Recovery time objective: how long a restore may take. Recorded in the report and the backup plan. */
  readonly rto: Duration;
  /** Region that holds a copy of every data store, e.g. `us-west-2`. Must differ from the primary region. */
  readonly drRegion: string;
  /**
   * How long recovery points are kept.
   *
   * @default Duration.days(35)
   */
  readonly retention?: Duration;
  /**
   * Sizes the restore-time estimates assume (database GiB, bucket GiB, Kubernetes objects). Synth proves each
   * store restores within the RTO by these estimates.
   *
   * @default - each database's allocated storage, 100 GiB per bucket, 2000 Kubernetes objects
   */
  readonly restoreAssumptions?: RestoreAssumptions;
}

/**
 * How much data the platform may lose, how fast it must come back and where its copies live.
 * Declared once on the {@link PlatformStack}; every data store must meet it or synth fails.
 *
 * @example
 * const dr = RecoveryObjective.businessCritical('us-west-2');
 * const custom = RecoveryObjective.of({ rpo: Duration.hours(4), rto: Duration.hours(8), drRegion: 'eu-central-1' });
 */
export class RecoveryObjective {
  /**
   * The shortest RPO any schedule can give: continuous backup (point-in-time recovery) ships transaction logs
   * about every 5 minutes.
   */
  public static readonly MIN_RPO_MINUTES = 5;

  /** Tier 1: RPO 15 minutes (continuous backup), RTO 1 hour, 35 days of recovery points. */
  public static missionCritical(drRegion: string): RecoveryObjective {
    return new RecoveryObjective({ rpo: Duration.minutes(15), rto: Duration.hours(1), drRegion, retention: Duration.days(35) });
  }

  /** Tier 2: RPO 1 hour, RTO 4 hours, 35 days of recovery points. */
  public static businessCritical(drRegion: string): RecoveryObjective {
    return new RecoveryObjective({ rpo: Duration.hours(1), rto: Duration.hours(4), drRegion, retention: Duration.days(35) });
  }

  /** Tier 3: RPO 24 hours, RTO 24 hours, 35 days of recovery points. */
  public static standard(drRegion: string): RecoveryObjective {
    return new RecoveryObjective({ rpo: Duration.hours(24), rto: Duration.hours(24), drRegion, retention: Duration.days(35) });
  }

  /** A custom objective. */
  public static of(props: RecoveryObjectiveProps): RecoveryObjective {
    return new RecoveryObjective(props);
  }

  /** Recovery point objective. */
  public readonly rpo: Duration;
  /** Recovery time objective. */
  public readonly rto: Duration;
  /** Disaster-recovery region. */
  public readonly drRegion: string;
  /** Retention of recovery points. */
  public readonly retention: Duration;
  /** Sizes the restore-time estimates assume. */
  public readonly restoreAssumptions: RestoreAssumptions;

  private constructor(props: RecoveryObjectiveProps) {
    this.rpo = props?.rpo;
    this.rto = props?.rto;
    this.drRegion = props?.drRegion;
    this.retention = props?.retention ?? Duration.days(35);
    this.restoreAssumptions = { ...props?.restoreAssumptions };
  }

  /** The same objective with other restore-time size assumptions. */
  public withRestoreAssumptions(assumptions: RestoreAssumptions): RecoveryObjective {
    return new RecoveryObjective({ rpo: this.rpo, rto: this.rto, drRegion: this.drRegion, retention: this.retention, restoreAssumptions: assumptions });
  }

  /**
   * Throws a {@link ValidationError} on the given scope when the objective cannot be met or is incomplete.
   *
   * @param primaryRegion the region the stack deploys to, which the DR region must differ from
   */
  public validate(scope: IConstruct, primaryRegion: string): void {
    for (const [name, value] of [['rpo', this.rpo], ['rto', this.rto]] as Array<[string, Duration]>) {
      if (!(value instanceof Duration)) {
        throw new ValidationError(scope, `recoveryObjective.${name}`, value, 'is required', `Set it with Duration.minutes/hours/days, e.g. Duration.hours(1).`);
      }
    }
    if (!Number.isFinite(this.rpo.toMinutes()) || this.rpo.toMinutes() < RecoveryObjective.MIN_RPO_MINUTES) {
      throw new ValidationError(scope, 'recoveryObjective.rpo', this.rpo,
        `is shorter than any backup schedule can give (continuous backup reaches ${RecoveryObjective.MIN_RPO_MINUTES} minutes)`,
        `Use an RPO of at least ${RecoveryObjective.MIN_RPO_MINUTES} minutes, or use synchronous replication outside this library.`);
    }
    if (!Number.isFinite(this.rto.toMinutes()) || this.rto.toMinutes() <= 0) {
      throw new ValidationError(scope, 'recoveryObjective.rto', this.rto, 'must be longer than zero', 'Use e.g. Duration.hours(4).');
    }
    if (this.rto.toMinutes() < RestoreTimeModel.FASTEST_MINUTES) {
      throw new ValidationError(scope, 'recoveryObjective.rto', this.rto,
        `is shorter than the fastest restore any mechanism gives (${RestoreTimeModel.FASTEST_KIND}: ${RestoreTimeModel.FASTEST_MINUTES} minutes)`,
        `Use an RTO of at least ${RestoreTimeModel.FASTEST_MINUTES} minutes, or run active-active outside this library.`);
    }
    const { storeSizesGiB, ...perKind } = this.restoreAssumptions;
    if (storeSizesGiB !== undefined && (typeof storeSizesGiB !== 'object' || storeSizesGiB === null || Array.isArray(storeSizesGiB))) {
      throw new ValidationError(scope, 'recoveryObjective.restoreAssumptions.storeSizesGiB', storeSizesGiB, 'must map store purposes or paths to sizes',
        "Use e.g. storeSizesGiB: { mlflow: 400 }.");
    }
    const sizes = [...Object.entries(perKind), ...Object.entries(storeSizesGiB ?? {}).map(([k, v]) => [`storeSizesGiB.${k}`, v])];
    for (const [name, value] of sizes) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
        throw new ValidationError(scope, `recoveryObjective.restoreAssumptions.${name}`, value, 'must be a positive number',
          'Give the size the restore estimate should assume, e.g. databaseSizeGiB: 200, or leave it unset for the default.');
      }
    }
    if (!(this.retention instanceof Duration) || !Number.isInteger(this.retention.toDays()) || this.retention.toDays() < 1 || this.retention.toDays() > 36500) {
      throw new ValidationError(scope, 'recoveryObjective.retention', this.retention, 'must be a whole number of days from 1 to 36500',
        'Use e.g. Duration.days(35).');
    }
    if (this.retention.toMinutes() < this.rpo.toMinutes()) {
      throw new ValidationError(scope, 'recoveryObjective.retention', this.retention, `is shorter than the RPO (${this.rpo})`,
        'Keep recovery points for at least one RPO interval.');
    }
    checkRequired(scope, 'recoveryObjective.drRegion', this.drRegion,
      'Name the region that holds disaster-recovery copies, e.g. "us-west-2".');
    checkRegionName(scope, 'recoveryObjective.drRegion', this.drRegion);
    if (this.drRegion === primaryRegion) {
      throw new ValidationError(scope, 'recoveryObjective.drRegion', this.drRegion, 'is the same as the primary region',
        'Choose another region for disaster-recovery copies, e.g. "us-west-2" for a stack in "us-east-1".');
    }
  }
}

/**
 * A length of time, used for recovery objectives and retention.
 *
 * @example
 * const rpo = Duration.hours(1);
 */
export class Duration {
  /** A duration in minutes. */
  public static minutes(amount: number): Duration {
    return new Duration(amount, 'minutes', amount);
  }

  /** A duration in hours. */
  public static hours(amount: number): Duration {
    return new Duration(amount * 60, 'hours', amount);
  }

  /** A duration in days. */
  public static days(amount: number): Duration {
    return new Duration(amount * 60 * 24, 'days', amount);
  }

  private constructor(private readonly totalMinutes: number, private readonly unit: string, private readonly amount: number) {}

  /** The duration in minutes. */
  public toMinutes(): number {
    return this.totalMinutes;
  }

  /** The duration in hours (may be fractional). */
  public toHours(): number {
    return this.totalMinutes / 60;
  }

  /** The duration in days (may be fractional). */
  public toDays(): number {
    return this.totalMinutes / (60 * 24);
  }

  /** A human-readable form, e.g. `15 minutes`. */
  public toString(): string {
    return `${this.amount} ${this.amount === 1 ? this.unit.replace(/s$/, '') : this.unit}`;
  }
}

/** One parked event whose retry failed, in a {@link RetryReport}. */
export interface RetryFailure {
  readonly streamId: string;
  readonly version: number;
  readonly eventType: string;
  readonly message: string;
}

/** What a retry of a partition's parked events did. */
export interface RetryReport {
  /** Parked events whose handler was called again. */
  readonly retried: number;
  /** Of those, the ones handled, and so no longer parked. */
  readonly handled: number;
  /** Parked events left (failed again, or, in 'wait' mode, behind an earlier event of their stream that failed again). */
  readonly stillParked: number;
  /** The retries that failed (on the partition item, only the first few: see RETRY_REPORT_MAX_BYTES). */
  readonly errors: readonly RetryFailure[];
}

/** The most a report stored on a partition item may weigh: that item is rewritten at each checkpoint save. */
export const RETRY_REPORT_MAX_BYTES = 600;

export const emptyRetryReport = (): RetryReport => ({ retried: 0, handled: 0, stillParked: 0, errors: [] });

/** The sum of partitions' reports. */
export const addReports = (a: RetryReport, b: RetryReport): RetryReport => ({
  retried: a.retried + b.retried,
  handled: a.handled + b.handled,
  stillParked: a.stillParked + b.stillParked,
  errors: [...a.errors, ...b.errors],
});

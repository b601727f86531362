/** Options of `@Projection(name, options)`; checked when the class is registered with `forFeature({ projections })`. */
export interface ProjectionOptions {
  /** Events per feed page (1 to 1,000); the checkpoint is saved after each page. Default 100. */
  pageSize?: number;
  /**
   * How often a caught-up projection reads the feed for commits made by other processes, in ms.
   * Commits made in this process wake it as soon as they have settled (`feed.settleMs`). Instances
   * on standby check at the same interval (at least every third of `leaseTtlMs`) whether the lease
   * has come free: one strongly consistent read each. Default 1000.
   */
  pollIntervalMs?: number;
  /**
   * How long the lease that lets one app instance run the projection lasts without renewal, in ms
   * (at least 100). The holder renews it every third of this; when the holder dies, another
   * instance takes over after at most this long. Default 15000.
   */
  leaseTtlMs?: number;
  /**
   * How many times the handler is called for one event (the first call included) before that event
   * is skipped: logged as an error with its checkpoint, kept as `lastError`, counted in the status's
   * `eventsSkipped`, and the projection moves on. Attempts are counted by the instance running the
   * projection, with the usual backoff between them. Default: no limit, so a failing ("poison")
   * event is retried until it succeeds, and the projection stays behind it (status `failing`).
   */
  maxAttempts?: number;
  /** Only events of streams whose id starts with this (e.g. `'account-'`). Default: all streams. */
  streamPrefix?: string;
}

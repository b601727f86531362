/** Options of `@Projection(name, options)`; checked when the class is registered with `forFeature({ projections })`. */
export interface ProjectionOptions {
  /** Events per feed page (1 to 1,000); the checkpoint is saved after each page. Default 100. */
  pageSize?: number;
  /**
   * How often a caught-up projection reads the feed for commits made by other processes, in ms.
   * Commits made in this process wake it as soon as they have settled (`feed.settleMs`). Instances
   * on standby check at the same interval (at least every third of `leaseTtlMs`), and right after
   * the expiry they last read, whether the lease has come free: one strongly consistent read each.
   * Default 1000.
   */
  pollIntervalMs?: number;
  /**
   * How long the lease that lets one app instance run the projection lasts without renewal, in ms
   * (at least 100). The holder renews it every third of this. Default 15000.
   *
   * When the holder stops gracefully it releases the lease, and an instance on standby takes over
   * at its next check (within `pollIntervalMs`). When it dies without releasing (killed, crashed,
   * cut off from DynamoDB), its lease lapses at most `leaseTtlMs` after it died (its last renewal
   * was sent no later), and an instance on standby takes over at its check just past that expiry.
   * So the projection pauses for at most `leaseTtlMs` plus the time of that check (a strongly
   * consistent GetItem and a conditional UpdateItem, with the retries of throttled requests) plus
   * the clock skew between the instances.
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

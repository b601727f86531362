/** Options of `@Projection(name, options)`; checked when the class is registered with `forFeature({ projections })`. */
export interface ProjectionOptions {
  /** Events per feed page (1 to 1,000); the checkpoint is saved after each page. Default 100. */
  pageSize?: number;
  /**
   * How often a caught-up projection polls the feed index for commits indexed since, in ms: each
   * idle poll is one eventually consistent Query of the index (0.5 read units when nothing is new).
   * With the default, a commit made by another process is handled well under a second after the
   * indexer has indexed it. Hints in this process (its own commits, batches written by its in-app
   * indexer) make it read at once. Instances on standby check the lease every `pollIntervalMs` but
   * at least a second apart (at least every third of `leaseTtlMs`), and right after the expiry they
   * last read: one strongly consistent read each. Failing handlers are retried after this, doubling.
   * Default 200.
   */
  pollIntervalMs?: number;
  /**
   * How long the lease that lets one app instance run the projection lasts without renewal, in ms
   * (at least 100). The holder renews it every third of this. Default 15000.
   *
   * When the holder stops gracefully it releases the lease, and an instance on standby takes over
   * at its next check (within `pollIntervalMs`, or a second when that is shorter). When it dies without releasing (killed, crashed,
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

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
   * is parked: stored with its error in the projections table (see `parkedStream`), logged, kept as
   * `lastError`, counted in the status's `eventsSkipped`, and the projection moves on. An event that
   * cannot be decoded (an unknown type, a failing upcaster) counts as a failed call too. Attempts are counted by the instance running the
   * projection, with the usual backoff between them. Default: no limit, so a failing ("poison")
   * event is retried until it succeeds, and the projection stays behind it (status `failing`).
   */
  maxAttempts?: number;
  /** Only events of streams whose id starts with this (e.g. `'account-'`). Default: all streams. */
  streamPrefix?: string;
  /**
   * Splits the projection into this many partitions (1 to 256), by stream id: each stream's events
   * go to one partition (so they are handled in version order), and each partition has its own
   * checkpoint and lease. The app instances running the projection share the partitions: each
   * takes at most its fair share (the partition count divided by the live instances, rounded up),
   * gives partitions up when others join, and takes over those of an instance that died once its
   * lease has lapsed. Partitions are handled concurrently, also within one instance, so that a
   * handler waiting on I/O does not hold the others up. Default 1: one instance at a time runs the
   * whole projection, as before.
   *
   * The count is stored with the checkpoints: an instance whose count differs does not run the
   * projection (state `blocked`, naming the fix) until it is rebuilt with the new count.
   */
  partitions?: number;
  /**
   * Once an event is parked (its handler failed `maxAttempts` times), what happens to the later
   * events of its stream in that partition:
   * - `'wait'` (default): they are parked too, unhandled, behind it, so that the stream's events are
   *   never handled out of order; `nestjs-dynamo-es projection retry-parked` handles them in order
   *   once the cause is fixed;
   * - `'continue'`: they are handled as usual; only the failing event waits, parked, for a retry.
   */
  parkedStream?: 'wait' | 'continue';
  /**
   * With `partitions`: how many of its partitions one app instance handles at the same time (1 to
   * the partition count). Default: every partition it holds, each calling its handlers on its own, so
   * that a handler waiting on I/O does not hold the others up. Lower it to bound what one instance
   * asks of your database at once (connections, write capacity); the others take turns, page by page.
   */
  concurrency?: number;
}

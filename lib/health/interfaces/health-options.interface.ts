/**
 * Options of `DynamoEventSourcingHealthIndicator.tables()`: how the module's tables are checked.
 *
 * Every call checks that DynamoDB answers (one GetItem on the events table: a data-plane read of
 * half a read unit); the tables' keys, indexes, stream and time to live are described (DescribeTable:
 * a control-plane call with low rate limits) at most once per `verifyIntervalMs`, and the result is
 * reused in between, so that a load balancer probing every few seconds costs one small read.
 */
export interface TablesHealthOptions {
  /**
   * How long a table verification is reused before the tables are described again, in ms.
   * Default 60 000. 0 describes them on every call (for an endpoint called rarely).
   */
  readonly verifyIntervalMs?: number;
  /**
   * Whether to describe the tables at all. Default: true unless the module's `tableSetup` is
   * `'none'` (an app that may lack the DescribeTable permission): then only reachability is checked.
   */
  readonly verifyTables?: boolean;
  /** How long to wait for DynamoDB's answer before reporting it down, in ms. Default 5 000. */
  readonly timeoutMs?: number;
}

/**
 * Whose lag a projection check judges:
 * - `instance` (the default, no request): what this app instance reads. An unpartitioned projection's lag
 *   while this instance holds its lease (on standby, the holder's business); a partitioned one's,
 *   the greatest of the partitions this instance holds. What suits a per-instance readiness probe.
 * - `app`: the whole app's, read from the tables (every partition, whichever instance holds it, or
 *   none): about five strongly consistent reads per projection and call. What suits a monitoring
 *   endpoint; a projection nobody runs shows here as a growing lag.
 */
export type LagScope = 'instance' | 'app';

/** Options of `DynamoEventSourcingHealthIndicator.projections()`: which projections, and the lag each may have. */
export interface ProjectionsHealthOptions {
  /** Down when a projection's oldest event not handled yet is older than this, in ms (by its commit time). */
  readonly maxLagMs?: number;
  /** Down when a projection is more than this many feed index positions (commits) behind the head. */
  readonly maxLagCommits?: number;
  /** The projections to check, by the name given to `@Projection`. Default: all of the app's. */
  readonly projections?: readonly string[];
  /** Whose lag is judged: see {@link LagScope}. Default `'instance'`. */
  readonly lagScope?: LagScope;
  /** With `lagScope: 'app'`: how long to wait for the tables' answer before reporting the lag unknown, in ms. Default 5 000. */
  readonly timeoutMs?: number;
}

/** Options of `DynamoEventSourcingHealthIndicator.isHealthy()`: those of every check it runs. */
export interface EventSourcingHealthOptions extends TablesHealthOptions, ProjectionsHealthOptions {}

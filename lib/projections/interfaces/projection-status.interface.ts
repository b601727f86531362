import type { FeedCheckpoint } from '../../feed/feed-checkpoint.js';

/**
 * What a projection of this app instance is doing:
 * - `standby`: started, but another instance holds the lease (this one takes over if it goes away);
 * - `catching-up`: holds the lease and reads the feed from its checkpoint up to the present;
 * - `live`: caught up, following new commits;
 * - `rebuilding`: replaying everything after `rebuild()` reset it, or calling `reset()` again because
 *   a rebuild was cut short after it had moved the checkpoint back;
 * - `stopped`: not started, or stopped (the lease is released);
 * - `failing`: a handler (or a read) failed; retried from the last saved checkpoint with backoff;
 * - `blocked`: the stored checkpoint cannot be read by this feed (one of version 0.3's commit-time
 *   feed, or of another feed index): `lastError` says how to fix it (`nestjs-dynamo-es feed migrate`,
 *   or a rebuild). Nothing is read, the checkpoint is kept and the lease is given up; the projection
 *   goes on by itself once the stored checkpoint has changed, or when rebuilt.
 */
export type ProjectionState = 'standby' | 'catching-up' | 'live' | 'rebuilding' | 'stopped' | 'failing' | 'blocked';

/** A projection's state in this app instance, from `ProjectionManager.status()`. */
export interface ProjectionStatus {
  /** The name given to `@Projection`. */
  readonly name: string;
  readonly state: ProjectionState;
  /**
   * Where this instance's reading stands: everything up to it has been handled. Undefined until
   * this instance has held the lease (the stored checkpoint is the holder's business).
   */
  readonly checkpoint: FeedCheckpoint | undefined;
  /** Events handled up to `checkpoint` since the projection was created or last rebuilt. */
  readonly eventsHandled: number;
  /**
   * Events skipped up to `checkpoint` since the projection was created or last rebuilt, because
   * their handler failed `maxAttempts` times (see `@Projection` options). Not in `eventsHandled`.
   */
  readonly eventsSkipped: number;
  /** The last handler, reset or read failure (a skipped event's included, and why it is `blocked`), kept after recovery for diagnosis. */
  readonly lastError?: Error;
  /** How far behind the feed index's head this instance's reading is, as of its last read (undefined before one). */
  readonly lag?: ProjectionLag;
  /**
   * With `partitions` above 1: each partition, whichever instance holds it (`checkpoint`,
   * `eventsHandled` and `eventsSkipped` above are then undefined, the sums, and the sums).
   */
  readonly partitions?: readonly PartitionStatus[];
}

/** How far a projection (or partition) is behind the feed index's head. */
export interface ProjectionLag {
  /** Index positions (commits of all streams) between the checkpoint and the head as last read. */
  readonly commits: number;
  /** Age of the oldest event not handled yet, by its commit time, in ms; 0 when caught up; undefined when not known here. */
  readonly ms: number | undefined;
}

/** One partition of a partitioned projection, as this instance knows it. */
export interface PartitionStatus {
  readonly partition: number;
  /** Who holds the partition's lease: this instance's member id when it is here, another's, or undefined when free. */
  readonly owner: string | undefined;
  /** Whether this instance holds it. */
  readonly here: boolean;
  /** This instance's runner of the partition: `standby` when another instance holds it. */
  readonly state: ProjectionState;
  /** Here: as this instance read it; elsewhere: as stored when this instance last looked (every third of the lease TTL). */
  readonly checkpoint: FeedCheckpoint | undefined;
  readonly eventsHandled: number;
  readonly eventsSkipped: number;
  readonly lag?: ProjectionLag;
  readonly lastError?: Error;
}

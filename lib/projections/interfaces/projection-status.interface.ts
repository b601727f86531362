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
}

import type { FeedCheckpoint } from '../../feed/feed-checkpoint.js';

/**
 * Why an event is parked: `failed`, its handler failed (or it could not be decoded) `maxAttempts`
 * times in a row; `waiting`, an earlier event of its stream is parked in the same partition and the
 * projection has `parkedStream: 'wait'`, so this one was not handled, to keep the stream's order.
 */
export type ParkReason = 'failed' | 'waiting';

/** The error a parked event last failed with, as stored (message and stack cut short to keep the item small). */
export interface ParkedEventError {
  readonly name: string;
  readonly message: string;
  /** Absent when there was none, or no room was left for it (the full stack is in the log line written when it was parked). */
  readonly stack?: string;
}

/**
 * An event a projection gave up on and set aside (see `@Projection` options `maxAttempts` and
 * `parkedStream`), as listed by `nestjs-dynamo-es projection parked <name>`. It stays parked until a
 * retry (`projection retry-parked <name>`) handles it.
 */
export interface ParkedEvent {
  /** The name given to `@Projection`. */
  readonly projection: string;
  /** The key of the partition's item in the projections table (the projection's name when it has one partition). */
  readonly partitionKey: string;
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  /** The stored type name. */
  readonly eventType: string;
  /** The event's feed checkpoint: where it is in the feed. */
  readonly checkpoint: FeedCheckpoint;
  /** The feed index position of its commit (parked events are listed and retried in position, then version, order). */
  readonly position: number;
  readonly reason: ParkReason;
  /** Handler calls that failed before it was parked (0 for a `waiting` event, whose handler was not called). */
  readonly attempts: number;
  readonly parkedAt: Date;
  /** The last failure: why it was parked, or why its last retry failed. Absent for a `waiting` event never retried. */
  readonly error?: ParkedEventError;
  /** Retries that failed since it was parked. */
  readonly retries: number;
  readonly lastRetryAt?: Date;
}

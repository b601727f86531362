import type { EventClass } from '../../serialization/event-type-registry.js';
import type { FeedCheckpoint } from '../feed-checkpoint.js';

/** Options of `EventStore.replayAll$()`: which part of the global feed to read. */
export interface ReplayAllOptions {
  /** Start after this checkpoint (from an earlier event's `checkpoint`). Default {@link FEED_START}. */
  from?: FeedCheckpoint;
  /**
   * Events per page (1 to 1,000): a page of commits is fetched only when the previous one has been
   * handled. A page holds at most this many events, or one commit if that commit alone is larger.
   */
  pageSize: number;
  /** Only events of these types (classes or registered names); others are skipped without being decoded. */
  eventTypes?: ReadonlyArray<EventClass | string>;
  /** Only streams whose id starts with this (e.g. `'account-'`). */
  streamPrefix?: string;
}

import type { EventTypeList } from '../../replay/interfaces/selected-event.interface.js';
import type { FeedCheckpoint } from '../feed-checkpoint.js';

/** Options of `EventStore.replayAll$()`: which part of the global feed to read. */
export interface ReplayAllOptions<TTypes extends EventTypeList = EventTypeList> {
  /** Start after this checkpoint (from an earlier event's `checkpoint`). Default {@link FEED_START}. */
  from?: FeedCheckpoint;
  /**
   * Events per page (1 to 1,000): a page of commits is fetched only when the previous one has been
   * handled. A page holds at most this many events, or one commit if that commit alone is larger.
   */
  pageSize: number;
  /**
   * Only events of these types (classes or registered names); others are skipped without being
   * decoded. (Their commits are still fetched: the feed index does not know event types.)
   * Listing classes types the replay: `eventTypes: [A, B]` hands out `FeedEvent<A | B>`.
   */
  eventTypes?: TTypes;
  /** Only streams whose id starts with this (e.g. `'account-'`): other streams' commits are skipped on the index, never fetched. */
  streamPrefix?: string;
  /**
   * Called once the read has delivered (and the consumer handled) everything up to the feed index's
   * head as the read found it when it started, just before the Observable completes, with the
   * checkpoint to resume from next time. With `eventTypes` or `streamPrefix` it is further on than
   * the last event's checkpoint: it also covers the commits filtered out since, so the next read
   * does not look at them again.
   */
  onCaughtUp?: (checkpoint: FeedCheckpoint) => void;
}

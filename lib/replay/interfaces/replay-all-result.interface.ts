import type { FeedCheckpoint } from '../../feed/feed-checkpoint.js';

/** What {@link EventStore.replayAll} resolves to once the handler has handled every event. */
export interface ReplayAllResult {
  /** How many events the handler was called with (and handled without throwing). */
  readonly eventsHandled: number;
  /**
   * Where to resume next time (pass it as `from`): the feed as far as the read went, the feed
   * index's head when it started. With `eventTypes` or `streamPrefix` it is past the last handled
   * event's checkpoint, over what the filters left out, also when they left out everything.
   */
  readonly checkpoint: FeedCheckpoint;
}

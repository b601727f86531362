import type { EventEnvelope } from '../../event-store/interfaces/event-envelope.interface.js';
import type { FeedCheckpoint } from '../feed-checkpoint.js';

/** An event read from the global feed: its envelope, and where the feed stands once it is handled. */
export interface FeedEvent<TEvent extends object = object> extends EventEnvelope<TEvent> {
  /** Resume after this event: pass it as `from` to a later `replayAll$`. */
  readonly checkpoint: FeedCheckpoint;
}

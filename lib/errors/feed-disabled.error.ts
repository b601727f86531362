import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** The global feed was read, but the module was configured with `feed: false`. */
export class FeedDisabledError extends EventStoreError {
  readonly code = EventStoreErrorCode.FEED_DISABLED;

  constructor() {
    super(
      'The feed is turned off (`feed: false` in the options of DynamoEventSourcingModule.forRoot()), so commits are not indexed ' +
        'and replayAll$ and projections cannot read them. Remove `feed: false` (and add the feed index to the events table) to use them.',
    );
  }
}

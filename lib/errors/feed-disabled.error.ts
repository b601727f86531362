import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** The global feed was read, but the module was configured with `feed: false`. */
export class FeedDisabledError extends EventStoreError {
  readonly code = EventStoreErrorCode.FEED_DISABLED;

  constructor() {
    super(
      'The feed is turned off (`feed: false` in the options of DynamoEventSourcingModule.forRoot()), so commits are not indexed ' +
        'and replayAll$ and projections cannot read them. Remove `feed: false` to use them (the events table then needs its DynamoDB Stream: `tableSetup: \'create\'` enables it).',
    );
  }
}

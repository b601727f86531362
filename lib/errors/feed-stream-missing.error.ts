import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** The feed is on, but the events table has no DynamoDB Stream for the indexer to read. */
export class FeedStreamMissingError extends EventStoreError {
  readonly code = EventStoreErrorCode.FEED_STREAM_MISSING;

  constructor(readonly tableName: string) {
    super(
      `The events table "${tableName}" has no DynamoDB Stream, which the feed is built from. ` +
        'For a table written by 0.3, run `nestjs-dynamo-es feed migrate` (it enables the stream and indexes the existing commits); ' +
        "otherwise start with `tableSetup: 'create'`, or enable the stream yourself (StreamViewType NEW_IMAGE). Or turn the feed off with `feed: false`.",
    );
  }
}

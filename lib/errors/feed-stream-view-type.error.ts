import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * The feed indexer was given stream records it cannot index: records without the new item image
 * (the events table's stream has view type `KEYS_ONLY` or `OLD_IMAGE`), or records that are not of
 * an events table at all (a Lambda function wired to another table's stream, or to another kind of
 * event source). Nothing was indexed from the record; the message names the fix.
 */
export class FeedStreamViewTypeError extends EventStoreError {
  readonly code = EventStoreErrorCode.FEED_STREAM_VIEW_TYPE;

  private constructor(
    message: string,
    /** The stream's view type as the record gave it, when it did. */
    readonly viewType: string | undefined,
    /** Why the record was refused. */
    readonly reason: 'no-new-image' | 'not-an-event-item',
    /** Where the record came from: a stream ARN, or `shard <id>` when only that is known. */
    readonly source: string | undefined,
  ) {
    super(message);
  }

  /** An INSERT record without `NewImage`: the stream's view type does not carry it. */
  static withoutNewImage(viewType: string | undefined, source: string | undefined): FeedStreamViewTypeError {
    return new FeedStreamViewTypeError(
      `The feed indexer got an INSERT record without the new item image${from(source)}: the events table's DynamoDB Stream has view type ` +
        `${viewType ?? '(not given)'}, and the indexer needs NEW_IMAGE (or NEW_AND_OLD_IMAGES) to read each commit from its record. ` +
        'Run `nestjs-dynamo-es feed migrate` (it sets the stream up), or change the stream with UpdateTable: disable it, then enable it with ' +
        "StreamViewType 'NEW_IMAGE' (a stream's view type cannot be changed in place; the indexer then reconciles the commits written in between).",
      viewType,
      'no-new-image',
      source,
    );
  }

  /** A record whose item lacks the events table's attributes: the indexer reads the wrong stream. */
  static notAnEventItem(missing: string, source: string | undefined): FeedStreamViewTypeError {
    return new FeedStreamViewTypeError(
      `The feed indexer got a record${from(source)} that is not of an events table item (${missing}). ` +
        "Point the indexer (or the Lambda function's event source mapping) at the DynamoDB Stream of the events table.",
      undefined,
      'not-an-event-item',
      source,
    );
  }
}

const from = (source: string | undefined): string => (source === undefined ? '' : ` from ${source}`);

import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * A checkpoint that this table's feed cannot resume from: one written by 0.3's time-ordered feed
 * (`reason: 'outdated'`), or one given by the feed index of another table (`'other-index'`).
 * Nothing was read; the error names the way on.
 */
export class FeedCheckpointMismatchError extends EventStoreError {
  readonly code = EventStoreErrorCode.FEED_CHECKPOINT_MISMATCH;

  private constructor(
    message: string,
    readonly checkpoint: string,
    readonly reason: 'outdated' | 'other-index',
  ) {
    super(message);
  }

  static outdated(checkpoint: string): FeedCheckpointMismatchError {
    return new FeedCheckpointMismatchError(
      `Checkpoint "${checkpoint}" is from the commit-time feed of version 0.3, which 0.4 replaced by a feed on DynamoDB Streams. ` +
        'Run `nestjs-dynamo-es feed migrate` once: it builds the new feed index and converts the checkpoints stored in the projections table. ' +
        'A checkpoint kept elsewhere: convert it with `nestjs-dynamo-es feed convert-checkpoint <checkpoint>`, or replay from FEED_START.',
      checkpoint,
      'outdated',
    );
  }

  static otherIndex(checkpoint: string, indexId: string, tableName: string): FeedCheckpointMismatchError {
    return new FeedCheckpointMismatchError(
      `Checkpoint "${checkpoint}" was given by another feed index than that of table "${tableName}" (index ${indexId}): ` +
        'it is from another table, or from before this feed index was rebuilt. Replay from FEED_START (rebuild the projection).',
      checkpoint,
      'other-index',
    );
  }
}

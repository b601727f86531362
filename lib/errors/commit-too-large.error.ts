import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** The events of one append do not fit in one DynamoDB transaction (4 MB, 100 items). */
export class CommitTooLargeError extends EventStoreError {
  readonly code = EventStoreErrorCode.COMMIT_TOO_LARGE;

  constructor(
    readonly streamId: string,
    readonly eventCount: number,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `Commit of ${eventCount} events to stream "${streamId}" takes ${sizeBytes} bytes stored, over the ` +
        `${limitBytes}-byte limit of one atomic DynamoDB transaction. Nothing was written; split it into several appends.`,
    );
  }
}

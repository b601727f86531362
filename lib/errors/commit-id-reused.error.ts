import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** A commit id that is already stored was sent again with different events. */
export class CommitIdReusedError extends EventStoreError {
  readonly code = EventStoreErrorCode.COMMIT_ID_REUSED;

  constructor(
    readonly streamId: string,
    readonly commitId: string,
  ) {
    super(
      `Commit "${commitId}" is already stored in stream "${streamId}" with different events. ` +
        `A commit id identifies one commit: use a new one for new events. Nothing was written.`,
    );
  }
}

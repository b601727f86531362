import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * The stream was hard-deleted: it can never be read or appended to again (its id stays taken).
 * Nothing was written. Raised by appends at any expected version, by reads, and by a second delete.
 */
export class StreamDeletedError extends EventStoreError {
  readonly code = EventStoreErrorCode.STREAM_DELETED;

  constructor(
    readonly streamId: string,
    /** The stream's last version when it was deleted. */
    readonly deletedVersion: number,
    /** When it was deleted (by the deleting process's clock), when known. */
    readonly deletedAt?: Date,
  ) {
    super(
      `Stream "${streamId}" was hard-deleted at version ${deletedVersion}` +
        (deletedAt === undefined ? '' : ` on ${deletedAt.toISOString()}`) +
        '; it cannot be read or appended to again. Nothing was written. Use a new stream id.',
    );
  }
}

import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** A read found the stored items of a stream not contiguous, even after re-reading. */
export class StreamIntegrityError extends EventStoreError {
  readonly code = EventStoreErrorCode.STREAM_INTEGRITY;

  constructor(
    readonly streamId: string,
    message: string,
  ) {
    super(`Stream "${streamId}" is not contiguous: ${message}`);
  }
}

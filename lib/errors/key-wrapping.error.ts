import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * A subject's data key could not be made or unwrapped by the key wrapping (AWS KMS, or the local
 * key): access denied, a disabled or unknown KMS key, a wrapped key that belongs to another key.
 * `cause` holds the underlying error. Nothing was written.
 */
export class KeyWrappingError extends EventStoreError {
  readonly code = EventStoreErrorCode.KEY_WRAPPING_FAILED;

  constructor(
    /** `GenerateDataKey`, `Decrypt`, `local unwrap`, ... */
    readonly operation: string,
    readonly subjectId: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} of the data key of subject "${subjectId}" failed: ${problem}. Nothing was written.`, options);
  }
}

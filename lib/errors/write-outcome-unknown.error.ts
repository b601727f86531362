import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * A write other than an append (a snapshot save, a projection checkpoint) was sent, but no answer
 * came back even after the module's retries: it may have been applied or not. The message says
 * why repeating it is safe.
 */
export class WriteOutcomeUnknownError extends EventStoreError {
  readonly code = EventStoreErrorCode.WRITE_OUTCOME_UNKNOWN;

  constructor(
    readonly operation: string,
    readonly attempts: number,
    readonly lastErrorName: string,
    advice: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: the outcome is unknown; DynamoDB last answered ${lastErrorName} after ${attempts} attempts. ${advice}`, options);
  }
}

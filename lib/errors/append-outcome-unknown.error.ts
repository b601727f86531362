import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * An append was sent, but no answer came back (a timeout, a dropped connection, a 5xx) even after
 * the module's retries: the commit may be stored or not. Retrying the append with
 * `commitId: error.commitId`, the same events and the same expected version is safe: if the commit
 * was stored, the retry returns it with `duplicate: true` and writes nothing.
 */
export class AppendOutcomeUnknownError extends EventStoreError {
  readonly code = EventStoreErrorCode.APPEND_OUTCOME_UNKNOWN;

  constructor(
    readonly streamId: string,
    /** The commit's id: the caller's, or the one generated for this append. Pass it as `commitId` to retry. */
    readonly commitId: string,
    readonly attempts: number,
    readonly lastErrorName: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Append to stream "${streamId}": whether commit "${commitId}" was stored is unknown; DynamoDB last answered ` +
        `${lastErrorName} after ${attempts} attempts. Retry the append with { commitId: "${commitId}" }, the same events ` +
        `and the same expected version: it is stored at most once (a stored commit comes back with duplicate: true).`,
      options,
    );
  }
}

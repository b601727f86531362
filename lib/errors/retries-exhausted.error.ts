import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** DynamoDB kept answering with a transient error (throttling, transaction conflict) until the retry budget ran out. */
export class RetriesExhaustedError extends EventStoreError {
  readonly code = EventStoreErrorCode.RETRIES_EXHAUSTED;

  constructor(
    readonly operation: string,
    readonly attempts: number,
    readonly lastErrorName: string,
    options?: {
      cause?: unknown;
      /** What the caller can do about it; by default, the advice for appends. */
      advice?: string;
    },
  ) {
    super(
      `${operation} failed after ${attempts} attempts; DynamoDB last answered ${lastErrorName}. ` +
        `Retries ran out (see the \`retry\` option). ` +
        (options?.advice ??
          'Whether anything was written is known only if the append carried a commitId: retrying with the same commitId is safe.'),
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
  }
}

import type { ExpectedVersion } from '../event-store/expected-version.js';
import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * The stream was not at the version the append expected: another writer got there first,
 * or the caller passed a version that is not the end of a commit. Nothing was written.
 */
export class ConcurrencyError extends EventStoreError {
  readonly code = EventStoreErrorCode.CONCURRENCY;

  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    /** The stream's version when the conflict was detected (0 for a stream with no events). */
    readonly actualVersion: number,
  ) {
    super(
      `Concurrency conflict on stream "${streamId}": expected version ${JSON.stringify(expectedVersion)}, ` +
        `but the stream is at version ${actualVersion}. Nothing was written; reload the stream and retry.`,
    );
  }
}

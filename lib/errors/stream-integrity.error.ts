import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** What a read found wrong with the stored items of a stream. */
export type StreamIntegrityProblem =
  /** Two items hold some of the same versions. */
  | 'overlap'
  /** Versions are missing between two items (or before the first), even after reading again. */
  | 'gap'
  /** A commit split over several items is missing some of them, or is interleaved with another commit. */
  | 'incomplete-commit';

/** The two stored items a read found not to follow on from each other. */
export interface StreamIntegrityDetails {
  readonly problem: StreamIntegrityProblem;
  /** The first version concerned: the first one held twice, the first one missing, or the first one of the foreign item. */
  readonly version: number;
  /** The item read first (in the read's direction), when there is one. */
  readonly first?: StoredItemRef;
  /** The item that does not follow on from it. */
  readonly second?: StoredItemRef;
}

/** One stored item of the events table, as an error names it. */
export interface StoredItemRef {
  readonly commitId: string;
  readonly firstVersion: number;
  readonly lastVersion: number;
}

/**
 * A read found the stored items of a stream not contiguous: overlapping items, a gap that reading
 * again did not close, or an incomplete commit. Nothing of the read past that point is returned:
 * a stream is never handed out stitched from different commits or cut short. The table was changed
 * outside the module (an item deleted, lost or restored); see README, "Repairing a stream".
 */
export class StreamIntegrityError extends EventStoreError {
  readonly code = EventStoreErrorCode.STREAM_INTEGRITY;

  constructor(
    readonly streamId: string,
    message: string,
    /** Which items, when the read could tell. */
    readonly details?: StreamIntegrityDetails,
  ) {
    super(`Stream "${streamId}" is not contiguous: ${message}`);
  }
}

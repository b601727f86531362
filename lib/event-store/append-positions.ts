import { ConcurrencyError } from '../errors/concurrency.error.js';
import { StreamDeletedError } from '../errors/stream-deleted.error.js';
import type { EventItemHeader } from './event-item.codec.js';
import type { EventStreamTable, StreamHead } from './event-stream-table.js';
import { ANY, NO_STREAM, STREAM_EXISTS, type ExpectedVersion } from './expected-version.js';
import type { StreamBoundaryCache } from './stream-boundary-cache.js';

/**
 * Where an append lands (and when the commit before it was written, when there is one), or the
 * stored commit it turns out to repeat.
 */
export type Position =
  | {
      start: number;
      previousAt?: number;
      duplicateOf?: undefined;
      /** The cached boundary the position relies on (no head read). */
      trusted?: number;
      /** When the head read it relies on was sent (the boundary cache's clock); undefined for a blind write at key 1. */
      observedAt?: number;
    }
  | { start?: undefined; duplicateOf: EventItemHeader };

/** The shortest {@link writeWindowMs}: with `boundaryCache: false` (trustMs 0), a write still gets this long after its head read. */
const MIN_WRITE_WINDOW_MS = 500;

/**
 * How long after the head read it relies on a write may still be sent (each attempt, the SDK's own
 * retries included): `trustMs`, at least 500 ms. After that the append reads the head again. A
 * deletion's purge fence is never shorter, so no write can land among items it deleted.
 */
export const writeWindowMs = (trustMs: number): number => Math.max(trustMs, MIN_WRITE_WINDOW_MS);

/** The version readers see: 0 for a soft-deleted stream not appended to since (its head is the tombstone). */
export const visibleVersion = (head: StreamHead): number => (head.item?.deleted === 'soft' ? 0 : head.version);

/**
 * Where an append lands: right after a boundary the cache trusts, at version 1 for a new stream,
 * or after the stream's head (one strongly consistent Query), which also tells a deleted stream
 * (its tombstone) and a retried commit (its id at the head).
 */
export class AppendPositions {
  constructor(
    private readonly table: EventStreamTable,
    private readonly boundaries: StreamBoundaryCache,
    /** `boundaryCache: false`: read the head before every append, `NO_STREAM` ones too. */
    private readonly verifyEveryAppend: boolean,
  ) {}

  /** The version the commit's first event gets, from the expected version and, where needed, the stream's head. */
  async of(streamId: string, expected: ExpectedVersion, callerCommitId?: string, readHead = false): Promise<Position> {
    if ((expected === NO_STREAM || expected === 0) && !this.verifyEveryAppend && !readHead) return { start: 1 };
    if (typeof expected === 'number' && !readHead && this.boundaries.trusts(streamId, expected)) {
      return { start: expected + 1, previousAt: this.boundaries.committedAtOf(streamId, expected), trusted: expected };
    }

    const observedAt = this.boundaries.time();
    const head = await this.table.head(streamId);
    if (head.item !== undefined) this.boundaries.observe(streamId, head.item);
    if (head.item?.deleted === 'hard') throw new StreamDeletedError(streamId, head.version - 1, new Date(head.item.committedAt));
    if (head.item?.deleted === 'soft') {
      // Soft-deleted (and not appended to since): it reads as empty, and continues after its tombstone (as EventStoreDB's do).
      if (callerCommitId !== undefined && head.version > 1) {
        // A retry of the commit the deletion came right after: it landed, and is not written again.
        const [before] = await this.table.itemsHolding(streamId, head.version - 1);
        if (before?.commitId === callerCommitId) return { duplicateOf: before };
      }
      if (expected === ANY || expected === NO_STREAM || expected === 0) return { start: head.version + 1, previousAt: head.item.committedAt, observedAt };
      throw new ConcurrencyError(streamId, expected, 0);
    }
    // The stream's end is below a boundary seen before: items were deleted or lost since; what was known is void.
    if (head.version < (this.boundaries.highest(streamId) ?? 0)) this.boundaries.forget(streamId);
    if (callerCommitId !== undefined && head.item?.commitId === callerCommitId) return { duplicateOf: head.item };
    const previousAt = head.item?.committedAt;
    if (expected === ANY) return { start: head.version + 1, previousAt, observedAt };
    if (expected === STREAM_EXISTS) {
      if (head.version === 0) throw new ConcurrencyError(streamId, expected, 0);
      return { start: head.version + 1, previousAt, observedAt };
    }
    if (expected === NO_STREAM) expected = 0; // read only with `boundaryCache: false`
    if (head.version === expected) {
      // A split commit's last item, if the Query showed it (read-committed): only an item that ends its commit anchors a read.
      if (head.item !== undefined && head.item.lastVersion === expected) this.boundaries.remember(streamId, head.item, observedAt);
      return { start: expected + 1, previousAt, observedAt };
    }
    if (callerCommitId !== undefined && head.version > expected) {
      // A retry of a commit that did land at expected + 1, with others appended since.
      const stored = await this.table.get(streamId, expected + 1);
      if (stored?.commitId === callerCommitId) return { duplicateOf: stored };
    }
    throw new ConcurrencyError(streamId, expected, head.version);
  }
}

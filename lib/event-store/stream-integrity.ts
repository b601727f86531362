import { StreamIntegrityError, type StoredItemRef } from '../errors/stream-integrity.error.js';
import { commitEnd, type EventItemHeader } from './event-item.codec.js';

/**
 * The checks every read applies to consecutive items of a stream: each item starts one past the
 * previous one's last version, and the items of a split commit are consecutive and of that commit.
 * An overlap or a foreign item inside a split commit cannot come from DynamoDB's read-committed
 * isolation (items are never changed), so it fails at once; a gap may (a transaction's later items
 * not visible yet), so the caller reads again before it gives up.
 */
export type Continuity = 'follows' | 'gap';

/** Whether `item` follows on from `previous` (the item before it, or undefined for the stream's first item). */
export function followsForward(streamId: string, previous: EventItemHeader | undefined, item: EventItemHeader): Continuity {
  const expected = previous === undefined ? 1 : previous.lastVersion + 1;
  if (item.version < expected) throw overlap(streamId, previous!, item, item.version);
  if (previous !== undefined && commitEnd(previous) > previous.lastVersion && item.version === expected && !sameCommit(previous, item)) {
    throw incompleteCommit(streamId, previous, item);
  }
  return item.version === expected ? 'follows' : 'gap';
}

/** Whether `item` comes right before `later` (reading backward). */
export function precedesBackward(streamId: string, later: EventItemHeader, item: EventItemHeader): Continuity {
  const expected = later.version - 1;
  if (item.lastVersion > expected) throw overlap(streamId, item, later, later.version);
  if (commitEnd(item) > item.lastVersion && item.lastVersion === expected && !sameCommit(item, later)) {
    throw incompleteCommit(streamId, item, later);
  }
  return item.lastVersion === expected ? 'follows' : 'gap';
}

/** The error for a gap that reading again did not close. */
export function gapError(streamId: string, missing: number, before?: EventItemHeader, after?: EventItemHeader): StreamIntegrityError {
  const around =
    before !== undefined && after !== undefined
      ? `: ${describe(before)} ends at ${before.lastVersion} and the next item, ${describe(after)}, starts at ${after.version}`
      : after !== undefined
        ? `: the first item there, ${describe(after)}, starts at ${after.version}`
        : before !== undefined
          ? `: ${describe(before)} ends at ${before.lastVersion} and its commit continues to ${commitEnd(before)}`
          : '';
  return new StreamIntegrityError(streamId, `version ${missing} is missing${around}. Reading again did not close the gap.`, {
    problem: 'gap',
    version: missing,
    first: before && ref(before),
    second: after && ref(after),
  });
}

function overlap(streamId: string, first: EventItemHeader, second: EventItemHeader, version: number): StreamIntegrityError {
  return new StreamIntegrityError(
    streamId,
    `items overlap: ${describe(first)} holds versions ${first.version}-${first.lastVersion} and ${describe(second)} holds ` +
      `${second.version}-${second.lastVersion}. Two commits were written over the same versions after an item was deleted, ` +
      `lost or restored outside this module; nothing past version ${version - 1} is returned (see README, "Repairing a stream").`,
    { problem: 'overlap', version, first: ref(first), second: ref(second) },
  );
}

function incompleteCommit(streamId: string, slice: EventItemHeader, foreign: EventItemHeader): StreamIntegrityError {
  return new StreamIntegrityError(
    streamId,
    `${describe(slice)} is split over several items up to version ${commitEnd(slice)}, but version ${foreign.version} is held ` +
      `by ${describe(foreign)} (versions ${foreign.version}-${foreign.lastVersion}).`,
    { problem: 'incomplete-commit', version: foreign.version, first: ref(slice), second: ref(foreign) },
  );
}

const sameCommit = (a: EventItemHeader, b: EventItemHeader) => a.commitId === b.commitId && commitEnd(a) === commitEnd(b);
const describe = (item: EventItemHeader) => `commit "${item.commitId}"`;
const ref = (item: EventItemHeader): StoredItemRef => ({ commitId: item.commitId, firstVersion: item.version, lastVersion: item.lastVersion });

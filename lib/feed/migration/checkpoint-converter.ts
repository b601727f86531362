import { FEED_START, formatCheckpoint, type FeedCheckpoint } from '../feed-checkpoint.js';
import type { IndexedCommit } from '../index/indexed-commit.js';
import { placeCommit, type CommitPlacement, type LegacyCheckpoint } from './legacy-checkpoint.js';

/** An indexed commit, its position and its commit time. */
export interface PlacedCommit {
  readonly position: number;
  readonly commit: IndexedCommit;
  readonly at: number;
}

/** The same, with whether 0.3's feed held it (its first item has `feedShard`). */
export interface FedCommit extends PlacedCommit {
  readonly fed: boolean;
}

/** What the conversion reads of the feed index. */
export interface IndexedCommitSource {
  /**
   * Positions 1 to `sortedThrough` hold commits of 0.3's feed in its order (commit time, stream id,
   * version): the part `feed migrate` built from a 0.3 table before any 0.4 writer could write (its
   * `migratedThrough`). 0 when no part is known to be.
   */
  readonly sortedThrough: number;
  /** The commit at `position` (1 to the index's last position). */
  commitAt(position: number): Promise<PlacedCommit>;
  /** The commits from `position` on, in position order, to the index's head. */
  commitsFrom(position: number): AsyncIterable<FedCommit>;
}

/** A place in the feed index: after the whole commit at `position`, or after its event `version`; position 0 is the start. */
export interface ConvertedPosition {
  readonly position: number;
  readonly version?: number;
}

/**
 * The last position from 1 to `through` whose commit `placed` does not put after (0 if none), and
 * that commit's placement, by bisection (about log2(through) reads): right when the placements over
 * 1..through run "not after" then "after", as over commits in 0.3's order.
 */
export async function bisect(
  source: Pick<IndexedCommitSource, 'commitAt'>,
  through: number,
  place: (commit: PlacedCommit) => CommitPlacement,
): Promise<{ position: number; placement?: CommitPlacement }> {
  // Invariant: positions up to `low` are not after (0 is the start); positions from `high` are.
  let low = 0;
  let lowPlacement: CommitPlacement | undefined;
  let high = through + 1;
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    const placement = place(await source.commitAt(middle));
    if (placement.kind === 'after') {
      high = middle;
    } else {
      low = middle;
      lowPlacement = placement;
    }
  }
  return { position: low, placement: lowPlacement };
}

/**
 * Where a 0.3 checkpoint falls in the feed index: the longest run of positions from 1 whose commits
 * are all at or before the checkpoint in 0.3's order (and were in 0.3's feed), plus the named event
 * when the run ends inside a multi-event commit. A reader resuming there gets every commit the 0.3
 * reader had not handled, and exactly what follows the named event when the index holds the
 * commits in 0.3's order (as `feed migrate` builds it); a commit indexed out of that order after
 * the run comes again rather than never (projections are at-least-once: handlers are idempotent).
 *
 * Positions 1 to `sortedThrough` are searched by bisection; past them, commits are read one by one
 * until the first that comes after the checkpoint or was not in 0.3's feed.
 */
export async function convertLegacyPosition(checkpoint: LegacyCheckpoint, source: IndexedCommitSource): Promise<ConvertedPosition> {
  const found = await bisect(source, source.sortedThrough, ({ commit, at }) => placeCommit(commit, at, checkpoint));
  if (found.placement?.kind === 'partial') return { position: found.position, version: found.placement.version };
  if (found.position < source.sortedThrough) return { position: found.position };
  // Past the sorted part (or without one): the run goes on while commits are covered.
  let last = found.position;
  for await (const { position, commit, at, fed } of source.commitsFrom(source.sortedThrough + 1)) {
    const placement = placeCommit(commit, at, checkpoint, fed);
    if (placement.kind === 'after') break;
    if (placement.kind === 'partial') return { position, version: placement.version };
    last = position;
  }
  return { position: last };
}

/** The 0.4 checkpoint of a converted position. */
export function checkpointOf(indexId: string, converted: ConvertedPosition): FeedCheckpoint {
  return converted.position === 0 ? FEED_START : formatCheckpoint(indexId, converted.position, converted.version);
}

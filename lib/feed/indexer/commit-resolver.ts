import { StreamIntegrityError } from '../../errors/stream-integrity.error.js';
import { commitEnd, type EventItemHeader } from '../../event-store/event-item.codec.js';
import type { EventStreamTable } from '../../event-store/event-stream-table.js';
import { backoffDelay, sleep, type RetryOptions } from '../../event-store/retry-policy.js';
import { isPurgeStub } from '../../lifecycle/stream-metadata-item.codec.js';
import type { IndexedCommit } from '../index/indexed-commit.js';

/** Reads of a transaction's items may show part of it (read-committed): read again this many times. */
const MAX_REREADS = 5;

/**
 * Turns items of the events table into commits for the index, reading the table where records
 * alone cannot tell: the commits in a range of versions (to fill a gap), and the whole of a
 * commit split over several items. Every read is strongly consistent. A stream's metadata item
 * (sort key 0) is never read, and a purge stub (key 1 of a purged stream, standing for the purged
 * versions) keeps the chain of items contiguous but is no commit: purged commits are not indexed.
 */
export class CommitResolver {
  constructor(
    private readonly table: EventStreamTable,
    private readonly retry: Required<RetryOptions>,
  ) {}

  /**
   * The commits of a stream from version `from` (which must start a commit) through `through`
   * (which must end one), in version order, each complete.
   */
  async commitsBetween(streamId: string, from: number, through: number): Promise<IndexedCommit[]> {
    for (let reread = 0; ; reread++) {
      const items: EventItemHeader[] = [];
      for await (const page of this.table.pages(streamId, { lower: from, upper: through, forward: true })) items.push(...page);
      if (from > 1 && (items[0] === undefined || items[0].version > from)) {
        // `from` may lie in a purged part of the stream, which a stub (at the first key of each purged run) stands for.
        const [stub] = await this.table.itemsHolding(streamId, from);
        if (stub !== undefined && isPurgeStub(stub) && stub.lastVersion >= from) {
          if (stub.lastVersion >= through) return [];
          return this.commitsBetween(streamId, stub.lastVersion + 1, through);
        }
      }
      const { commits, reached } = groupCommits(streamId, items, from);
      if (reached >= through) return commits.filter((commit) => commit.commitEnd <= through);
      if (reread >= MAX_REREADS) {
        throw new StreamIntegrityError(streamId, `the indexer found versions ${from}-${through} incomplete in the table (it holds up to ${reached}).`);
      }
      await sleep(backoffDelay(reread + 1, this.retry));
    }
  }

  /** The whole commit that `item` (any of its slices) belongs to. */
  async commitOf(item: EventItemHeader): Promise<IndexedCommit> {
    let first = item.version;
    // Walk back over the commit's earlier slices (at most 99 more: a transaction holds 100 items).
    if (item.commitLastVersion !== undefined) {
      for await (const page of this.table.pages(item.streamId, { lower: 1, upper: item.version - 1, forward: false, pageSize: 100 })) {
        let ended = false;
        for (const earlier of page) {
          if (earlier.commitId !== item.commitId) {
            ended = true;
            break;
          }
          first = earlier.version;
        }
        if (ended) break;
      }
    }
    const [commit] = await this.commitsBetween(item.streamId, first, commitEnd(item));
    return commit!;
  }
}

/**
 * Groups consecutive items into complete commits, checking that they follow each other with no gap
 * or overlap; `reached` is the last version they account for (complete commits and purged versions).
 */
function groupCommits(streamId: string, items: readonly EventItemHeader[], from: number): { commits: IndexedCommit[]; reached: number } {
  const commits: Array<{ version: number; commitEnd: number; commitId: string; slices: number[]; seenTo: number }> = [];
  let expected = from;
  let reached = from - 1;
  for (const item of items) {
    if (item.version > expected) break; // not visible yet (read-committed): the caller reads again
    if (item.version < expected) {
      throw new StreamIntegrityError(streamId, `the item at versions ${item.version}-${item.lastVersion} overlaps the one before it (expected version ${expected}).`);
    }
    const open = commits.at(-1);
    if (isPurgeStub(item) && (open === undefined || open.seenTo >= open.commitEnd)) {
      expected = item.lastVersion + 1; // purged versions: nothing to index
      reached = item.lastVersion;
      continue;
    }
    if (open !== undefined && open.seenTo < open.commitEnd) {
      if (item.commitId !== open.commitId) {
        throw new StreamIntegrityError(streamId, `commit "${open.commitId}" (versions ${open.version}-${open.commitEnd}) is interrupted by commit "${item.commitId}" at version ${item.version}.`);
      }
      open.slices.push(item.version);
      open.seenTo = item.lastVersion;
    } else {
      commits.push({ version: item.version, commitEnd: commitEnd(item), commitId: item.commitId, slices: [], seenTo: item.lastVersion });
    }
    expected = item.lastVersion + 1;
    const last = commits.at(-1)!;
    if (last.seenTo === last.commitEnd) reached = last.commitEnd;
  }
  const complete = commits
    .filter((commit) => commit.seenTo === commit.commitEnd)
    .map(({ version, commitEnd: end, slices }) => (slices.length > 0 ? { streamId, version, commitEnd: end, slices } : { streamId, version, commitEnd: end }));
  return { commits: complete, reached };
}

import { StreamIntegrityError } from '../errors/stream-integrity.error.js';
import { FEED_INDEX_STREAM } from './index/feed-index-keys.js';
import type { FeedIndexTable } from './index/feed-index-table.js';
import type { IndexBatch } from './index/index-batch.js';
import type { PositionedCommit } from './index/indexed-commit.js';

/**
 * Index batches per Query. A batch holds many commits (a few dozen bytes each), and a Query
 * returns at most 1 MB whatever the limit: a handful of batches is plenty of read-ahead, and the
 * buffer stays small.
 */
const BATCHES_PER_QUERY = 10;

/**
 * The commits of the feed index from one position up to a fixed last one, in position order, read
 * a few batches at a time. Reads are eventually consistent (half the price); each answer is
 * checked to go on exactly where the last one ended, and an answer that does not (a replica that
 * lags behind the head the read started from, or a start inside a batch) is read again strongly.
 */
export class FeedIndexCursor {
  private buffer: PositionedCommit[] = [];
  private at = 0;

  /**
   * @param next the first position to deliver.
   * @param last the last position to deliver: the index head when the read started (read strongly,
   *   so every position up to it exists).
   */
  constructor(
    private readonly index: FeedIndexTable,
    private next: number,
    private readonly last: number,
  ) {}

  /** The next commit, or undefined past the last position. */
  async read(): Promise<PositionedCommit | undefined> {
    if (this.at === this.buffer.length) {
      if (this.next > this.last) return undefined;
      await this.fill();
    }
    return this.buffer[this.at++];
  }

  private async fill(): Promise<void> {
    const start = this.next;
    let batches = contiguousFrom(start, await this.index.batchesFrom(start, BATCHES_PER_QUERY, false));
    if (batches.length === 0) {
      // The replica lags (the head was read strongly, so the batch exists), or `start` is inside a batch.
      const holding = await this.index.batchHolding(start);
      if (holding === undefined) throw missingPosition(start, this.last);
      batches = [checkedShape(holding)];
    }
    this.buffer = [];
    this.at = 0;
    for (const batch of batches) {
      batch.commits.forEach((commit, offset) => {
        const position = batch.position + offset;
        if (position >= start && position <= this.last) this.buffer.push({ ...commit, position });
      });
    }
    this.next = batches.at(-1)!.lastPosition + 1;
  }
}

/** The leading batches that go on gap-free from `start` (the first one starting exactly there). */
function contiguousFrom(start: number, batches: readonly IndexBatch[]): IndexBatch[] {
  const taken: IndexBatch[] = [];
  let expected = start;
  for (const batch of batches) {
    if (batch.position !== expected) break;
    taken.push(checkedShape(batch));
    expected = batch.lastPosition + 1;
  }
  return taken;
}

/** A batch holds one commit per position it spans; anything else was not written by an indexer. */
function checkedShape(batch: IndexBatch): IndexBatch {
  const span = batch.lastPosition - batch.position + 1;
  if (span !== batch.commits.length || span < 1) {
    throw new StreamIntegrityError(
      FEED_INDEX_STREAM,
      `the feed index batch at position ${batch.position} spans positions ${batch.position}-${batch.lastPosition} but holds ${batch.commits.length} commit(s).`,
      { problem: 'gap', version: batch.position },
    );
  }
  return batch;
}

/** A position up to the head that no batch holds, read strongly: the index has a hole. */
function missingPosition(position: number, head: number): StreamIntegrityError {
  return new StreamIntegrityError(
    FEED_INDEX_STREAM,
    `position ${position} is missing from the feed index (its head, read before, is at ${head}): no batch holds it. ` +
      'The index was changed or restored outside the module.',
    { problem: 'gap', version: position },
  );
}

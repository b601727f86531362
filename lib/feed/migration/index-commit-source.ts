import type { IndexBatch } from '../index/index-batch.js';
import type { FeedIndexTable } from '../index/feed-index-table.js';
import type { FedCommit, IndexedCommitSource, PlacedCommit } from './checkpoint-converter.js';
import { MAX_BATCH_GET_KEYS, type CommitTime, type CommitTimes } from './commit-times.js';

/** Commit times kept for the next conversion (about 50 bytes each). */
const MAX_CACHED_TIMES = 1_000_000;
/** Batches read per Query while walking the index. */
const BATCHES_PER_READ = 10;

/**
 * The feed index and the commit times of the events table, as the checkpoint conversion reads
 * them. What it reads is kept for the next conversion (several checkpoints probe the same
 * positions): a CLI run converts a projections table's worth, not more.
 */
export class IndexCommitSource implements IndexedCommitSource {
  private readonly batches = new Map<number, IndexBatch>();
  private readonly times = new Map<number, number>();
  private readonly fedTimes = new Map<number, CommitTime>();

  constructor(
    private readonly index: FeedIndexTable,
    private readonly commitTimes: CommitTimes,
    readonly sortedThrough: number,
  ) {}

  async commitAt(position: number): Promise<PlacedCommit> {
    const batch = await this.batchHolding(position);
    const commit = batch.commits[position - batch.position]!;
    let at = this.times.get(position) ?? this.fedTimes.get(position)?.at;
    if (at === undefined) {
      at = await this.commitTimes.of(commit);
      this.times.set(position, at);
    }
    return { position, commit, at };
  }

  async *commitsFrom(position: number): AsyncGenerator<FedCommit> {
    const first = await this.index.batchHolding(position);
    if (first === undefined) return;
    let pending: IndexBatch[] = [first];
    let next = position;
    while (pending.length > 0) {
      for (const batch of pending) {
        // Batches are contiguous; one that is not where expected means the index ends before it (read again next time).
        if (batch.position > next || batch.lastPosition < next) return;
        for (let start = next; start <= batch.lastPosition; start += MAX_BATCH_GET_KEYS) {
          const end = Math.min(batch.lastPosition, start + MAX_BATCH_GET_KEYS - 1);
          const commits = batch.commits.slice(start - batch.position, end - batch.position + 1);
          const times = this.cachedTimes(start, commits.length) ?? (await this.commitTimes.ofAll(commits));
          for (let i = 0; i < commits.length; i++) {
            if (this.fedTimes.size < MAX_CACHED_TIMES) this.fedTimes.set(start + i, times[i]!);
            yield { position: start + i, commit: commits[i]!, ...times[i]! };
          }
        }
        next = batch.lastPosition + 1;
      }
      pending = await this.index.batchesFrom(next, BATCHES_PER_READ, true);
    }
  }

  /** The times of positions `start` on, when all are known already. */
  private cachedTimes(start: number, count: number): CommitTime[] | undefined {
    const times: CommitTime[] = [];
    for (let p = start; p < start + count; p++) {
      const at = this.fedTimes.get(p);
      if (at === undefined) return undefined;
      times.push(at);
    }
    return times;
  }

  private async batchHolding(position: number): Promise<IndexBatch> {
    for (const batch of this.batches.values()) if (batch.position <= position && position <= batch.lastPosition) return batch;
    const batch = await this.index.batchHolding(position);
    // The caller asks only for positions the index holds (1 to its recorded migratedThrough).
    if (batch === undefined) throw new RangeError(`The feed index does not hold position ${position}.`);
    this.batches.set(batch.position, batch);
    return batch;
  }
}

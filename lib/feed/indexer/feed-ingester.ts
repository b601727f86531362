import { StreamIntegrityError } from '../../errors/stream-integrity.error.js';
import { commitEnd } from '../../event-store/event-item.codec.js';
import type { EventStreamTable } from '../../event-store/event-stream-table.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { isErasedEntry } from '../index/erased-entry.js';
import type { FeedIndexTable } from '../index/feed-index-table.js';
import type { IndexBatch } from '../index/index-batch.js';
import { MAX_BATCH_COMMIT_BYTES, encodedCommitBytes } from '../index/index-batch.codec.js';
import type { IndexedCommit } from '../index/indexed-commit.js';
import { compareSequenceNumbers, type IndexerCheckpoint } from '../index/indexer-checkpoint.js';
import type { ChangeRecord } from './change-record.js';
import { CommitResolver } from './commit-resolver.js';
import { FilledStreams } from './filled-streams.js';
import type { StreamHeads } from './stream-heads.js';
import { NO_TELEMETRY } from '../../telemetry/no-telemetry.js';
import { SpanAttribute as A, SpanName } from '../../telemetry/span-names.js';
import type { Telemetry } from '../../telemetry/telemetry.js';

export interface FeedIngesterDeps {
  readonly index: FeedIndexTable;
  readonly events: EventStreamTable;
  readonly heads: StreamHeads;
  readonly retry: Required<RetryOptions>;
  /** Written on every batch, to tell one's own batch from another indexer's. */
  readonly writer: string;
  readonly logger?: { log(message: string): void; warn(message: string): void; error?(message: string): void };
  /** A span per call that writes to the index (default none). */
  readonly telemetry?: Telemetry;
}

export interface IngestOptions {
  /**
   * The shard positions reached by the read that produced the records (records of the module's own
   * items included): stored as the checkpoint when every record is taken in. Undefined for Lambda,
   * whose records carry no shard.
   */
  readonly reached?: Readonly<Record<string, string>>;
  readonly streamArn?: string;
  /** What to do when another indexer wrote at the position first: take its batch in and go on ('retry', Lambda), or throw IndexRaceLostError ('throw', the in-app indexer, which has then lost its lease). */
  readonly onRaceLost: 'retry' | 'throw';
  /** Marks the batches' checkpoints as part of a reconciliation still under way. */
  readonly reconciling?: boolean;
}

export interface IngestResult {
  /** The records whose commits are now in the index (indexed now, earlier, or by another indexer). */
  readonly taken: ReadonlySet<ChangeRecord>;
  readonly batches: readonly IndexBatch[];
}

/** Another indexer wrote at the position this one meant to write: its batch is in; this one must stop (or read on from it). */
export class IndexRaceLostError extends Error {
  constructor(readonly position: number) {
    super(`Another indexer wrote feed index position ${position} first.`);
    this.name = 'IndexRaceLostError';
  }
}

/** Ingestion failed part way: `taken` are the records whose commits did reach the index. */
export class IngestError extends Error {
  constructor(
    readonly taken: ReadonlySet<ChangeRecord>,
    cause: unknown,
  ) {
    super(`Feed indexing failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'IngestError';
  }
}

/** Races lost in a row before a Lambda invocation gives up (and is retried by its event source mapping). */
const MAX_RACES = 20;

interface Plan {
  readonly commits: IndexedCommit[];
  readonly taken: ChangeRecord[];
  /** Every record offered was taken (so the read's reached positions may be stored). */
  readonly all: boolean;
  readonly heads: Map<string, number>;
  readonly filled: FilledStreams;
}

/**
 * Appends commits to the feed index exactly once, in each stream's version order: the part of the
 * indexer shared by the in-app loop and the Lambda handler. Records are sorted per stream; a record
 * at or below its shard's checkpoint, or of a commit already indexed, is dropped; a commit that
 * arrives ahead of its stream's last indexed version + 1 has the missing commits read from the
 * table and indexed first. Each batch is one conditional PutItem at the next free position,
 * carrying the checkpoint that covers exactly the records it took in.
 */
export class FeedIngester {
  private readonly resolver: CommitResolver;
  /** The last batch of the index as this ingester knows it; null: the index is empty. */
  private head?: IndexBatch | null;
  /** The checkpoint in force: the head batch's, or one saved after it without a batch. */
  private current?: IndexerCheckpoint;
  private metaReady?: Promise<unknown>;

  private readonly telemetry: Telemetry;

  constructor(private readonly deps: FeedIngesterDeps) {
    this.resolver = new CommitResolver(deps.events, deps.retry);
    this.telemetry = deps.telemetry ?? NO_TELEMETRY;
  }

  /** The checkpoint of the last batch known (undefined before the first batch, or before the index was read). */
  get checkpoint(): IndexerCheckpoint | undefined {
    return this.current;
  }

  /** Whether the index holds no batch yet (after the index was read). */
  get empty(): boolean {
    return this.head === null;
  }

  get lastPosition(): number {
    return this.head?.lastPosition ?? 0;
  }

  /** When the last batch known was written (its writer's clock), or undefined. */
  get lastWrittenAt(): number | undefined {
    return this.head?.writtenAt;
  }

  /** Reads the index head and takes the last `positions` commits into the stream heads (cold start, takeover). */
  async warmUp(positions = 10_000): Promise<void> {
    await this.loadState();
    if (this.head === null || this.head === undefined || positions <= 0) return;
    let start = Math.max(1, this.head.lastPosition - positions + 1);
    const first = await this.deps.index.batchHolding(start);
    if (first !== undefined) start = first.position;
    await this.absorbFrom(start, this.head.lastPosition);
  }

  /** Forgets what it knew of the index (after a lost lease): the next ingest reads the head again. */
  forget(): void {
    this.head = undefined;
    this.current = undefined;
  }

  /**
   * Saves a checkpoint without a batch, after records that all turned out to be taken in already
   * (duplicates, the module's own items): it spares a restart from reading them again.
   */
  async saveCheckpoint(checkpoint: IndexerCheckpoint): Promise<void> {
    if (this.head === undefined) await this.loadState();
    await this.deps.index.saveCheckpoint(this.lastPosition, checkpoint);
    this.current = checkpoint;
  }

  /**
   * Appends the given commits (a reconciliation's, already in order and not yet indexed) in batches
   * that fit an item, each with `checkpoint`. Throws IndexRaceLostError if another indexer writes meanwhile.
   */
  appendCommits(commits: readonly IndexedCommit[], checkpoint: IndexerCheckpoint): Promise<IndexBatch[]> {
    return this.telemetry.trace(
      SpanName.feedIndex,
      () => ({ [A.commitCount]: commits.length }),
      () => this.appendInBatches(commits, checkpoint),
      (batches) => ({ [A.batchCount]: batches.length, [A.indexPosition]: this.lastPosition }),
    );
  }

  private async appendInBatches(commits: readonly IndexedCommit[], checkpoint: IndexerCheckpoint): Promise<IndexBatch[]> {
    await this.ensureMeta();
    if (this.head === undefined) await this.loadState();
    const written: IndexBatch[] = [];
    for (let start = 0; start < commits.length; ) {
      let bytes = 2;
      let end = start;
      while (end < commits.length && (end === start || bytes + encodedCommitBytes(commits[end]!) <= MAX_BATCH_COMMIT_BYTES)) bytes += encodedCommitBytes(commits[end++]!);
      const position = this.lastPosition + 1;
      const batch: IndexBatch = { position, lastPosition: position + end - start - 1, commits: commits.slice(start, end), checkpoint, writtenAt: Date.now(), writer: this.deps.writer };
      if (!(await this.write(batch))) {
        await this.catchUp();
        throw new IndexRaceLostError(position);
      }
      this.head = batch;
      this.current = checkpoint;
      for (const commit of batch.commits) this.deps.heads.set(commit.streamId, commit.commitEnd);
      written.push(batch);
      start = end;
    }
    return written;
  }

  private ensureMeta(): Promise<unknown> {
    this.metaReady ??= this.deps.index.ensureMeta().catch((error: unknown) => {
      this.metaReady = undefined;
      throw error;
    });
    return this.metaReady;
  }

  private async loadState(): Promise<void> {
    const { head, checkpoint } = await this.deps.index.state();
    this.head = head;
    this.current = checkpoint;
  }

  /**
   * Takes change records into the index, in batches (see the class comment).
   * @throws IndexRaceLostError (with `onRaceLost: 'throw'`); IngestError when it failed part way.
   */
  ingest(records: readonly ChangeRecord[], options: IngestOptions): Promise<IngestResult> {
    return this.telemetry.trace(
      SpanName.feedIndex,
      () => ({ [A.recordCount]: records.length }),
      () => this.ingestRecords(records, options),
      (result) => ({ [A.batchCount]: result.batches.length, [A.commitCount]: result.batches.reduce((sum, batch) => sum + batch.commits.length, 0), [A.indexPosition]: this.lastPosition }),
    );
  }

  private async ingestRecords(records: readonly ChangeRecord[], options: IngestOptions): Promise<IngestResult> {
    const taken = new Set<ChangeRecord>();
    const batches: IndexBatch[] = [];
    try {
      await this.ensureMeta();
      if (this.head === undefined) await this.loadState();
      let remaining = records;
      for (let races = 0; ; ) {
        const prior = this.current ?? { shards: {} };
        remaining = remaining.filter((record) => {
          if (!coveredBy(prior, record)) return true;
          taken.add(record);
          return false;
        });
        const plan = await this.planFitting(remaining, prior);
        for (const record of plan.taken) taken.add(record);
        if (plan.commits.length === 0) return { taken, batches };
        const batch = this.batchOf(plan, prior, options);
        let landed: boolean;
        try {
          landed = await this.write(batch);
        } catch (error) {
          // Not in the index: these records must be offered again (a Lambda retry, the next poll).
          for (const record of plan.taken) taken.delete(record);
          throw error;
        }
        if (landed) {
          this.head = batch;
          this.current = batch.checkpoint;
          batches.push(batch);
          for (const [streamId, version] of plan.heads) this.deps.heads.set(streamId, version);
          remaining = remaining.filter((record) => !taken.has(record));
          if (remaining.length === 0) return { taken, batches };
          continue;
        }
        for (const record of plan.taken) taken.delete(record);
        await this.catchUp();
        if (options.onRaceLost === 'throw') throw new IndexRaceLostError(batch.position);
        if (++races >= MAX_RACES) throw new IndexRaceLostError(batch.position);
      }
    } catch (error) {
      if (error instanceof IndexRaceLostError) throw error;
      throw new IngestError(taken, error);
    }
  }

  /** Plans the records; when their commits do not fit one batch item, plans a prefix (in read order) that does. */
  private async planFitting(records: readonly ChangeRecord[], prior: IndexerCheckpoint): Promise<Plan> {
    let count = records.length;
    for (;;) {
      const plan = await this.plan(records.slice(0, count), prior, count === records.length);
      const bytes = plan.commits.reduce((sum, commit) => sum + encodedCommitBytes(commit), 2);
      if (bytes <= MAX_BATCH_COMMIT_BYTES || count === 1) return plan;
      count = Math.ceil(count / 2);
    }
  }

  private async plan(records: readonly ChangeRecord[], prior: IndexerCheckpoint, all: boolean): Promise<Plan> {
    const filled = FilledStreams.from(prior.filled);
    const byStream = new Map<string, ChangeRecord[]>();
    for (const record of records) {
      const list = byStream.get(record.item.streamId);
      if (list === undefined) byStream.set(record.item.streamId, [record]);
      else list.push(record);
    }
    const commits: Array<{ commit: IndexedCommit; rank: number }> = [];
    const heads = new Map<string, number>();
    const arrival = new Map(records.map((record, index) => [record, index]));
    for (const [streamId, list] of byStream) {
      list.sort((a, b) => a.item.version - b.item.version);
      let last = newest(this.deps.heads.get(streamId), filled.version(streamId));
      // A stream's commits keep its version order; across streams, commits keep roughly the order they were read in.
      let rank = 0;
      try {
        for (const record of list) {
          rank = Math.max(rank, arrival.get(record)!);
          const item = record.item;
          const end = commitEnd(item);
          if (last !== undefined && end <= last) continue; // indexed already (a redelivery, or filled from the table)
          if (last !== undefined && item.version <= last) {
            throw new StreamIntegrityError(streamId, `commit "${item.commitId}" (versions ${item.version}-${end}) overlaps versions the feed index holds (up to ${last}).`);
          }
          const split = item.commitLastVersion !== undefined;
          let planned: IndexedCommit[];
          if (last === undefined) {
            // A stream this indexer has not seen since it started: its earlier records came before the checkpoint
            // (records of one stream come in order within a shard, and a parent shard is read before its children).
            const commit = split ? await this.resolver.commitOf(item) : { streamId, version: item.version, commitEnd: end };
            // A later slice whose first slice is not among these records: that one was taken in before, with its whole commit.
            planned = commit.version === item.version ? [commit] : [];
          } else if (item.version > last + 1 || split) {
            // Ahead of the stream's index (records out of order), or a split commit: the table says which commits these are.
            planned = await this.resolver.commitsBetween(streamId, last + 1, end);
            if (planned.length > 1 || planned[0]?.version !== item.version) filled.fill(streamId, end, Date.now());
          } else {
            planned = [{ streamId, version: item.version, commitEnd: end }];
          }
          for (const commit of planned) commits.push({ commit, rank });
          last = end;
          heads.set(streamId, last);
          filled.touch(streamId, last);
        }
      } catch (error) {
        if (!(error instanceof StreamIntegrityError)) throw error;
        // One stream changed by hand must not stop the feed of all the others: its records are passed over, loudly.
        const logger = this.deps.logger;
        (logger?.error ?? logger?.warn)?.call(
          logger,
          `Feed indexer: ${error.message} Its commits after version ${last ?? 0} are left out of the feed until the stream is repaired (README, "Repairing a stream"); then run \`nestjs-dynamo-es feed reconcile\`.`,
        );
      }
    }
    commits.sort((a, b) => a.rank - b.rank);
    return { commits: commits.map(({ commit }) => commit), taken: [...records], all, heads, filled };
  }

  private batchOf(plan: Plan, prior: IndexerCheckpoint, options: IngestOptions): IndexBatch {
    // The read's positions replace the old map (they drop shards that are gone); a partial take moves only what it took.
    const shards: Record<string, string> = plan.all && options.reached !== undefined ? { ...options.reached } : { ...prior.shards };
    if (!(plan.all && options.reached !== undefined)) {
      for (const record of plan.taken) {
        if (record.shardId === undefined) continue;
        const known = shards[record.shardId];
        if (known === undefined || compareSequenceNumbers(known, record.sequenceNumber) < 0) shards[record.shardId] = record.sequenceNumber;
      }
    }
    const checkpoint: IndexerCheckpoint = {
      streamArn: options.streamArn ?? prior.streamArn,
      shards,
      ...plan.filled.toCheckpoint(Date.now()),
      ...(options.reconciling === true ? { reconciling: true as const } : {}),
    };
    const position = this.lastPosition + 1;
    return { position, lastPosition: position + plan.commits.length - 1, commits: plan.commits, checkpoint, writtenAt: Date.now(), writer: this.deps.writer };
  }

  /** True when the batch is in the index: written now, or written by an earlier attempt whose answer was lost. */
  private async write(batch: IndexBatch): Promise<boolean> {
    if (await this.deps.index.append(batch)) return true;
    const there = await this.deps.index.batchHolding(batch.position);
    return there !== undefined && there.position === batch.position && there.writer === batch.writer && JSON.stringify(there.checkpoint) === JSON.stringify(batch.checkpoint);
  }

  /** Reads the batches written after the known head (by another indexer) into the stream heads. */
  private async catchUp(): Promise<void> {
    const known = this.lastPosition;
    await this.loadState();
    if (this.head !== null && this.head !== undefined) await this.absorbFrom(known + 1, this.head.lastPosition);
  }

  private async absorbFrom(start: number, through: number): Promise<void> {
    for (let next = start; next <= through; ) {
      const batches = await this.deps.index.batchesFrom(next, 100, true);
      if (batches.length === 0) break;
      for (const batch of batches) {
        for (const commit of batch.commits) if (!isErasedEntry(commit)) this.deps.heads.set(commit.streamId, commit.commitEnd);
        next = batch.lastPosition + 1;
      }
    }
  }
}

const newest = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

/** Whether the checkpoint already covers the record (it was taken in before: a redelivery). */
function coveredBy(checkpoint: IndexerCheckpoint, record: ChangeRecord): boolean {
  if (record.shardId === undefined) return false;
  const at = checkpoint.shards[record.shardId];
  if (at === undefined) return false;
  return at === 'end' || compareSequenceNumbers(record.sequenceNumber, at) <= 0;
}

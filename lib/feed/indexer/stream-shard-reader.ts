import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type GetRecordsOutput,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { FeedStreamViewTypeError } from '../../errors/feed-stream-view-type.error.js';
import { withRetries } from '../../event-store/request-retry.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { SHARD_END, type IndexerCheckpoint } from '../index/indexer-checkpoint.js';
import type { ChangeRecord } from './change-record.js';
import { planShards, type ReadableShard } from './shard-lineage.js';
import { changeRecordFromStream } from './stream-records.js';

/** How much one poll reads. */
export interface StreamReadLimits {
  /** Records per poll, all shards together, the module's own included (default 10,000). */
  readonly maxRecords?: number;
  /** Bytes per poll, by the records' `SizeBytes`, all shards together (default 8 MB; checked before each read, so it may be passed by one page per shard read at once). */
  readonly maxBytes?: number;
  /** Shards read at the same time (default 8). */
  readonly concurrency?: number;
  /** The shard list is described again at least this often, in ms (default 60,000): shards split and roll over. */
  readonly describeIntervalMs?: number;
}

const DEFAULT_LIMITS: Required<StreamReadLimits> = { maxRecords: 10_000, maxBytes: 8 * 1024 * 1024, concurrency: 8, describeIntervalMs: 60_000 };

/** GetRecords returns at most 1,000 records or 1 MB. */
const PAGE_RECORDS = 1000;
/** A page this large may have been cut by the 1 MB limit: more may follow at once. */
const PAGE_NEARLY_FULL_BYTES = 900 * 1024;
/** A closed shard may answer empty pages before its end; a poll reads this many of them at most before moving on. */
const MAX_EMPTY_PAGES_OF_CLOSED_SHARD = 5;
/** Iterator renewals (expired iterators) or trims of one shard within one poll before giving up on it. */
const MAX_RESTARTS = 3;

/** What one poll of the stream read. */
export interface ShardPoll {
  /** The records to index, in shard order within each shard; a parent's before its children's. */
  readonly records: ChangeRecord[];
  /**
   * The whole checkpoint after these records (replace the old map with it, do not merge): per
   * shard, the sequence number of the last record read (records of the module's own items
   * included), or 'end'. Entries of shards no longer listed are gone from it, and so is the entry of
   * a shard that was trimmed (it is read again from its oldest record).
   */
  readonly shards: Record<string, string>;
  /**
   * Records were lost: a shard's records after the checkpoint expired (TrimmedDataAccessException,
   * or a checkpointed shard gone before its end), or the checkpoint was of another stream (the
   * table's stream was disabled and enabled again: writes in between are in no stream). The caller
   * reconciles from the table before it stores `shards`.
   */
  readonly lost: boolean;
  /** Every readable shard answered with a short page (it had nothing more) or reached its end in this poll. */
  readonly atTip: boolean;
  /** Readable shards whose parent is unknown to a non-empty checkpoint (see ShardPlan.orphans); for diagnostics. */
  readonly orphans: readonly string[];
  readonly streamArn: string;
}

/** Where the reader is in one shard: the iterator it holds, and the checkpoint value it continues from. */
interface Cursor {
  iterator?: string;
  /** The last sequence number read (undefined: none yet, the iterator starts at TRIM_HORIZON). */
  position?: string;
}

interface ShardRead {
  readonly records: ChangeRecord[];
  atTip: boolean;
  ended: boolean;
  /** Records after the checkpoint expired (the shard is then read from its oldest record). */
  trimmed: boolean;
  /** The shard itself is gone (expired since the shard list was read). */
  gone: boolean;
}

/**
 * Reads the events table's DynamoDB Stream, shard by shard, from an indexer checkpoint. Keeps each
 * shard's next iterator between polls (one GetRecords per shard per poll while there is little
 * to read), and renews it from the checkpoint when it expired, or when the checkpoint it is given
 * is not where it left off (a poll whose records were not all taken in). Every request is retried
 * on throttling and 5xx answers.
 */
export class StreamShardReader {
  private readonly cursors = new Map<string, Cursor>();
  private listed?: { readonly shards: Shard[]; readonly at: number };
  private readonly limits: Required<StreamReadLimits>;

  constructor(
    private readonly client: DynamoDBStreamsClient,
    readonly streamArn: string,
    private readonly retry: Required<RetryOptions>,
    limits: StreamReadLimits = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Forgets every iterator: the next poll starts each shard from the checkpoint it is given. */
  reset(): void {
    this.cursors.clear();
  }

  async poll(checkpoint: IndexerCheckpoint): Promise<ShardPoll> {
    const sameStream = checkpoint.streamArn === undefined || checkpoint.streamArn === this.streamArn;
    const positions: Record<string, string> = sameStream ? { ...checkpoint.shards } : {};
    let lost = !sameStream;
    if (!sameStream) this.cursors.clear();
    const budget = new PollBudget(this.limits.maxRecords, this.limits.maxBytes);
    const records: ChangeRecord[] = [];
    const visited = new Set<string>();
    let atTip = true;
    let orphans: readonly string[] = [];
    // Rounds: when a shard ends, its children may be read in the same poll (so that atTip is true only at the tip).
    for (;;) {
      const plan = planShards(await this.shards(), positions);
      for (const shardId of plan.dropped) {
        delete positions[shardId];
        this.cursors.delete(shardId);
      }
      if (plan.lost.length > 0) lost = true;
      orphans = plan.orphans;
      const todo = plan.readable.filter((shard) => !visited.has(shard.shardId));
      if (todo.length === 0) break;
      const reads = await settleBounded(todo, this.limits.concurrency, (shard) => this.readShard(shard, positions, budget));
      let ended = false;
      for (const [i, read] of reads.entries()) {
        visited.add(todo[i]!.shardId);
        records.push(...read.records);
        if (!read.atTip) atTip = false;
        if (read.trimmed || read.gone) lost = true;
        if (read.ended || read.gone) ended = true;
      }
      if (!ended) break;
      this.listed = undefined; // a shard ended or vanished: describe again, children may be readable
    }
    return { records, shards: positions, lost, atTip, orphans, streamArn: this.streamArn };
  }

  /** Reads one shard as far as the budget goes: to a short page (its tip), or its end. */
  private async readShard(shard: ReadableShard, positions: Record<string, string>, budget: PollBudget): Promise<ShardRead> {
    const { shardId } = shard;
    const expected = positions[shardId];
    let cursor = this.cursors.get(shardId);
    if (cursor === undefined || cursor.position !== expected) {
      // A new shard, or the checkpoint is not where this reader left off: start from the checkpoint.
      cursor = { position: expected };
      this.cursors.set(shardId, cursor);
    }
    const read: ShardRead = { records: [], atTip: false, ended: false, trimmed: false, gone: false };
    let restarts = 0;
    let emptyPages = 0;
    for (;;) {
      const limit = budget.take();
      if (limit === 0) return read;
      let page: GetRecordsOutput;
      try {
        cursor.iterator ??= await this.iterator(shardId, cursor.position);
        if (cursor.iterator === undefined && !shard.closed) {
          budget.giveBack(limit); // no iterator for an open shard: nothing to read now, try again next poll
          return read;
        }
        page = cursor.iterator === undefined ? {} : await this.getRecords(cursor.iterator, limit);
      } catch (error) {
        budget.giveBack(limit);
        const name = (error as { name?: string }).name;
        if (restarts++ >= MAX_RESTARTS) throw error;
        if (name === 'ExpiredIteratorException') {
          // Iterators live 15 minutes: take a new one where this one was.
          cursor.iterator = undefined;
          continue;
        }
        if (name === 'TrimmedDataAccessException') {
          // The records after the checkpoint have expired. Read what is left from the oldest record; the caller reconciles the rest from the table.
          read.trimmed = true;
          cursor.iterator = undefined;
          cursor.position = undefined;
          delete positions[shardId];
          continue;
        }
        if (name === 'ResourceNotFoundException') {
          // The shard expired after the shard list was read; its unread records with it.
          read.gone = true;
          this.cursors.delete(shardId);
          delete positions[shardId];
          return read;
        }
        throw error;
      }
      const got = page.Records ?? [];
      budget.giveBack(limit - got.length);
      let bytes = 0;
      for (const record of got) {
        const change = changeRecordFromStream(record, shardId);
        if (change !== undefined) read.records.push(change);
        bytes += record.dynamodb?.SizeBytes ?? 0;
      }
      budget.spendBytes(bytes);
      const last = got.at(-1)?.dynamodb?.SequenceNumber;
      if (last !== undefined) {
        // Records skipped as the module's own advance the position too: they need no reading again.
        positions[shardId] = last;
        cursor.position = last;
      }
      cursor.iterator = page.NextShardIterator;
      if (page.NextShardIterator === undefined) {
        // A closed shard read to its end.
        positions[shardId] = SHARD_END;
        this.cursors.delete(shardId);
        read.ended = true;
        read.atTip = true;
        return read;
      }
      const short = got.length < limit && bytes < PAGE_NEARLY_FULL_BYTES;
      if (short && !shard.closed) {
        read.atTip = true;
        return read;
      }
      if (got.length === 0 && ++emptyPages >= MAX_EMPTY_PAGES_OF_CLOSED_SHARD) return read;
    }
  }

  /** An iterator after `position`, or at the oldest record; undefined when the shard has nothing after it (closed, read to its end). */
  private async iterator(shardId: string, position: string | undefined): Promise<string | undefined> {
    const { ShardIterator } = await this.read(`GetShardIterator of shard ${shardId}`, () =>
      this.client.send(
        new GetShardIteratorCommand(
          position === undefined
            ? { StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }
            : { StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: position },
        ),
      ),
    );
    return ShardIterator;
  }

  private getRecords(iterator: string, limit: number): Promise<GetRecordsOutput> {
    return this.read('GetRecords', () => this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit })));
  }

  /** The stream's shards (every page of DescribeStream), described again when older than `describeIntervalMs`. */
  private async shards(): Promise<Shard[]> {
    if (this.listed !== undefined && Date.now() - this.listed.at < this.limits.describeIntervalMs) return this.listed.shards;
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription: description } = await this.read('DescribeStream', () =>
        this.client.send(new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start })),
      );
      const viewType = description?.StreamViewType;
      if (viewType === 'KEYS_ONLY' || viewType === 'OLD_IMAGE') throw FeedStreamViewTypeError.withoutNewImage(viewType, this.streamArn);
      for (const shard of description?.Shards ?? []) if (!shards.some((known) => known.ShardId === shard.ShardId)) shards.push(shard);
      start = description?.LastEvaluatedShardId;
    } while (start !== undefined);
    this.listed = { shards, at: Date.now() };
    return shards;
  }

  private read<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return withRetries(
      { operation: `${operation} on stream ${this.streamArn}`, retry: this.retry, kind: 'read', advice: 'Nothing was indexed; the indexer reads again from its checkpoint.' },
      () => send().catch((error: unknown) => Promise.reject(asThrottle(error))),
    );
  }
}

/**
 * DynamoDB Streams answers throttling with LimitExceededException (more than about 5 GetRecords per
 * second on a shard), a name the table API's error classification does not know: named as the
 * throttle it is, so that it is retried with backoff.
 */
function asThrottle(error: unknown): unknown {
  if ((error as { name?: string })?.name !== 'LimitExceededException') return error;
  return Object.assign(new Error(`DynamoDB Streams: ${(error as Error).message} (LimitExceededException)`, { cause: error }), { name: 'ThrottlingException' });
}

/** Records and bytes left in one poll, shared by the shards read at once. */
class PollBudget {
  constructor(
    private records: number,
    private bytes: number,
  ) {}

  /** Reserves records for one GetRecords (its Limit); 0 when the poll has read enough. */
  take(): number {
    if (this.records <= 0 || this.bytes <= 0) return 0;
    const reserved = Math.min(PAGE_RECORDS, this.records);
    this.records -= reserved;
    return reserved;
  }

  giveBack(records: number): void {
    this.records += records;
  }

  spendBytes(bytes: number): void {
    this.bytes -= bytes;
  }
}

/**
 * Runs `task` on every item, at most `concurrency` at a time, results in item order. Waits for
 * every task to settle before rejecting with the first failure, so that no read is still changing
 * the reader's iterators when the caller polls again.
 */
async function settleBounded<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<PromiseSettledResult<R>>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!).then(
        (value): PromiseSettledResult<R> => ({ status: 'fulfilled', value }),
        (reason: unknown): PromiseSettledResult<R> => ({ status: 'rejected', reason }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<R>).value);
}

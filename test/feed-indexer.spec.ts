import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DEFAULT_RETRY } from '../lib/event-store/retry-policy.js';
import { EventStreamTable } from '../lib/event-store/event-stream-table.js';
import { FeedIndexTable } from '../lib/feed/index/feed-index-table.js';
import type { ChangeRecord } from '../lib/feed/indexer/change-record.js';
import { FeedIndexer } from '../lib/feed/indexer/feed-indexer.js';
import { FeedIngester, IndexRaceLostError } from '../lib/feed/indexer/feed-ingester.js';
import { StreamHeads } from '../lib/feed/indexer/stream-heads.js';
import { StreamShardReader } from '../lib/feed/indexer/stream-shard-reader.js';
import { latestStreamArn } from '../lib/feed/indexer/latest-stream-arn.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { createStreamedEventsTable, eventually, indexedCommits, indexProblems, putCommit } from './support/raw-commits.js';

const retry = { ...DEFAULT_RETRY, maxAttempts: 4 };
const settings = { pollIntervalMs: 50, leaseTtlMs: 2_000, maxStreams: 1_000 };
const quiet = process.env.DEBUG_INDEXER ? { log: console.log, warn: console.warn, error: console.error } : { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('feed indexer (DynamoDB Local, real Streams)', () => {
  const client = new DynamoDBClient(testClientConfig());
  const streams = new DynamoDBStreamsClient(testClientConfig());
  const tables: string[] = [];

  async function newTable(label: string): Promise<string> {
    const name = uniqueTableName(label);
    tables.push(name);
    await createStreamedEventsTable(client, name);
    return name;
  }

  /** Every record of the table's stream so far, as the indexer reads them. */
  async function allRecords(tableName: string): Promise<{ records: ChangeRecord[]; shards: Record<string, string>; streamArn: string }> {
    const { streamArn } = (await latestStreamArn(client, tableName))!;
    const reader = new StreamShardReader(streams, streamArn, retry);
    const records: ChangeRecord[] = [];
    let shards: Record<string, string> = {};
    for (;;) {
      const poll = await reader.poll({ streamArn, shards });
      records.push(...poll.records);
      shards = poll.shards;
      if (poll.atTip) return { records, shards, streamArn };
    }
  }

  const ingesterOf = (tableName: string, writer: string, heads = new StreamHeads(1_000)) =>
    new FeedIngester({ index: new FeedIndexTable(client, tableName, retry), events: new EventStreamTable(client, tableName, retry), heads, retry, writer });

  afterAll(async () => {
    client.destroy();
    streams.destroy();
    await deleteTables(...tables);
  });

  it('indexes every commit once, each stream in version order, split commits included, while writers go on', async () => {
    const table = await newTable('idx-live');
    let notified = 0;
    const indexer = new FeedIndexer({ client, tableName: table, retry, settings, onIndexed: () => notified++, logger: quiet });
    indexer.start();
    try {
      // The first commit may be written before the indexer has looked at the table (it then reconciles); the rest are read from the stream.
      await putCommit(client, table, 'a', 1, 1);
      await eventually(async () => (await indexedCommits(client, table)).length === 1 && indexer.status().state === 'indexing', 20_000, 'the first commit to be indexed');
      const versions = new Map<string, number>([['a', 1]]);
      for (let round = 0; round < 12; round++) {
        await Promise.all(
          ['a', 'b', 'c', 'd'].map(async (stream) => {
            const version = (versions.get(stream) ?? 0) + 1;
            const events = (round % 3) + 1;
            await putCommit(client, table, stream, version, events, round % 5 === 4 && events > 1 ? 2 : 1);
            versions.set(stream, version + events - 1);
          }),
        );
      }
      await eventually(async () => (await indexedCommits(client, table)).length === 49, 20_000, 'all 49 commits to be indexed');
      expect(await indexProblems(client, table)).toEqual([]);
      expect(notified).toBeGreaterThan(0);
      expect(indexer.status()).toMatchObject({ state: 'indexing', lastPosition: 49 });
    } finally {
      await indexer.stop();
    }
  });

  it('drops records delivered again, and records at or below the checkpoint after a restart', async () => {
    const table = await newTable('idx-dup');
    for (let v = 1; v <= 5; v++) await putCommit(client, table, 's1', v, 1);
    for (let v = 1; v <= 3; v++) await putCommit(client, table, 's2', v, 1);
    const { records, shards, streamArn } = await allRecords(table);
    const first = ingesterOf(table, 'first');
    await first.ingest(records, { reached: shards, streamArn, onRaceLost: 'throw' });
    await first.ingest(records, { reached: shards, streamArn, onRaceLost: 'throw' }); // the same records again
    // A new process with no memory of streams, fed the same records from an older position: all covered by the checkpoint.
    const restarted = ingesterOf(table, 'restarted');
    const { taken, batches } = await restarted.ingest(records, { streamArn, onRaceLost: 'throw' });
    expect(batches).toHaveLength(0);
    expect(taken.size).toBe(records.length);
    expect(await indexProblems(client, table)).toEqual([]);
    expect(await indexedCommits(client, table)).toHaveLength(8);
  });

  it("indexes a stream's commits in version order when their records come out of order, filling from the table", async () => {
    const table = await newTable('idx-order');
    for (let v = 1; v <= 6; v++) await putCommit(client, table, 'x', v, 1);
    await putCommit(client, table, 'y', 1, 2);
    const { records, shards, streamArn } = await allRecords(table);
    const ofX = records.filter((r) => r.item.streamId === 'x');
    const ingester = ingesterOf(table, 'order');
    // x@1 first (the stream becomes known), then x@5 and x@6 ahead of x@2-4: the gap is filled from the table.
    await ingester.ingest([ofX[0]!], { streamArn, onRaceLost: 'throw' });
    await ingester.ingest([ofX[5]!, ofX[4]!], { streamArn, onRaceLost: 'throw' });
    expect((await indexedCommits(client, table)).map((c) => `${c.streamId}@${c.version}`)).toEqual(['x@1', 'x@2', 'x@3', 'x@4', 'x@5', 'x@6']);
    // Their own records come late, some twice, and after a restart (the fill is remembered in the checkpoint).
    const restarted = ingesterOf(table, 'order-2');
    await restarted.ingest([ofX[3]!, ofX[1]!, ofX[2]!, ofX[1]!], { streamArn, onRaceLost: 'throw' });
    await restarted.ingest(records, { reached: shards, streamArn, onRaceLost: 'throw' });
    expect(await indexProblems(client, table)).toEqual([]);
    expect(await indexedCommits(client, table)).toHaveLength(7);
  });

  it('lets exactly one of two racing indexers write each commit; the loser goes on from the winner', async () => {
    const table = await newTable('idx-race');
    for (let v = 1; v <= 20; v++) await putCommit(client, table, `r${v % 4}`, Math.ceil(v / 4), 1);
    const { records, shards, streamArn } = await allRecords(table);
    const half = records.slice(0, 10);
    const a = ingesterOf(table, 'a');
    const b = ingesterOf(table, 'b');
    await Promise.all([a.ingest(half, { streamArn, onRaceLost: 'retry' }), b.ingest(records, { reached: shards, streamArn, onRaceLost: 'retry' })]);
    await a.ingest(records, { reached: shards, streamArn, onRaceLost: 'retry' });
    expect(await indexProblems(client, table)).toEqual([]);
    expect(await indexedCommits(client, table)).toHaveLength(20);
  });

  it("fences a former holder's late write: it finds the position taken and writes nothing", async () => {
    const table = await newTable('idx-fence');
    await putCommit(client, table, 'f', 1, 1);
    const { records, shards, streamArn } = await allRecords(table);
    const former = ingesterOf(table, 'former');
    await former.warmUp(); // knows the (empty) index, then stalls
    const successor = ingesterOf(table, 'successor');
    await successor.ingest(records, { reached: shards, streamArn, onRaceLost: 'throw' });
    await putCommit(client, table, 'f', 2, 1);
    const later = await allRecords(table);
    await expect(former.ingest(later.records, { reached: later.shards, streamArn, onRaceLost: 'throw' })).rejects.toBeInstanceOf(IndexRaceLostError);
    expect(await indexedCommits(client, table)).toHaveLength(1);
    // The successor, still holding the lease, indexes the new commit once.
    await successor.ingest(later.records, { reached: later.shards, streamArn, onRaceLost: 'throw' });
    expect(await indexProblems(client, table)).toEqual([]);
    expect(await indexedCommits(client, table)).toHaveLength(2);
  });

  it('reconciles from the table when the stream lost records (trimmed), and every commit is indexed once', async () => {
    const table = await newTable('idx-trim');
    for (let v = 1; v <= 4; v++) await putCommit(client, table, 't1', v, 1);
    const healthy = new FeedIndexer({ client, tableName: table, retry, settings, logger: quiet });
    healthy.start();
    await eventually(async () => (await indexedCommits(client, table)).length === 4, 20_000, 'the first commits to be indexed');
    await healthy.stop();
    // Written while no indexer runs; then the stream "trims" them: every read of a shard past the checkpoint is refused.
    for (let v = 5; v <= 8; v++) await putCommit(client, table, 't1', v, 1);
    await putCommit(client, table, 't2', 1, 3, 2);
    const faulty = new DynamoDBStreamsClient(testClientConfig());
    let trims = 1;
    faulty.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { ShardIteratorType?: string };
        if (context.commandName === 'GetShardIteratorCommand' && input.ShardIteratorType === 'AFTER_SEQUENCE_NUMBER' && trims-- > 0) {
          throw Object.assign(new Error('injected: the records after the checkpoint were trimmed'), { name: 'TrimmedDataAccessException', $fault: 'client' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'trim' },
    );
    const recovering = new FeedIndexer({ client, tableName: table, retry, settings, logger: quiet, streamsClient: faulty });
    recovering.start();
    try {
      await eventually(async () => (await indexedCommits(client, table)).length === 9, 30_000, 'the trimmed commits to be reconciled');
      expect(await indexProblems(client, table)).toEqual([]);
      // And it goes on indexing from the stream afterwards, without duplicating what it reconciled.
      await putCommit(client, table, 't1', 9, 1);
      await eventually(async () => (await indexedCommits(client, table)).length === 10, 20_000, 'a commit after the reconciliation');
      expect(await indexProblems(client, table)).toEqual([]);
    } finally {
      await recovering.stop();
      faulty.destroy();
    }
  });
});

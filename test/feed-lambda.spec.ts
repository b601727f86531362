import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FeedIndexTable } from '../lib/feed/index/feed-index-table.js';
import type { IndexedCommit } from '../lib/feed/index/indexed-commit.js';
import type { DynamoDBRecord } from '../lib/feed/indexer/stream-records.js';
import { EventStoreErrorCode } from '../lib/errors/event-store.error.js';
import { createFeedIndexerHandler, FeedStreamViewTypeError } from '../lib/lambda/index.js';
import { deleteTables, testClientConfig } from './support/dynamodb.js';
import { RequestTap } from './support/fault-injection.js';
import { StreamEventSource, type Invocation, type StreamEventSourceOptions } from './support/stream-event-source.js';
import { createStreamedTable, writeCommit, type StreamedTable } from './support/streamed-table.js';

const RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

/** The commits the feed index holds, in position order, checking that its batches follow each other with no gap. */
async function indexed(index: FeedIndexTable): Promise<IndexedCommit[]> {
  const commits: IndexedCommit[] = [];
  for (let next = 1; ; ) {
    const batches = await index.batchesFrom(next, 100, true);
    if (batches.length === 0) return commits;
    for (const batch of batches) {
      expect(batch.position).toBe(next);
      expect(batch.lastPosition - batch.position + 1).toBe(batch.commits.length);
      commits.push(...batch.commits);
      next = batch.lastPosition + 1;
    }
  }
}

/** Every commit of `expected` (stream id to its commits' first versions) once, each stream in version order, nothing else. */
function expectExactlyOnce(commits: readonly IndexedCommit[], expected: ReadonlyMap<string, readonly number[]>): void {
  const ends = new Map<string, number>();
  const byStream = new Map<string, number[]>();
  for (const commit of commits) {
    // Per stream: each commit starts right after the one before it ended.
    expect(`${commit.streamId}@${commit.version}`).toBe(`${commit.streamId}@${(ends.get(commit.streamId) ?? 0) + 1}`);
    ends.set(commit.streamId, commit.commitEnd);
    byStream.set(commit.streamId, [...(byStream.get(commit.streamId) ?? []), commit.version]);
  }
  expect(new Map([...byStream].sort())).toEqual(new Map([...expected].sort()));
}

const userRecords = (records: readonly DynamoDBRecord[]) => records.filter((r) => r.eventName === 'INSERT' && !r.dynamodb!.Keys!.streamId!.S!.startsWith('$$'));
const keyOf = (record: DynamoDBRecord) => `${record.dynamodb!.Keys!.streamId!.S}@${record.dynamodb!.Keys!.version!.N}`;
const failuresOf = (invocation: Invocation) => invocation.response!.batchItemFailures.map((failure) => failure.itemIdentifier);

describe('The feed indexer as a Lambda handler, fed by a played event source mapping (DynamoDB Local)', () => {
  let client: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  const tables: string[] = [];
  const warnings: string[] = [];
  const logger = { log: () => undefined, warn: (message: string) => void warnings.push(message) };

  beforeAll(() => {
    client = new DynamoDBClient(testClientConfig());
    streams = new DynamoDBStreamsClient(testClientConfig());
  });
  afterAll(async () => {
    client.destroy();
    streams.destroy();
    await deleteTables(...tables);
  });

  /** A table, the handler of a fresh container on its own client (tapped, SDK retries off), and a mapping. */
  async function setUp(label: string, batchSize: number, source: Partial<StreamEventSourceOptions> = {}) {
    const table: StreamedTable = await createStreamedTable(client, label);
    tables.push(table.tableName);
    const handlerClient = new DynamoDBClient({ ...testClientConfig(), maxAttempts: 1 });
    const tap = new RequestTap(handlerClient);
    const container = () => createFeedIndexerHandler({ tableName: table.tableName, client: handlerClient, retry: RETRY, logger });
    const mapping = new StreamEventSource({ client: streams, streamArn: table.streamArn, handler: container(), batchSize, ...source });
    const index = new FeedIndexTable(client, table.tableName, { ...RETRY, maxAttempts: 5 });
    return { table, tap, mapping, index, container, handlerClient };
  }

  /** Writes commits, recording each stream's commits' first versions. */
  async function commits(table: StreamedTable, written: Map<string, number[]>, streamIds: readonly string[], rounds: number, events = (round: number) => 1 + (round % 3)): Promise<number> {
    let count = 0;
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        streamIds.map(async (streamId) => {
          const versions = written.get(streamId) ?? [];
          const next = (written.get(`${streamId}#end`)?.[0] ?? 0) + 1;
          const size = events(round);
          versions.push(next);
          written.set(streamId, versions);
          written.set(`${streamId}#end`, [next + size - 1]);
          await writeCommit(client, table.tableName, streamId, next, size);
          count++;
        }),
      );
    }
    return count;
  }
  const expectedOf = (written: Map<string, number[]>) => new Map([...written].filter(([key]) => !key.endsWith('#end')));

  it('indexes every commit of several streams once, each stream in version order', async () => {
    const { table, mapping, index, handlerClient } = await setUp('lambda-all', 7);
    const written = new Map<string, number[]>();
    const total = await commits(table, written, ['acc-1', 'acc-2', 'acc-3', 'acc-4', 'acc-5'], 8);
    // A commit split over three items (one transaction) among them.
    await writeCommit(client, table.tableName, 'acc-1', written.get('acc-1#end')![0]! + 1, 9, 3);
    written.get('acc-1')!.push(written.get('acc-1#end')![0]! + 1);
    await mapping.deliverUntil(async () => (await indexed(index)).length >= total + 1);
    expectExactlyOnce(await indexed(index), expectedOf(written));
    expect(mapping.invocations.every((invocation) => invocation.error === undefined && invocation.response!.batchItemFailures.length === 0)).toBe(true);
    expect(mapping.invocations.some((invocation) => invocation.event.Records.length === 7)).toBe(true);
    handlerClient.destroy();
  });

  it('reports every record of a batch whose index write failed, and indexes them once when they come again', async () => {
    const { table, tap, mapping, index, handlerClient } = await setUp('lambda-fail', 5, {
      // A throttle storm on the second invocation's index write, longer than the retries.
      beforeInvoke: (invocation) => {
        if (invocation === 2) tap.failNext('PutItemCommand', RETRY.maxAttempts, 'ThrottlingException');
      },
    });
    const written = new Map<string, number[]>();
    const total = await commits(table, written, ['f-1', 'f-2', 'f-3'], 4, () => 1);
    await mapping.waitForRecords(total);
    // The first delivery stops at the failed invocation, as the mapping retries a batch before going on.
    await mapping.deliverUntil(() => mapping.invocations.length >= 2);
    const failed = mapping.invocations[1]!;
    expect(failed.error).toBeUndefined();
    const records = userRecords(failed.event.Records);
    expect(records).toHaveLength(5);
    expect(failuresOf(failed)).toEqual(records.map((record) => record.dynamodb!.SequenceNumber));
    expect(warnings.at(-1)).toMatch(/5 of 5 records .* not indexed/);
    const afterFailure = (await indexed(index)).map((commit) => `${commit.streamId}@${commit.version}`);
    expect(afterFailure).toHaveLength(5);
    for (const record of records) expect(afterFailure).not.toContain(keyOf(record));

    // Redelivered from the first failed record: the index completes, nothing twice.
    await mapping.deliverUntil(async () => (await indexed(index)).length >= total);
    expect(mapping.invocations[2]!.event.Records[0]!.dynamodb!.SequenceNumber).toBe(failuresOf(failed)[0]);
    expectExactlyOnce(await indexed(index), expectedOf(written));
    handlerClient.destroy();
  });

  it('reports the records after an index write that failed half way through a batch, and completes the index on redelivery', async () => {
    // Stream ids near the 1,024-byte limit: 400 commits do not fit one index item, so a batch is indexed in two writes.
    const long = (i: number) => `${'l'.repeat(1000)}-${String(i).padStart(2, '0')}`;
    let armed = false;
    const { table, tap, mapping, index, handlerClient } = await setUp('lambda-half', 400, {
      beforeInvoke: (_, event) => {
        if (armed || !event.Records.some((record) => record.dynamodb?.Keys?.streamId?.S?.startsWith('lll'))) return;
        armed = true;
        // The first index write of the batch lands; the second meets a throttle storm longer than the retries.
        let writes = 0;
        tap.alterResponses('PutItemCommand', () => {
          if (++writes === 1) tap.failNext('PutItemCommand', RETRY.maxAttempts, 'ThrottlingException');
        });
      },
    });
    const written = new Map<string, number[]>();
    let total = await commits(table, written, ['short-1', 'short-2'], 5, () => 1);
    await mapping.deliverUntil(async () => (await indexed(index)).length >= total);
    total += await commits(table, written, Array.from({ length: 40 }, (_, i) => long(i)), 10, () => 1);
    await mapping.waitForRecords(400);

    const longKeys = [...expectedOf(written)].filter(([streamId]) => streamId.startsWith('l')).flatMap(([streamId, versions]) => versions.map((v) => `${streamId}@${v}`));
    const partlyFailed = () => mapping.invocations.find((invocation) => (invocation.response?.batchItemFailures.length ?? 0) > 0);
    await mapping.deliverUntil(() => partlyFailed() !== undefined || longKeys.every((k) => mapping.handled.has(k)));
    const failed = partlyFailed()!;
    expect(failed).toBeDefined();
    const records = userRecords(failed.event.Records);
    const failures = failuresOf(failed);
    const inIndex = new Set((await indexed(index)).map((commit) => `${commit.streamId}@${commit.version}`));
    // Half way: some of the batch is in the index, the rest reported; a record is reported exactly when its commit is not in the index.
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.length).toBeLessThan(records.length);
    for (const record of records) expect(failures.includes(record.dynamodb!.SequenceNumber!)).toBe(!inIndex.has(keyOf(record)));
    // In event order, so that the lowest (where Lambda resumes) is the first record not indexed.
    expect(failures).toEqual(records.filter((record) => !inIndex.has(keyOf(record))).map((record) => record.dynamodb!.SequenceNumber));

    tap.reset();
    await mapping.deliverUntil(async () => (await indexed(index)).length >= total);
    expectExactlyOnce(await indexed(index), expectedOf(written));
    handlerClient.destroy();
  }, 120_000);

  it('indexes records delivered twice only once: batch by batch, all over again, and to a cold container', async () => {
    const { table, mapping, index, container, handlerClient } = await setUp('lambda-twice', 6);
    const written = new Map<string, number[]>();
    const total = await commits(table, written, ['t-1', 't-2', 't-3', 't-4'], 5);
    await mapping.deliverUntil(async () => (await indexed(index)).length >= total, { repeat: true });
    expect(mapping.invocations.filter((invocation) => invocation.repeated).length).toBeGreaterThan(0);
    const once = await indexed(index);
    expectExactlyOnce(once, expectedOf(written));

    // The mapping starts over from the oldest record (all of it delivered again) to the same container...
    mapping.rewind();
    await mapping.deliver();
    // ... and to a new one, which knows the index only from its warm-up.
    const cold = new StreamEventSource({ client: streams, streamArn: table.streamArn, handler: container(), batchSize: 6 });
    await cold.deliver();
    expect(cold.invocations.every((invocation) => invocation.response?.batchItemFailures.length === 0)).toBe(true);
    expect(await indexed(index)).toEqual(once);
    handlerClient.destroy();
  });

  it("indexes a stream's commits in version order when its records come out of order within a batch", async () => {
    const { table, mapping, index, container, handlerClient } = await setUp('lambda-reversed', 50);
    const written = new Map<string, number[]>();
    const total = await commits(table, written, ['o-1', 'o-2'], 6);
    await mapping.deliverUntil(async () => (await indexed(index)).length >= total, { arrange: (records) => [...records].reverse() });
    expectExactlyOnce(await indexed(index), expectedOf(written));
    // And again, reversed, to a cold container.
    const cold = new StreamEventSource({ client: streams, streamArn: table.streamArn, handler: container(), batchSize: 5 });
    await cold.deliver({ arrange: (records) => [...records].reverse() });
    expectExactlyOnce(await indexed(index), expectedOf(written));
    handlerClient.destroy();
  });

  /**
   * A stream's newest commit comes first, the two before it only later (left out of their batch now,
   * delivered again after a rewind): the gap is filled from the table, and the late records dropped.
   */
  async function newestFirst(label: string, streamIds: readonly string[]): Promise<void> {
    const { table, mapping, index, handlerClient } = await setUp(label, 50);
    const written = new Map<string, number[]>();
    // The container indexes the streams' first commits first: it knows where each stream is.
    const total = await commits(table, written, streamIds, 2, () => 1);
    await mapping.deliverUntil(async () => (await indexed(index)).length >= total);
    await commits(table, written, streamIds, 3, () => 1);
    const expected = expectedOf(written);
    const keys = [...expected].flatMap(([streamId, versions]) => versions.map((version) => `${streamId}@${version}`));
    const late = new Set([...expected].flatMap(([streamId, versions]) => versions.slice(-3, -1).map((version) => `${streamId}@${version}`)));
    await mapping.deliverUntil(() => keys.every((key) => mapping.handled.has(key)), { arrange: (records) => records.filter((record) => !late.has(keyOf(record))) });
    expectExactlyOnce(await indexed(index), expected);
    mapping.rewind();
    await mapping.deliver();
    expectExactlyOnce(await indexed(index), expected);
    handlerClient.destroy();
  }

  it("fills a gap from the table when a known stream's commit comes before the ones ahead of it", () => newestFirst('lambda-gap-known', ['g-1', 'g-2']));

  // A stream the indexer has never seen (not since its container started, nor in the index's last 10,000 positions)
  // is taken to continue from what the index holds: its earlier records came first on their shard (README, "Per
  // stream, version order, no gap"). So a brand-new stream's third commit arriving alone first is not a case it fills.

  it('fails the invocation, naming the fix, on records of a stream without new images', async () => {
    const keysOnly = await createStreamedTable(client, 'lambda-keys-only', 'KEYS_ONLY');
    tables.push(keysOnly.tableName);
    const mapping = new StreamEventSource({ client: streams, streamArn: keysOnly.streamArn, handler: createFeedIndexerHandler({ tableName: keysOnly.tableName, client, logger }), batchSize: 10 });
    await writeCommit(client, keysOnly.tableName, 'k-1', 1);
    await mapping.waitForRecords(1);
    const [invocation] = await mapping.deliver();
    expect(invocation!.error).toBeInstanceOf(FeedStreamViewTypeError);
    expect(invocation!.error).toMatchObject({ code: EventStoreErrorCode.FEED_STREAM_VIEW_TYPE, viewType: 'KEYS_ONLY' });
    // Not moved on: the mapping delivers the same records again.
    const [again] = await mapping.deliver();
    expect(again!.event.Records.map(keyOf)).toEqual(invocation!.event.Records.map(keyOf));
  });

  it('refuses to be created without a table name', () => {
    expect(() => createFeedIndexerHandler({ tableName: '' })).toThrow(expect.objectContaining({ code: EventStoreErrorCode.INVALID_MODULE_OPTIONS }));
  });
});

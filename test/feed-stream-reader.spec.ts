import { DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EventStoreErrorCode } from '../lib/errors/event-store.error.js';
import { FeedStreamViewTypeError } from '../lib/errors/feed-stream-view-type.error.js';
import { compareSequenceNumbers, type IndexerCheckpoint } from '../lib/feed/index/indexer-checkpoint.js';
import type { ChangeRecord } from '../lib/feed/indexer/change-record.js';
import { StreamShardReader, type ShardPoll, type StreamReadLimits } from '../lib/feed/indexer/stream-shard-reader.js';
import { latestStreamArn } from '../lib/feed/indexer/latest-stream-arn.js';
import { deleteTables, testClientConfig } from './support/dynamodb.js';
import { RequestTap } from './support/fault-injection.js';
import { createStreamedTable, writeCommit, writeReservedItem, type StreamedTable } from './support/streamed-table.js';

const RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
const key = (record: ChangeRecord) => `${record.item.streamId}@${record.item.version}`;

describe('Reading the events table stream (StreamShardReader, DynamoDB Local)', () => {
  let client: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  let tap: RequestTap;
  const tables: string[] = [];

  beforeAll(() => {
    client = new DynamoDBClient(testClientConfig());
    // The SDK's own retries off: faults injected below reach the reader as they are.
    streams = new DynamoDBStreamsClient({ ...testClientConfig(), maxAttempts: 1 });
    tap = new RequestTap(streams as unknown as DynamoDBClient);
  });
  beforeEach(() => tap.reset());
  afterAll(async () => {
    client.destroy();
    streams.destroy();
    await deleteTables(...tables);
  });

  async function table(label: string): Promise<StreamedTable> {
    const created = await createStreamedTable(client, label);
    tables.push(created.tableName);
    return created;
  }

  const reader = (stream: StreamedTable, limits?: StreamReadLimits) => new StreamShardReader(streams, stream.streamArn, RETRY, limits);

  /**
   * Polls from `checkpoint`, carrying the checkpoint from poll to poll, until `done` holds for the
   * records read so far (DynamoDB Local shows a write in its stream within milliseconds; a poll at
   * the tip waits a little before the next).
   */
  async function readUntil(shards: StreamShardReader, checkpoint: IndexerCheckpoint, done: (records: ChangeRecord[]) => boolean) {
    const records: ChangeRecord[] = [];
    const polls: ShardPoll[] = [];
    for (let attempt = 0; attempt < 500 && !done(records); attempt++) {
      const poll = await shards.poll(checkpoint);
      polls.push(poll);
      records.push(...poll.records);
      checkpoint = { streamArn: poll.streamArn, shards: poll.shards };
      if (poll.atTip && !done(records)) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(done(records)).toBe(true);
    return { records, checkpoint, polls };
  }
  const atLeast = (n: number) => (records: ChangeRecord[]) => records.length >= n;

  it("finds the table's stream and its view type", async () => {
    const stream = await table('reader-arn');
    expect(await latestStreamArn(client, stream.tableName)).toEqual({ streamArn: stream.streamArn, viewType: 'NEW_IMAGE' });
  });

  it('returns each record once, in order per shard, and polls on from the checkpoint with only newer records', async () => {
    const stream = await table('reader-order');
    for (let version = 1; version <= 10; version++) {
      await writeCommit(client, stream.tableName, 'a', version);
      await writeCommit(client, stream.tableName, 'b', version);
    }
    const shards = reader(stream);
    const first = await readUntil(shards, { shards: {} }, atLeast(20));
    expect(first.records.map(key).sort()).toEqual([...Array.from({ length: 10 }, (_, i) => `a@${i + 1}`), ...Array.from({ length: 10 }, (_, i) => `b@${i + 1}`)].sort());
    // Write order per item stream is kept (one shard on DynamoDB Local: the table's write order).
    for (const id of ['a', 'b']) expect(first.records.filter((r) => r.item.streamId === id).map((r) => r.item.version)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const bySeq = [...first.records].sort((x, y) => compareSequenceNumbers(x.sequenceNumber, y.sequenceNumber));
    expect(bySeq).toEqual(first.records);
    const shardId = first.records[0]!.shardId!;
    expect(first.checkpoint.shards).toEqual({ [shardId]: first.records.at(-1)!.sequenceNumber });

    // Nothing new: the same reader, at the tip, returns nothing and keeps the checkpoint.
    const idle = await shards.poll(first.checkpoint);
    expect(idle).toMatchObject({ records: [], atTip: true, lost: false, shards: first.checkpoint.shards });

    // New records after the checkpoint: the same reader and a fresh one (from the checkpoint alone) return only those.
    await writeCommit(client, stream.tableName, 'a', 11);
    await writeCommit(client, stream.tableName, 'c', 1);
    const again = await readUntil(shards, first.checkpoint, atLeast(2));
    expect(again.records.map(key)).toEqual(['a@11', 'c@1']);
    const fresh = await readUntil(reader(stream), first.checkpoint, atLeast(2));
    expect(fresh.records.map(key)).toEqual(['a@11', 'c@1']);
    expect(fresh.checkpoint).toEqual(again.checkpoint);
  });

  it('keeps its iterators between polls, and starts again from the checkpoint it is given when that is not where it left off', async () => {
    const stream = await table('reader-iterators');
    await writeCommit(client, stream.tableName, 'a', 1);
    const shards = reader(stream);
    const first = await readUntil(shards, { shards: {} }, atLeast(1));
    const iteratorsAfterFirst = tap.count('GetShardIteratorCommand');
    await writeCommit(client, stream.tableName, 'a', 2);
    const second = await readUntil(shards, first.checkpoint, atLeast(1));
    for (let i = 0; i < 3; i++) await shards.poll(second.checkpoint);
    expect(tap.count('GetShardIteratorCommand')).toBe(iteratorsAfterFirst);

    // The caller could not take the second record in and polls from the first checkpoint again: it comes back.
    const redo = await readUntil(shards, first.checkpoint, atLeast(1));
    expect(redo.records.map(key)).toEqual(['a@2']);
    expect(tap.count('GetShardIteratorCommand')).toBe(iteratorsAfterFirst + 1);
    // reset() forgets the iterators even when the checkpoint matches.
    shards.reset();
    expect((await shards.poll(redo.checkpoint)).records).toEqual([]);
    expect(tap.count('GetShardIteratorCommand')).toBe(iteratorsAfterFirst + 2);
  });

  it('renews an expired iterator from the checkpoint and loses nothing', async () => {
    const stream = await table('reader-expired');
    await writeCommit(client, stream.tableName, 'a', 1);
    const shards = reader(stream);
    const first = await readUntil(shards, { shards: {} }, atLeast(1));
    await writeCommit(client, stream.tableName, 'a', 2);
    await writeCommit(client, stream.tableName, 'a', 3);
    tap.failNext('GetRecordsCommand', 1, 'ExpiredIteratorException');
    const iterators = tap.count('GetShardIteratorCommand');
    const renewed = await readUntil(shards, first.checkpoint, atLeast(2));
    expect(renewed.records.map(key)).toEqual(['a@2', 'a@3']);
    expect(renewed.polls.every((poll) => !poll.lost)).toBe(true);
    expect(tap.count('GetShardIteratorCommand')).toBe(iterators + 1);
  });

  it('reports records lost when the checkpoint was trimmed, and reads on from the oldest record', async () => {
    const stream = await table('reader-trimmed');
    await writeCommit(client, stream.tableName, 'a', 1);
    await writeCommit(client, stream.tableName, 'a', 2);
    const first = await readUntil(reader(stream), { shards: {} }, atLeast(2));
    const shardId = first.records[0]!.shardId!;

    // A new reader (a restart) whose checkpoint has expired in the meantime.
    tap.failNext('GetShardIteratorCommand', 1, 'TrimmedDataAccessException');
    const restarted = await reader(stream).poll({ streamArn: stream.streamArn, shards: { [shardId]: first.records[0]!.sequenceNumber } });
    expect(restarted.lost).toBe(true);
    // What the stream still holds is read from its oldest record (the caller drops what it indexed already).
    expect(restarted.records.map(key)).toEqual(['a@1', 'a@2']);
    expect(restarted.shards).toEqual({ [shardId]: first.records[1]!.sequenceNumber });

    // The records behind a held iterator trimmed away.
    const shards = reader(stream);
    await shards.poll(first.checkpoint);
    tap.failNext('GetRecordsCommand', 1, 'TrimmedDataAccessException');
    const held = await shards.poll(first.checkpoint);
    expect(held.lost).toBe(true);
    expect(held.records.map(key)).toEqual(['a@1', 'a@2']);
  });

  it('reports records lost when a checkpointed shard is gone before its end, or the checkpoint is of another stream', async () => {
    const stream = await table('reader-gone');
    await writeCommit(client, stream.tableName, 'a', 1);
    const gone = await readUntil(reader(stream), { streamArn: stream.streamArn, shards: { 'shardId-00000001000000000000-expired0': '000000000000000000005' } }, atLeast(1));
    expect(gone.polls[0]!.lost).toBe(true);
    expect(Object.keys(gone.checkpoint.shards)).toEqual([gone.records[0]!.shardId]);

    // A finished shard that expired is dropped without a loss.
    const finished = await reader(stream).poll({ streamArn: stream.streamArn, shards: { 'shardId-00000001000000000000-expired1': 'end', ...gone.checkpoint.shards } });
    expect(finished).toMatchObject({ lost: false, shards: gone.checkpoint.shards });

    const otherStream = await reader(stream).poll({ streamArn: `${stream.streamArn}-old`, shards: { 'shardId-old': '000000000000000000009' } });
    expect(otherStream.lost).toBe(true);
    expect(otherStream.records.map(key)).toEqual(['a@1']);
  });

  it("reads a closed shard to its end ('end'), and a stream enabled anew starts over with records lost in between", async () => {
    const stream = await table('reader-closed');
    await writeCommit(client, stream.tableName, 'a', 1);
    // Disabling the stream closes its shards: they are read to their end, then never again.
    await client.send(new UpdateTableCommand({ TableName: stream.tableName, StreamSpecification: { StreamEnabled: false } }));
    expect(await latestStreamArn(client, stream.tableName)).toBeUndefined();
    const shards = reader(stream);
    const { records, checkpoint, polls } = await readUntil(shards, { shards: {} }, atLeast(1));
    let last = polls.at(-1)!;
    for (let i = 0; i < 50 && !Object.values(last.shards).includes('end'); i++) last = await shards.poll(checkpoint);
    expect(records.map(key)).toEqual(['a@1']);
    expect(last).toMatchObject({ atTip: true, lost: false });
    expect(Object.values(last.shards)).toEqual(['end']);
    const ended = { streamArn: stream.streamArn, shards: last.shards };
    expect(await reader(stream).poll(ended)).toMatchObject({ records: [], atTip: true, lost: false, shards: last.shards });

    // Enabled again: a new stream (new ARN). Commits written while it was off are in no stream: lost.
    await writeCommit(client, stream.tableName, 'a', 2);
    await client.send(new UpdateTableCommand({ TableName: stream.tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }));
    const renewed = (await latestStreamArn(client, stream.tableName))!;
    expect(renewed.streamArn).not.toBe(stream.streamArn);
    await writeCommit(client, stream.tableName, 'a', 3);
    const fresh = new StreamShardReader(streams, renewed.streamArn, RETRY);
    const afresh = await readUntil(fresh, ended, atLeast(1));
    expect(afresh.polls[0]!.lost).toBe(true);
    expect(afresh.records.map(key)).toEqual(['a@3']);
    expect(afresh.checkpoint.streamArn).toBe(renewed.streamArn);
  });

  it('reads a child shard only once its parent has ended, and reports a listed shard that vanished as lost', async () => {
    const stream = await table('reader-lineage');
    await writeCommit(client, stream.tableName, 'a', 1);
    const { Shards } = (await streams.send(new DescribeStreamCommand({ StreamArn: stream.streamArn }))).StreamDescription!;
    const parent = Shards![0]!.ShardId!;
    // DynamoDB Local never splits a shard: a child is added to what DescribeStream answers (it does not exist, so reading it fails as for an expired shard).
    const child = 'shardId-00000009999999999999-child000';
    tap.alterResponses('DescribeStreamCommand', (output) => {
      const description = output.StreamDescription as { Shards: unknown[] };
      description.Shards.push({ ShardId: child, ParentShardId: parent, SequenceNumberRange: { StartingSequenceNumber: '000000000000000000001' } });
    });
    const iteratorRequests: string[] = [];
    const iteratorsOf = (shardId: string) => iteratorRequests.filter((id) => id === shardId).length;
    tap.rewrite('GetShardIteratorCommand', (input) => void iteratorRequests.push(input.ShardId as string));
    const shards = reader(stream);
    const { records, checkpoint } = await readUntil(shards, { shards: {} }, atLeast(1));
    expect(records.map(key)).toEqual(['a@1']);
    expect(iteratorsOf(child)).toBe(0);

    await client.send(new UpdateTableCommand({ TableName: stream.tableName, StreamSpecification: { StreamEnabled: false } }));
    let poll = await shards.poll(checkpoint);
    for (let i = 0; i < 50 && poll.shards[parent] !== 'end'; i++) poll = await shards.poll({ streamArn: stream.streamArn, shards: poll.shards });
    // The parent ended: in the same poll, the child was read (and found gone: lost).
    expect(iteratorsOf(child)).toBe(1);
    expect(poll).toMatchObject({ lost: true, shards: { [parent]: 'end' } });
  });

  it('delivers every item of a split commit (one transaction)', async () => {
    const stream = await table('reader-split');
    await writeCommit(client, stream.tableName, 'small', 1);
    await writeCommit(client, stream.tableName, 'big', 1, 9, 3);
    await writeCommit(client, stream.tableName, 'small', 2);
    const { records } = await readUntil(reader(stream), { shards: {} }, atLeast(5));
    expect(records.map(key).sort()).toEqual(['big@1', 'big@4', 'big@7', 'small@1', 'small@2']);
    const slices = records.filter((r) => r.item.streamId === 'big');
    expect(slices.map((r) => [r.item.version, r.item.lastVersion, r.item.commitLastVersion])).toEqual([
      [1, 3, 9],
      [4, 6, 9],
      [7, 9, 9],
    ]);
    expect(new Set(slices.map((r) => r.item.commitId)).size).toBe(1);
  });

  it("skips the module's own items ($$...) but moves the checkpoint past them", async () => {
    const stream = await table('reader-reserved');
    await writeCommit(client, stream.tableName, 'a', 1);
    await writeReservedItem(client, stream.tableName, '$$feed', 1);
    await writeReservedItem(client, stream.tableName, '$$feed-indexer', 0);
    const shards = reader(stream);
    // Poll until the checkpoint has moved past the user record: the two reserved records were read.
    const { records, checkpoint } = await readUntil(shards, { shards: {} }, atLeast(1));
    let last = checkpoint;
    for (let i = 0; i < 500 && compareSequenceNumbers(Object.values(last.shards)[0]!, records[0]!.sequenceNumber) <= 0; i++) {
      const poll = await shards.poll(last);
      expect(poll.records).toEqual([]);
      last = { streamArn: poll.streamArn, shards: poll.shards };
    }
    expect(records.map(key)).toEqual(['a@1']);
    expect(compareSequenceNumbers(Object.values(last.shards)[0]!, records[0]!.sequenceNumber)).toBeGreaterThan(0);
    // From there, a fresh reader finds nothing: the reserved records are not read again.
    const after = await reader(stream).poll(last);
    expect(after).toMatchObject({ records: [], atTip: true, shards: last.shards });
  });

  it('stops a poll at its record budget, and the next poll goes on from there', async () => {
    const stream = await table('reader-budget');
    for (let version = 1; version <= 7; version++) await writeCommit(client, stream.tableName, 'a', version);
    const shards = reader(stream, { maxRecords: 3 });
    const { records, polls } = await readUntil(shards, { shards: {} }, atLeast(7));
    expect(records.map((r) => r.item.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(polls.every((poll) => poll.records.length <= 3)).toBe(true);
    expect(polls.some((poll) => poll.records.length === 3 && !poll.atTip)).toBe(true);
  });

  it('reads every page of DescribeStream', async () => {
    const stream = await table('reader-pages');
    await writeCommit(client, stream.tableName, 'a', 1);
    const { Shards } = (await streams.send(new DescribeStreamCommand({ StreamArn: stream.streamArn }))).StreamDescription!;
    tap.reset();
    // The first page ends after the first shard (as DynamoDB does past 100 shards); the reader must ask for the rest.
    let pages = 0;
    const starts: Array<string | undefined> = [];
    tap.rewrite('DescribeStreamCommand', (input) => void starts.push(input.ExclusiveStartShardId as string | undefined));
    tap.alterResponses('DescribeStreamCommand', (output) => {
      const description = output.StreamDescription as { LastEvaluatedShardId?: string; Shards?: unknown[] };
      if (pages++ === 0) {
        description.Shards = description.Shards!.slice(0, 1);
        description.LastEvaluatedShardId = Shards![0]!.ShardId;
      }
    });
    const { records } = await readUntil(reader(stream), { shards: {} }, atLeast(1));
    expect(records.map(key)).toEqual(['a@1']);
    expect(starts.slice(0, 2)).toEqual([undefined, Shards![0]!.ShardId]);
  });

  it('refuses a stream without new images, naming the fix', async () => {
    const keysOnly = await createStreamedTable(client, 'reader-keys-only', 'KEYS_ONLY');
    tables.push(keysOnly.tableName);
    expect(await latestStreamArn(client, keysOnly.tableName)).toEqual({ streamArn: keysOnly.streamArn, viewType: 'KEYS_ONLY' });
    const error = await reader(keysOnly)
      .poll({ shards: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedStreamViewTypeError);
    expect(error).toMatchObject({ code: EventStoreErrorCode.FEED_STREAM_VIEW_TYPE, viewType: 'KEYS_ONLY' });
    expect((error as Error).message).toContain('NEW_IMAGE');
  });

  it('retries a throttled read (LimitExceededException) and gives up after the retry budget', async () => {
    const stream = await table('reader-throttled');
    await writeCommit(client, stream.tableName, 'a', 1);
    tap.failNext('GetRecordsCommand', RETRY.maxAttempts - 1, 'LimitExceededException');
    const { records } = await readUntil(reader(stream), { shards: {} }, atLeast(1));
    expect(records.map(key)).toEqual(['a@1']);
    tap.failNext('DescribeStreamCommand', RETRY.maxAttempts, 'LimitExceededException');
    await expect(reader(stream).poll({ shards: {} })).rejects.toMatchObject({ code: EventStoreErrorCode.RETRIES_EXHAUSTED });
  });
});

import { DynamoDBClient, GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { DynamoEventSourcingModule, EventStore, NO_STREAM, SnapshotRepository, StreamDeletedError } from '../lib/index.js';
import { MoneyDeposited, TEST_EVENTS } from './support/events.js';
import { EventItemAttribute as A } from '../lib/tables/events-table.js';
import { FEED_INDEX_STREAM } from '../lib/feed/index/feed-index-keys.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { EVENT_SOURCING_RUNTIME } from '../lib/dynamo-event-sourcing.constants.js';
import type { EventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import { WarmWriter } from './support/lifecycle-processes/warm-writer.js';

/**
 * Deletes against a second process whose boundary cache is warm: it appended the stream's commits
 * itself, so it trusts their ends and would append at them without reading the stream's head. The
 * tombstone, and for hard deletes the purge fence, must make every such append fail: no overlap,
 * no resurrected event, no write that lands unseen.
 */
describe('Deleting a stream while another process has it cached', () => {
  const client = new DynamoDBClient(testClientConfig());
  let app: EventStoreApp;
  let writer: WarmWriter;
  let fencedWriter: WarmWriter;
  /** The soft-delete writer trusts what it saw for this long: far beyond the test's steps. */
  const SOFT_TRUST_MS = 120_000;
  /** The hard-delete writer's trust: within the deleting app's purge fence (2,000 ms), as every process's must be. */
  const FENCED_TRUST_MS = 1_500;

  beforeAll(async () => {
    const snapshotsTable = uniqueTableName('stale-cache-snapshots');
    app = await createEventStoreApp('stale-cache', { feed: {}, snapshots: {}, tables: { snapshots: snapshotsTable }, boundaryCache: { trustMs: 1_500 }, lifecycle: { purgeFenceMs: 2_000 } });
    [writer, fencedWriter] = await Promise.all([WarmWriter.start(app.tableName, SOFT_TRUST_MS), WarmWriter.start(app.tableName, FENCED_TRUST_MS)]);
  }, 60_000);

  afterAll(async () => {
    await writer?.stop();
    await fencedWriter?.stop();
    await app?.close(); // its snapshots table too
  });

  async function rawItems(streamId: string): Promise<Array<Record<string, AttributeValue>>> {
    const { Items } = await client.send(
      new QueryCommand({ TableName: app.tableName, KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': A.streamId }, ExpressionAttributeValues: { ':s': { S: streamId } }, ConsistentRead: true }),
    );
    return Items ?? [];
  }

  /** Three commits by the writer process: it then trusts versions 2, 4 and 6 as commit ends. */
  async function writtenByTheOtherProcess(streamId: string, by = writer): Promise<void> {
    expect(await by.ask({ type: 'append', streamId, expectedVersion: NO_STREAM, count: 2 })).toMatchObject({ ok: true, version: 2 });
    expect(await by.ask({ type: 'append', streamId, expectedVersion: 2, count: 2 })).toMatchObject({ ok: true, version: 4 });
    expect(await by.ask({ type: 'append', streamId, expectedVersion: 4, count: 2 })).toMatchObject({ ok: true, version: 6 });
  }

  it('soft: the other process cannot append at any version it cached; NO_STREAM continues after the tombstone', async () => {
    const streamId = 'stale-soft-1';
    await writtenByTheOtherProcess(streamId);
    await app.store.deleteStream(streamId, { expectedVersion: 6 });

    for (const cached of [6, 4, 2]) {
      expect(await writer.ask({ type: 'append', streamId, expectedVersion: cached, count: 1 })).toMatchObject({ ok: false, name: 'ConcurrencyError', code: 'CONCURRENCY' });
    }
    // The stream's items are the three commits, the tombstone right after them, and the metadata: nothing else was written.
    expect((await rawItems(streamId)).map((item) => Number(item[A.version]!.N))).toEqual([0, 1, 3, 5, 7]);
    expect(await writer.ask({ type: 'read', streamId })).toEqual({ id: expect.any(Number), ok: true, versions: [] });
    expect(await collect(app.store.read(streamId))).toEqual([]);

    expect(await writer.ask({ type: 'append', streamId, expectedVersion: NO_STREAM, count: 1 })).toMatchObject({ ok: true, version: 8 });
    expect(await writer.ask({ type: 'read', streamId })).toMatchObject({ ok: true, versions: [8] });
    expect((await collect(app.store.read(streamId))).map((e) => e.version)).toEqual([8]);
  });

  it('hard: refused during the purge fence and after it; a raw scan finds no event, snapshot or index entry of the stream', async () => {
    const streamId = 'stale-hard-1';
    const snapshots = app.module.get(SnapshotRepository);
    await writtenByTheOtherProcess(streamId, fencedWriter);
    await snapshots.save(streamId, 4, { balance: 4 }, { revision: 1 });
    await app.feedIndexed();

    const deleting = app.store.deleteStream(streamId, { expectedVersion: 6, mode: 'hard' });
    await tombstoneWritten(streamId, 7);
    // Within the fence: the events are still stored, and every append the other process tries is refused.
    for (const cached of [6, 4, 2]) {
      expect(await fencedWriter.ask({ type: 'append', streamId, expectedVersion: cached, count: 1 })).toMatchObject({ ok: false, name: 'StreamDeletedError', code: 'STREAM_DELETED' });
    }
    const report = await deleting;
    expect(report).toMatchObject({ operation: 'stream.delete', streamId, mode: 'hard' });
    expect(report.actions.map((action) => action.what)).toEqual(
      expect.arrayContaining(['tombstone-written', 'stream-hidden', 'events-deleted', 'snapshots-deleted', 'feed-index-entries-erased']),
    );

    // After the erasure: every cached version, and a fresh start, still refused, for ever.
    for (const expectedVersion of [6, 4, 2, NO_STREAM]) {
      expect(await fencedWriter.ask({ type: 'append', streamId, expectedVersion, count: 1 })).toMatchObject({ ok: false, name: 'StreamDeletedError' });
    }
    expect(await fencedWriter.ask({ type: 'read', streamId })).toMatchObject({ ok: false, name: 'StreamDeletedError' });
    await expect(collect(app.store.read(streamId))).rejects.toBeInstanceOf(StreamDeletedError);

    // What is left of the stream: its metadata (key 0), the stub keeping key 1 taken, the tombstone. No event data.
    const left = await rawItems(streamId);
    expect(left.map((item) => Number(item[A.version]!.N))).toEqual([0, 1, 7]);
    expect(left[1]![A.events]).toEqual({ S: '[]' });
    expect(JSON.parse(left[2]![A.events]!.S!)).toEqual([{ type: '$streamDeleted', data: { mode: 'hard', deletedVersion: 6 } }]);
    expect(JSON.stringify(left)).not.toContain('MoneyDeposited');
    expect(await snapshots.load(streamId)).toBeUndefined();
    const snapshotItems = await client.send(
      new QueryCommand({ TableName: app.module.get<EventSourcingRuntime>(EVENT_SOURCING_RUNTIME).options.snapshotsTable, KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'streamId' }, ExpressionAttributeValues: { ':s': { S: streamId } } }),
    );
    expect(snapshotItems.Items ?? []).toEqual([]);

    await app.feedIndexed();
    const index = await client.send(
      new QueryCommand({ TableName: app.tableName, KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': A.streamId }, ExpressionAttributeValues: { ':s': { S: FEED_INDEX_STREAM } }, ConsistentRead: true }),
    );
    const entries = (index.Items ?? []).flatMap((item) => (item.commits?.S === undefined ? [] : (JSON.parse(item.commits.S) as Array<[string, number, number]>)));
    expect(entries.filter(([stream]) => stream === streamId)).toEqual([[streamId, 7, 7]]);
  });

  it('an append whose cached position outlives its trust while the SDK retries it reads the head instead of landing among erased items', async () => {
    const streamId = 'stale-retry-1';
    // Another app instance (this process), trusting what it saw for 1,000 ms: within the deleting app's fence.
    const retryingClient = new DynamoDBClient({ ...testClientConfig(), maxAttempts: 3 });
    const retrying = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({ client: retryingClient, tableSetup: 'verify', events: TEST_EVENTS, feed: false, boundaryCache: { trustMs: 1_000 }, tables: { events: app.tableName } }),
      ],
    }).compile();
    await retrying.init();
    try {
      const store = retrying.get(EventStore);
      await store.append(streamId, [new MoneyDeposited(streamId, 1), new MoneyDeposited(streamId, 2)], { expectedVersion: NO_STREAM });
      await store.append(streamId, [new MoneyDeposited(streamId, 3), new MoneyDeposited(streamId, 4)], { expectedVersion: 2 });
      // Its next write's first attempt is throttled, once the stream has been hard-deleted and erased meanwhile:
      // the SDK sends it again on its own, with the position the cache gave before the delete (key 3, now free).
      let faulted = false;
      retryingClient.middlewareStack.addRelativeTo(
        ((next: (args: object) => Promise<unknown>, context: { commandName?: string }) => async (args: object) => {
          if (context.commandName === 'PutItemCommand' && !faulted) {
            faulted = true;
            await app.store.deleteStream(streamId, { expectedVersion: 4, mode: 'hard' });
            throw Object.assign(new Error('injected throttle'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
          }
          return next(args);
        }) as never,
        { relation: 'after', toMiddleware: 'retryMiddleware', name: 'deleteThenThrottle' },
      );
      const outcome = await store.append(streamId, [new MoneyDeposited(streamId, 5)], { expectedVersion: 2 }).catch((e: Error) => e);
      expect(faulted).toBe(true);
      expect(outcome).toBeInstanceOf(StreamDeletedError);
      expect((await rawItems(streamId)).map((item) => Number(item[A.version]!.N))).toEqual([0, 1, 5]);
    } finally {
      await retrying.close();
    }
  });

  /** Waits (polling the table) until the deletion's tombstone is stored. */
  async function tombstoneWritten(streamId: string, version: number): Promise<void> {
    for (;;) {
      const { Item } = await client.send(new GetItemCommand({ TableName: app.tableName, Key: { [A.streamId]: { S: streamId }, [A.version]: { N: String(version) } }, ConsistentRead: true }));
      if (Item !== undefined) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});

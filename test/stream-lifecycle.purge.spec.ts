import { DynamoDBClient, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  DynamoEventSourcingModule,
  EventStore,
  getAggregateRepositoryToken,
  NO_STREAM,
  SnapshotRepository,
  StreamPurger,
  type AggregateRepository,
} from '../lib/index.js';
import { StreamLifecycleTable } from '../lib/lifecycle/stream-lifecycle-table.js';
import { DEFAULT_RETRY } from '../lib/event-store/retry-policy.js';
import { EventItemAttribute as A } from '../lib/tables/events-table.js';
import { collect, feedIndexed } from './support/event-store-app.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { MoneyDeposited, TEST_EVENTS } from './support/events.js';

/** Sums deposits; its snapshots are taken by hand in these tests. */
class Tally extends AggregateRoot {
  total = 0;
  deposits = 0;
  constructor(readonly id: string) {
    super();
  }
  onMoneyDeposited(event: MoneyDeposited): void {
    this.total += event.amount;
    this.deposits++;
  }
}

/** A moving clock for maxAge (commit times are stamped by it too). */
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;

describe('streams purge (StreamPurger)', () => {
  const table = uniqueTableName('purge');
  const client = new DynamoDBClient(testClientConfig());
  let module: TestingModule;
  let store: EventStore;
  let purger: StreamPurger;
  let snapshots: SnapshotRepository;
  let tallies: AggregateRepository<Tally>;

  beforeAll(async () => {
    module = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({
          clientConfig: testClientConfig(),
          tableSetup: 'create',
          tables: { events: table, snapshots: `${table}-snapshots` },
          events: TEST_EVENTS,
          snapshots: {},
          feed: {},
          boundaryCache: { trustMs: 500 },
          lifecycle: { purgeFenceMs: 500, clock },
        }),
        DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Tally, name: 'tally', snapshots: { policy: () => false } }] }),
      ],
    }).compile();
    await module.init();
    store = module.get(EventStore);
    purger = module.get(StreamPurger);
    snapshots = module.get(SnapshotRepository);
    tallies = module.get(getAggregateRepositoryToken(Tally));
  }, 60_000);

  afterAll(async () => {
    await module?.close();
    await deleteTables(table, `${table}-snapshots`).catch(() => undefined);
  });

  async function rawVersions(streamId: string): Promise<Array<Record<string, AttributeValue>>> {
    const { Items } = await client.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': A.streamId }, ExpressionAttributeValues: { ':s': { S: streamId } }, ConsistentRead: true }),
    );
    return Items ?? [];
  }
  const keysOf = (items: Array<Record<string, AttributeValue>>) => items.map((item) => Number(item[A.version]!.N));
  const versionsRead = async (streamId: string) => (await collect(store.read(streamId))).map((e) => e.version);

  /** `commits` commits of `size` deposits of 1 each. */
  async function stream(streamId: string, commits: number, size: number): Promise<void> {
    for (let c = 0; c < commits; c++) {
      const events = Array.from({ length: size }, () => new MoneyDeposited(streamId, 1));
      await store.append(streamId, events, { expectedVersion: c === 0 ? NO_STREAM : c * size });
    }
  }

  it('maxCount: deletes the commits that end before the kept events and the snapshots they made useless; an aggregate still loads', async () => {
    const streamId = 'tally-count';
    await stream(streamId, 4, 250); // 1-250, 251-500, 501-750, 751-1000
    await snapshots.save(streamId, 500, { id: 'count', total: 500, deposits: 500 }, { revision: 1 });
    await snapshots.save(streamId, 950, { id: 'count', total: 950, deposits: 950 }, { revision: 1 });
    await store.setStreamMetadata(streamId, { maxCount: 100 });
    const before = await tallies.load('count');
    expect(before).toMatchObject({ total: 1000, deposits: 1000 }); // the snapshot at 950, then 951-1000

    const report = await purger.purge({ streamIds: [streamId] });
    expect(report.operation).toBe('streams.purge');
    expect(report.actions).toEqual([
      expect.objectContaining({ what: 'events-deleted', where: table, count: 750 }),
      expect.objectContaining({ what: 'snapshots-deleted', count: 1 }),
    ]);
    // The stub (versions 1-750) keeps key 1 taken; the commit holding the cut stays whole; the metadata item at 0.
    const left = await rawVersions(streamId);
    expect(keysOf(left)).toEqual([0, 1, 751]);
    expect(left[1]).toMatchObject({ [A.lastVersion]: { N: '750' }, [A.events]: { S: '[]' }, [A.purged]: { BOOL: true } });
    expect(await store.getStreamMetadata(streamId)).toEqual({ maxCount: 100, truncateBefore: 901 });
    expect(await versionsRead(streamId)).toEqual(Array.from({ length: 100 }, (_, i) => 901 + i));
    expect((await snapshots.load(streamId))?.version).toBe(950);
    expect(await tallies.load('count')).toMatchObject({ total: 1000, deposits: 1000 });

    // Appends go on at the stream's version; a second purge has nothing new to delete.
    expect((await store.append(streamId, [new MoneyDeposited(streamId, 1)], { expectedVersion: 1000 })).version).toBe(1001);
    expect((await purger.purge({ streamIds: [streamId] })).actions).toEqual([]);
  });

  it('an aggregate whose snapshot is older than the cut loads from the first kept event', async () => {
    const streamId = 'tally-old-snapshot';
    await stream(streamId, 2, 10);
    await snapshots.save(streamId, 5, { id: 'old-snapshot', total: 5, deposits: 5 }, { revision: 1 });
    await store.truncateStream(streamId, { before: 16 });
    expect(await tallies.load('old-snapshot')).toMatchObject({ total: 5, deposits: 5 }); // events 16-20 only
  });

  it("an aggregate this process has cached at its snapshot's version still sees another process's delete or truncation", async () => {
    const other = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'verify', tables: { events: table }, events: TEST_EVENTS, feed: false }),
      ],
    }).compile();
    await other.init();
    try {
      const others = other.get(EventStore);
      const cases = [
        // Deleted: no aggregate.
        { id: 'cached-deleted', change: (streamId: string) => others.deleteStream(streamId, { expectedVersion: 6 }), expected: null },
        // Truncated past the snapshot: the snapshot (1-4) would skip event 5; the aggregate is folded from event 6 alone.
        { id: 'cached-truncated', change: (streamId: string) => others.truncateStream(streamId, { before: 6 }), expected: { total: 1, deposits: 1 } },
        // Truncated right after it: nothing is missing between the snapshot and the kept events.
        { id: 'cached-cut-at-snapshot', change: (streamId: string) => others.truncateStream(streamId, { before: 5 }), expected: { total: 6, deposits: 6 } },
      ];
      for (const { id, change, expected } of cases) {
        const streamId = `tally-${id}`;
        await stream(streamId, 3, 2); // this process now knows versions 2, 4 and 6 end commits
        await snapshots.save(streamId, 4, { id, total: 4, deposits: 4 }, { revision: 1 });
        expect(await tallies.load(id)).toMatchObject({ total: 6 });
        await change(streamId);
        const loaded = await tallies.load(id);
        expect(loaded === null ? null : { total: loaded.total, deposits: loaded.deposits }).toEqual(expected);
      }
    } finally {
      await other.close();
    }
  });

  it('maxAge: by the clock; what is older is hidden at once and purged later', async () => {
    const streamId = 'tally-age';
    await stream(streamId, 2, 5); // committed now
    offsetMs += 3_600_000;
    await store.append(streamId, [new MoneyDeposited(streamId, 1)], { expectedVersion: 10 }); // an hour later
    await store.setStreamMetadata(streamId, { maxAge: 1_800_000 });
    expect(await versionsRead(streamId)).toEqual([11]);
    const report = await purger.purge({ streamIds: [streamId] });
    expect(report.actions).toEqual([expect.objectContaining({ what: 'events-deleted', count: 10 })]);
    expect(keysOf(await rawVersions(streamId))).toEqual([0, 1, 11]);
    expect(await versionsRead(streamId)).toEqual([11]);
  });

  it('a soft-deleted stream: its events are deleted, its tombstone stays for good, and it continues after it', async () => {
    const streamId = 'tally-soft';
    await stream(streamId, 3, 2);
    await store.deleteStream(streamId, { expectedVersion: 6 });
    const report = await purger.purge(); // every stream with metadata
    expect(report.actions).toEqual(expect.arrayContaining([expect.objectContaining({ what: 'events-deleted', count: 6, detail: expect.stringContaining(streamId) })]));
    expect(keysOf(await rawVersions(streamId))).toEqual([0, 1, 7]);
    // NO_STREAM collides with the stub at key 1, reads the head (the tombstone) and continues after it.
    expect((await store.append(streamId, [new MoneyDeposited(streamId, 2)], { expectedVersion: NO_STREAM })).version).toBe(8);
    expect(await versionsRead(streamId)).toEqual([8]);

    // Truncated again past the new events: the tombstone, now in the middle, stays (a lagging projection still gets
    // its StreamDeleted), and the run after it is a stub of its own, so the chain of items stays whole.
    await store.append(streamId, [new MoneyDeposited(streamId, 3)], { expectedVersion: 8 });
    await store.truncateStream(streamId, { before: 9 });
    const again = await purger.purge({ streamIds: [streamId] });
    expect(again.actions).toEqual([expect.objectContaining({ what: 'events-deleted', count: 1 })]);
    const left = await rawVersions(streamId);
    expect(keysOf(left)).toEqual([0, 1, 7, 8, 9]);
    expect(left.map((item) => item[A.purged]?.BOOL ?? item[A.deleted]?.S ?? 'events')).toEqual([undefined, true, 'soft', true, 'events'].map((v) => v ?? 'events'));
    expect(await versionsRead(streamId)).toEqual([9]);
    expect((await store.append(streamId, [new MoneyDeposited(streamId, 4)], { expectedVersion: 9 })).version).toBe(10);
    expect(await versionsRead(streamId)).toEqual([9, 10]);
  });

  it('finishes a hard delete that was interrupted before its erasure, once, and then has nothing left to do', async () => {
    const streamId = 'tally-interrupted';
    await stream(streamId, 2, 3);
    await snapshots.save(streamId, 3, { id: 'interrupted', total: 3, deposits: 3 }, { revision: 1 });
    // What deleteStream writes first, with the process gone before it erased anything.
    const lifecycle = new StreamLifecycleTable(client, table, DEFAULT_RETRY);
    const at = Date.now();
    expect(await lifecycle.writeDeletion(streamId, 6, 'hard', { truncateBefore: 8, truncatedAt: at, deleted: { mode: 'hard', version: 6, at } }, 0, at)).toBe('written');
    expect(keysOf(await rawVersions(streamId))).toEqual([0, 1, 4, 7]);
    await feedIndexed(table); // the tombstone too: the erasure can then complete

    const report = await purger.purge({ streamIds: [streamId] });
    expect(report.actions.map((action) => action.what)).toEqual(['events-deleted', 'snapshots-deleted', 'feed-index-entries-erased']);
    expect(keysOf(await rawVersions(streamId))).toEqual([0, 1, 7]);
    expect(await snapshots.load(streamId)).toBeUndefined();
    await expect(collect(store.read(streamId))).rejects.toMatchObject({ code: 'STREAM_DELETED' });
    // Complete (the index had the tombstone): later purges have nothing left to do for the stream.
    expect((await purger.purge({ streamIds: [streamId] })).actions).toEqual([]);
  });

  it('a replay that outlives a hard delete of its stream ends with StreamDeletedError, not with what it read so far', async () => {
    const streamId = 'tally-replayed';
    await stream(streamId, 4, 2);
    const seen: number[] = [];
    const replaying = store.replay(
      streamId,
      async ({ version }) => {
        seen.push(version);
        if (version === 2) await store.deleteStream(streamId, { expectedVersion: 8, mode: 'hard' }); // erased under the replay
      },
      { pageSize: 2 },
    );
    await expect(replaying).rejects.toMatchObject({ code: 'STREAM_DELETED', streamId });
    expect(seen).toEqual([1, 2]);
  });

  it('refuses a bad stream id before any request', async () => {
    await expect(purger.purge({ streamIds: [''] })).rejects.toMatchObject({ code: 'INVALID_STREAM_ID' });
  });
});

import { DeleteItemCommand, DynamoDBClient, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom, toArray } from 'rxjs';
import { DEFAULT_RETRY } from '../lib/event-store/retry-policy.js';
import { eraseStreamFromIndex } from '../lib/feed/index/feed-index-eraser.js';
import { FEED_INDEX_STREAM, FeedIndexAttribute as F } from '../lib/feed/index/feed-index-keys.js';
import { encodeStreamMetadataItem, purgeStubItem, tombstoneItem, type StoredStreamMeta } from '../lib/lifecycle/stream-metadata-item.codec.js';
import { Projection, ProjectionHandler, reconcileFeedIndex, StreamDeleted, StreamIntegrityError, type FeedEvent, type ReplayAllOptions } from '../lib/index.js';
import { EventItemAttribute as A } from '../lib/tables/events-table.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { createEventStoreApp, feedIndexed, type EventStoreApp } from './support/event-store-app.js';
import { deposits, MoneyDeposited } from './support/events.js';
import { createProjectionApp, deleteProjectionTables, projectionTables, storedProjection, waitUntil } from './support/projection-app.js';
import { ProjectionRecorder, ProjectionRecorderModule } from './support/projection-recorder.js';
import { createStreamedEventsTable, indexedCommits, putCommit } from './support/raw-commits.js';

/**
 * The feed side of the stream lifecycle: metadata items and purge stubs never reach the feed index,
 * a tombstone comes out of the feed as a typed StreamDeleted, purged commits are passed over (and
 * checkpoints go past them), and a hard-deleted stream is erased from the index. Deletions are
 * simulated with raw writes in the layout the lifecycle operations write (lib/lifecycle).
 */
const client = new DynamoDBClient(testClientConfig());
afterAll(() => client.destroy());

const replayAll = (app: EventStoreApp, options: Partial<ReplayAllOptions> = {}): Promise<FeedEvent[]> => lastValueFrom(app.store.replayAll$({ pageSize: 100, ...options }).pipe(toArray()));
const ids = (events: readonly FeedEvent[]): string[] => events.map((e) => `${e.streamId}@${e.version}`);
const byId = (events: readonly FeedEvent[]) => new Map(events.map((e) => [`${e.streamId}@${e.version}`, e.checkpoint]));

const put = (tableName: string, Item: Record<string, AttributeValue>) => client.send(new PutItemCommand({ TableName: tableName, Item }));
const remove = (tableName: string, streamId: string, version: number) =>
  client.send(new DeleteItemCommand({ TableName: tableName, Key: { [A.streamId]: { S: streamId }, [A.version]: { N: String(version) } } }));

/** A deletion as deleteStream stores it: the tombstone at `deletedVersion + 1`, and the metadata item saying so. */
async function writeDeletion(tableName: string, streamId: string, deletedVersion: number, mode: 'soft' | 'hard'): Promise<void> {
  const at = Date.now();
  const meta: StoredStreamMeta = { truncateBefore: deletedVersion + 2, deleted: { mode, version: deletedVersion, at } };
  await put(tableName, tombstoneItem(streamId, deletedVersion, mode, at));
  await put(tableName, encodeStreamMetadataItem(streamId, meta, 1, at));
}

/** A purge as `streams purge` (or a hard delete) does it: the stub over item 1, then the items it stands for deleted. */
async function purge(tableName: string, streamId: string, through: number): Promise<void> {
  await put(tableName, purgeStubItem(streamId, 1, through, Date.now()));
  for (let version = 2; version <= through; version++) await remove(tableName, streamId, version);
}

/** The `commits` JSON of every batch of the feed index, read raw. */
async function rawIndexEntries(tableName: string): Promise<string[]> {
  const entries: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#s = :s AND #v >= :one',
        ExpressionAttributeNames: { '#s': A.streamId, '#v': A.version },
        ExpressionAttributeValues: { ':s': { S: FEED_INDEX_STREAM }, ':one': { N: '1' } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) entries.push(item[F.commits]!.S!);
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return entries;
}

describe('The feed and deleted, truncated and purged streams', () => {
  let app: EventStoreApp;
  beforeAll(async () => {
    app = await createEventStoreApp('feed-lifecycle', { feed: {} }); // with the in-app indexer
    await app.store.append('keep-1', deposits('keep-1', 2), { expectedVersion: 0 });
    for (let v = 0; v < 3; v++) await app.store.append('gone', deposits('gone', 1, 0, v + 1), { expectedVersion: v });
    await app.store.append('keep-2', deposits('keep-2', 1), { expectedVersion: 0 });
    await put(app.tableName, encodeStreamMetadataItem('keep-2', { maxCount: 10 }, 1, Date.now())); // a live stream's metadata
    await writeDeletion(app.tableName, 'gone', 3, 'hard');
    await app.store.append('keep-1', deposits('keep-1', 1, 0, 3), { expectedVersion: 2 });
    await app.feedIndexed();
  }, 30_000);
  afterAll(() => app.close());

  let beforePurge: FeedEvent[];

  it('indexes the tombstone like any commit, never a metadata item, and delivers it as a typed StreamDeleted', async () => {
    const indexed = await indexedCommits(client, app.tableName);
    expect(indexed.map((c) => `${c.streamId}@${c.version}`)).toEqual(['keep-1@1', 'gone@1', 'gone@2', 'gone@3', 'keep-2@1', 'gone@4', 'keep-1@3']);

    beforePurge = await replayAll(app);
    expect(ids(beforePurge)).toEqual(['keep-1@1', 'keep-1@2', 'gone@1', 'gone@2', 'gone@3', 'keep-2@1', 'gone@4', 'keep-1@3']);
    const deleted = beforePurge.find((e) => e.streamId === 'gone' && e.version === 4)!;
    expect(deleted.event).toBeInstanceOf(StreamDeleted);
    expect(deleted).toMatchObject({ eventType: '$streamDeleted', event: { mode: 'hard', deletedVersion: 3 } });

    const onlyDeletions = await replayAll(app, { eventTypes: [StreamDeleted] });
    expect(onlyDeletions.map((e) => [e.streamId, e.version, e.checkpoint])).toEqual([['gone', 4, deleted.checkpoint]]);
  });

  it("passes over a purged stream's commits (checkpoints of the others unchanged), and never indexes its stub", async () => {
    await purge(app.tableName, 'gone', 3);
    await app.store.append('keep-2', deposits('keep-2', 1, 0, 2), { expectedVersion: 1 });
    await app.feedIndexed();
    const indexed = await indexedCommits(client, app.tableName);
    expect(indexed.map((c) => `${c.streamId}@${c.version}`).slice(7)).toEqual(['keep-2@2']); // the stub's MODIFY is no commit

    const afterPurge = await replayAll(app);
    expect(ids(afterPurge)).toEqual(['keep-1@1', 'keep-1@2', 'keep-2@1', 'gone@4', 'keep-1@3', 'keep-2@2']);
    const before = byId(beforePurge);
    for (const event of afterPurge.filter((e) => e.streamId !== 'keep-2' || e.version === 1)) expect(event.checkpoint).toBe(before.get(`${event.streamId}@${event.version}`));
    // Read from a checkpoint before the purged commits, page by page: the same.
    const fromStart = await replayAll(app, { from: afterPurge[0]!.checkpoint, pageSize: 1 });
    expect(ids(fromStart)).toEqual(ids(afterPurge.slice(1)));
  });

  it('erases the stream from the feed index but for its tombstone; positions and checkpoints stay', async () => {
    const feedBefore = await replayAll(app);
    const tombstonePosition = (await indexedCommits(client, app.tableName)).find((c) => c.streamId === 'gone' && c.version === 4)!.position;

    const erasure = await eraseStreamFromIndex(client, app.tableName, 'gone', { retry: DEFAULT_RETRY });
    expect(erasure).toMatchObject({ entriesErased: 3, keptPosition: tombstonePosition });
    expect(erasure.batchesRewritten).toBeGreaterThanOrEqual(1);
    const raw = (await rawIndexEntries(app.tableName)).join('\n');
    expect(raw.match(/"gone"/g)).toEqual(['"gone"']); // only the tombstone's entry names it
    expect(raw).toContain('["gone",4,4]');
    expect(raw.match(/\["",0,0\]/g)).toHaveLength(3);

    const feedAfter = await replayAll(app);
    expect(feedAfter.map((e) => [e.streamId, e.version, e.checkpoint])).toEqual(feedBefore.map((e) => [e.streamId, e.version, e.checkpoint]));
    expect(ids(await replayAll(app, { from: feedAfter[0]!.checkpoint, pageSize: 1 }))).toEqual(ids(feedAfter.slice(1)));
    // Idempotent: nothing is left to erase.
    expect(await eraseStreamFromIndex(client, app.tableName, 'gone')).toMatchObject({ entriesErased: 0, batchesRewritten: 0, keptPosition: tombstonePosition });
  });

  it('still refuses a missing commit of a live stream (changed by hand): StreamIntegrityError', async () => {
    await remove(app.tableName, 'keep-1', 3);
    await expect(replayAll(app)).rejects.toBeInstanceOf(StreamIntegrityError);
  });
});

/** Records every deposit and deletion it is given. */
@Projection('lifecycle-ledger', { pollIntervalMs: 50, pageSize: 2 })
class LifecycleLedger {
  constructor(readonly recorder: ProjectionRecorder) {}

  @ProjectionHandler(MoneyDeposited, StreamDeleted)
  on(event: MoneyDeposited | StreamDeleted, envelope: FeedEvent<MoneyDeposited | StreamDeleted>): Promise<void> {
    if (envelope.eventType === '$streamDeleted') expect(event).toBeInstanceOf(StreamDeleted);
    return this.recorder.record(envelope);
  }
}

describe('A projection over deletions and purged commits', () => {
  it('handles StreamDeleted, and its checkpoint goes past purged commits to the head', async () => {
    const tables = projectionTables('feed-lifecycle-proj');
    const app = await createProjectionApp(tables, { projections: [LifecycleLedger], imports: [ProjectionRecorderModule], options: { projections: { autoStart: false } } });
    try {
      for (let v = 0; v < 2; v++) await app.store.append('closed', deposits('closed', 1, 0, v + 1), { expectedVersion: v });
      await app.store.append('open', deposits('open', 2), { expectedVersion: 0 });
      await writeDeletion(tables.events, 'closed', 2, 'hard');
      // Last in the feed: a truncated stream's commits, all purged before the projection reads them.
      for (let v = 0; v < 3; v++) await app.store.append('old', deposits('old', 1, 0, v + 1), { expectedVersion: v });
      await put(tables.events, encodeStreamMetadataItem('old', { truncateBefore: 4, truncatedAt: Date.now() }, 1, Date.now()));
      await feedIndexed(tables.events);
      await purge(tables.events, 'closed', 2);
      await purge(tables.events, 'old', 3);

      await app.manager.start('lifecycle-ledger');
      const recorder = app.module.get(LifecycleLedger).recorder;
      const head = (await indexedCommits(client, tables.events)).length;
      await waitUntil('the projection saved a checkpoint at the head', async () => Number((await storedProjection(tables, 'lifecycle-ledger'))?.checkpoint?.S?.split(':')[1]) === head);
      expect(recorder.ids()).toEqual(['open@1', 'open@2', 'closed@3']);
      expect(recorder.handled[2]!.event).toEqual(Object.assign(Object.create(StreamDeleted.prototype) as object, { mode: 'hard', deletedVersion: 2 }));
    } finally {
      await app.close();
      await deleteProjectionTables(tables);
    }
  }, 20_000);
});

describe('Feed reconciliation (a Scan of the table) and lifecycle items', () => {
  it('indexes neither metadata items nor purge stubs, nor the commits a stub stands for', async () => {
    const tableName = uniqueTableName('feed-lifecycle-rec');
    await createStreamedEventsTable(client, tableName);
    try {
      for (let v = 1; v <= 3; v++) await putCommit(client, tableName, 'r', v, 1);
      await putCommit(client, tableName, 's', 1, 2);
      await put(tableName, encodeStreamMetadataItem('r', { truncateBefore: 3, truncatedAt: Date.now() }, 1, Date.now()));
      await purge(tableName, 'r', 2);
      await put(tableName, encodeStreamMetadataItem('s', { maxAge: 60_000 }, 1, Date.now()));
      const report = await reconcileFeedIndex({ client, tableName, retry: DEFAULT_RETRY });
      expect(report.indexedCommits).toBe(2);
      expect((await indexedCommits(client, tableName)).map((c) => `${c.streamId}@${c.version}-${c.commitEnd}`).sort()).toEqual(['r@3-3', 's@1-2']);
    } finally {
      await deleteTables(tableName);
    }
  }, 20_000);
});

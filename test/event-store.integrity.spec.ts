import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AggregateRoot } from '@nestjs/cqrs';
import { lastValueFrom, toArray } from 'rxjs';
import { AggregateRepository, ANY, ConcurrencyError, NO_STREAM, StreamIntegrityError, type EventEnvelope, type EventStore } from '../lib/index.js';
import { DEFAULT_RETRY } from '../lib/event-store/retry-policy.js';
import { FeedIndexTable } from '../lib/feed/index/feed-index-table.js';
import { ConfigDirectory } from './support/cli-config-files.js';
import { runCli } from './support/cli-harness.js';
import { testClientConfig } from './support/dynamodb.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { deposits, type MoneyDeposited } from './support/events.js';

const versions = (envelopes: readonly EventEnvelope[]) => envelopes.map((e) => e.version);
const amounts = (envelopes: readonly EventEnvelope[]) => envelopes.map((e) => (e.event as MoneyDeposited).amount);

/** An aggregate over the test's deposits: loads go through the same reads. */
class Tally extends AggregateRoot {
  total = 0;
  constructor(readonly id: string) {
    super();
  }
  onMoneyDeposited(event: MoneyDeposited): void {
    this.total += event.amount;
  }
}

/**
 * A stream's items are written by this module only; but an item can still vanish (a hand delete,
 * a restore into a live table, DynamoDB Local losing an acknowledged write when killed). Then a
 * process whose boundary cache still says "4 ends a commit" must not write a commit over versions
 * another writer has taken since, and no read may hand out a stream stitched from two commits.
 */
describe('EventStore integrity after an item vanished', () => {
  let raw: DynamoDBClient;
  let tableName: string;
  let writer: EventStoreApp; // process P: wrote A1 and A2, so its cache knows where they end
  let other: EventStoreApp; // process Q: appends B after A2 vanished
  const opened: EventStoreApp[] = [];

  beforeAll(async () => {
    raw = new DynamoDBClient(testClientConfig());
    writer = await createEventStoreApp('integrity', { feed: { indexer: false } }); // the test writes the feed index itself
    tableName = writer.tableName;
    other = await open({});
  });
  afterAll(async () => {
    for (const app of opened) await app.module.close();
    await writer.close();
    raw.destroy();
  });

  /** Another app instance on the same table: another process, with a boundary cache of its own. */
  async function open(options: Parameters<typeof createEventStoreApp>[1]): Promise<EventStoreApp> {
    const app = await createEventStoreApp('integrity-other', { ...options, feed: { indexer: false }, tables: { events: tableName }, tableSetup: 'none' });
    opened.push(app);
    return app;
  }

  const deleteItem = (streamId: string, version: number) =>
    raw.send(new DeleteItemCommand({ TableName: tableName, Key: { streamId: { S: streamId }, version: { N: String(version) } } }));

  /**
   * The issue's scenario up to the stale append: P appends A1 (1-2) and A2 (3-4) through `p`;
   * A2's item vanishes; Q appends B (5 events, 'any') at 3-7. Returns B's commit id.
   */
  async function loseA2AndLetBLand(streamId: string, p: EventStore): Promise<{ a1: string; b: string }> {
    const a1 = await p.append(streamId, deposits(streamId, 2, 0, 10), { expectedVersion: NO_STREAM });
    await p.append(streamId, deposits(streamId, 2, 0, 30), { expectedVersion: 2 });
    await deleteItem(streamId, 3);
    const b = await other.store.append(streamId, deposits(streamId, 5, 0, 50), { expectedVersion: ANY });
    expect(b.version).toBe(7);
    return { a1: a1.commitId, b: b.commitId };
  }

  it('default cache: a stale append within the trust window can land, and then every read path fails loudly naming both commits', async () => {
    const streamId = `stale-${Date.now()}`;
    const { b } = await loseA2AndLetBLand(streamId, writer.store);
    // What remains possible by design: P trusted "4 ends a commit" (seen milliseconds ago) and the put at key 5 was free.
    const a3 = await writer.store.append(streamId, deposits(streamId, 3, 0, 70), { expectedVersion: 4 });

    const overlap = { problem: 'overlap', version: 5, first: { commitId: b, firstVersion: 3, lastVersion: 7 }, second: { commitId: a3.commitId, firstVersion: 5, lastVersion: 7 } };
    for (const store of [writer.store, other.store]) {
      const forward = collect(store.read(streamId));
      await expect(forward).rejects.toBeInstanceOf(StreamIntegrityError);
      await expect(forward).rejects.toMatchObject({ streamId, details: overlap });
      await expect(forward).rejects.toThrow(new RegExp(`commit "${b}" holds versions 3-7 and commit "${a3.commitId}" holds 5-7`));
      await expect(collect(store.read(streamId, { direction: 'backward' }))).rejects.toMatchObject({ details: { problem: 'overlap', version: 5 } });
      await expect(collect(store.read(streamId, { fromVersion: 6 }))).rejects.toMatchObject({ details: { problem: 'overlap' } });
      await expect(collect(store.read(streamId, { fromVersion: 2, toVersion: 6 }))).rejects.toBeInstanceOf(StreamIntegrityError);
      await expect(lastValueFrom(store.replay$(streamId, { pageSize: 2 }).pipe(toArray()))).rejects.toMatchObject({ details: { problem: 'overlap' } });
      await expect(lastValueFrom(store.replay$(streamId, { pageSize: 100 }).pipe(toArray()))).rejects.toBeInstanceOf(StreamIntegrityError);
    }
    // Aggregate loads read the same way.
    const tallies = new AggregateRepository({ type: Tally, name: 'tally' }, writer.store);
    const tallyStream = tallies.streamIdOf(streamId);
    await loseA2AndLetBLand(tallyStream, writer.store);
    await writer.store.append(tallyStream, deposits(tallyStream, 3, 0, 70), { expectedVersion: 4 });
    await expect(tallies.load(streamId)).rejects.toMatchObject({ streamId: tallyStream, details: { problem: 'overlap', version: 5 } });
    // So does the CLI's stream show, which says what it found and exits non-zero.
    const configs = new ConfigDirectory();
    try {
      const shown = await runCli(['stream', 'show', streamId, '--config', configs.json({ tables: { events: tableName } })]);
      expect(shown.code).not.toBe(0);
      expect(shown.stderr).toContain(`commit "${b}" holds versions 3-7 and commit "${a3.commitId}" holds 5-7`);
    } finally {
      configs.cleanup();
    }
    // The feed: its index lists A1 and A2 as an indexer saw them, before A2's item vanished and B was written over
    // A2's versions. The reader finds B where the index names A2, and does not hand the stream out stitched.
    const index = new FeedIndexTable(raw, tableName, DEFAULT_RETRY);
    await index.ensureMeta();
    const position = ((await index.head())?.lastPosition ?? 0) + 1;
    const commits = [{ streamId, version: 1, commitEnd: 2 }, { streamId, version: 3, commitEnd: 4 }];
    await index.append({ position, lastPosition: position + 1, commits, checkpoint: { shards: {} }, writtenAt: Date.now() });
    const feed = lastValueFrom(writer.store.replayAll$({ pageSize: 100, streamPrefix: streamId }).pipe(toArray()));
    await expect(feed).rejects.toBeInstanceOf(StreamIntegrityError);
    await expect(feed).rejects.toMatchObject({ streamId, details: { problem: 'overlap', version: 3, second: { commitId: b, firstVersion: 3, lastVersion: 7 } } });
  });

  it('default cache: a stale append is refused once the boundary is past its trust window', async () => {
    const p = await open({ boundaryCache: { trustMs: 0 } }); // every boundary is as good as expired
    const streamId = `expired-${Date.now()}`;
    await loseA2AndLetBLand(streamId, p.store);
    const stale = p.store.append(streamId, deposits(streamId, 3, 0, 70), { expectedVersion: 4 });
    await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(stale).rejects.toMatchObject({ expectedVersion: 4, actualVersion: 7 });
    expect(amounts(await collect(p.store.read(streamId)))).toEqual([10, 11, 50, 51, 52, 53, 54]);
  });

  it('default cache: a read that contradicts a boundary evicts it, so the next append at it is checked and refused', async () => {
    const streamId = `evicted-${Date.now()}`;
    await loseA2AndLetBLand(streamId, writer.store);
    // Reading from 5: the cached end 4 names A2's item as where to start; it is gone, so the read looks the start up instead.
    expect(amounts(await collect(writer.store.read(streamId, { fromVersion: 5 })))).toEqual([52, 53, 54]);
    const stale = writer.store.append(streamId, deposits(streamId, 3, 0, 70), { expectedVersion: 4 });
    await expect(stale).rejects.toMatchObject({ expectedVersion: 4, actualVersion: 7 });
    const stream = await collect(writer.store.read(streamId));
    expect(versions(stream)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(amounts(stream)).toEqual([10, 11, 50, 51, 52, 53, 54]);
  });

  it('boundaryCache: false reads the head before every append: the stale append is refused, and the stream stays whole', async () => {
    const p = await open({ boundaryCache: false });
    const streamId = `verified-${Date.now()}`;
    await loseA2AndLetBLand(streamId, p.store);
    await expect(p.store.append(streamId, deposits(streamId, 3, 0, 70), { expectedVersion: 4 })).rejects.toMatchObject({ actualVersion: 7 });
    // Appending at the version the stream is really at lands correctly.
    expect((await p.store.append(streamId, deposits(streamId, 1, 0, 90), { expectedVersion: 7 })).version).toBe(8);
    expect(amounts(await collect(p.store.read(streamId)))).toEqual([10, 11, 50, 51, 52, 53, 54, 90]);

    // NO_STREAM too: a stream whose first item vanished still exists, and a new first commit would overlap it.
    const headless = `headless-${Date.now()}`;
    await p.store.append(headless, deposits(headless, 2), { expectedVersion: NO_STREAM });
    await p.store.append(headless, deposits(headless, 2), { expectedVersion: 2 });
    await deleteItem(headless, 1);
    await expect(p.store.append(headless, deposits(headless, 3), { expectedVersion: NO_STREAM })).rejects.toMatchObject({ actualVersion: 4 });
  });
});

/** Tables damaged by hand, item by item with the raw SDK: each read path names what it found. */
describe('EventStore reads of damaged streams', () => {
  let app: EventStoreApp;
  let raw: DynamoDBClient;

  beforeAll(async () => {
    // No feed indexer: these streams are damaged on purpose, and the feed's own checks are tested in feed-reader.spec.ts.
    app = await createEventStoreApp('integrity-damage', { retry: { maxAttempts: 8, baseDelayMs: 1, maxDelayMs: 5 }, feed: { indexer: false } });
    raw = new DynamoDBClient(testClientConfig());
  });
  afterAll(async () => {
    await app.close();
    raw.destroy();
  });

  const key = (streamId: string, version: number) => ({ streamId: { S: streamId }, version: { N: String(version) } });
  const remove = (streamId: string, version: number) => raw.send(new DeleteItemCommand({ TableName: app.tableName, Key: key(streamId, version) }));
  /** Copies the item at `from` under the key `to`, with other versions: a second commit written over the same versions. */
  async function copyItem(streamId: string, from: number, to: number, lastVersion: number, commitId: string) {
    const { Item } = await raw.send(new GetItemCommand({ TableName: app.tableName, Key: key(streamId, from), ConsistentRead: true }));
    const events = JSON.parse(Item!.events!.S!) as unknown[];
    const copy: Record<string, AttributeValue> = { ...Item!, ...key(streamId, to), lastVersion: { N: String(lastVersion) }, commitId: { S: commitId }, events: { S: JSON.stringify(events.slice(0, lastVersion - to + 1)) } };
    delete copy.firstEventId;
    await raw.send(new PutItemCommand({ TableName: app.tableName, Item: copy }));
  }

  it('a gap that reading again does not close: forward and backward name the missing version and the items around it', async () => {
    const streamId = `gap-${Date.now()}`;
    const first = await app.store.append(streamId, deposits(streamId, 2), { expectedVersion: NO_STREAM });
    await app.store.append(streamId, deposits(streamId, 2), { expectedVersion: 2 });
    const third = await app.store.append(streamId, deposits(streamId, 2), { expectedVersion: 4 });
    await remove(streamId, 3);
    const forward = collect(app.store.read(streamId));
    await expect(forward).rejects.toMatchObject({
      details: { problem: 'gap', version: 3, first: { commitId: first.commitId, lastVersion: 2 }, second: { commitId: third.commitId, firstVersion: 5 } },
    });
    await expect(forward).rejects.toThrow(/version 3 is missing/);
    await expect(collect(app.store.read(streamId, { direction: 'backward' }))).rejects.toMatchObject({ details: { problem: 'gap' } });
    // A range that starts after the gap still checks the item before it.
    await expect(collect(app.store.read(streamId, { fromVersion: 5 }))).rejects.toMatchObject({ details: { problem: 'gap', version: 3 } });
    // A range wholly before the gap is intact and is returned.
    expect(versions(await collect(app.store.read(streamId, { toVersion: 2 })))).toEqual([1, 2]);
  });

  it('a stream whose first item is gone is not read as starting later', async () => {
    const streamId = `headless-read-${Date.now()}`;
    await app.store.append(streamId, deposits(streamId, 2), { expectedVersion: NO_STREAM });
    await app.store.append(streamId, deposits(streamId, 2), { expectedVersion: 2 });
    await remove(streamId, 1);
    await expect(collect(app.store.read(streamId))).rejects.toMatchObject({ details: { problem: 'gap', version: 1 } });
    await expect(collect(app.store.read(streamId, { direction: 'backward' }))).rejects.toBeInstanceOf(StreamIntegrityError);
  });

  it('an overlapping item written after a stream is read: found by a full read, by a range through it, and backward', async () => {
    const streamId = `overlap-${Date.now()}`;
    await app.store.append(streamId, deposits(streamId, 2), { expectedVersion: NO_STREAM });
    const b = await app.store.append(streamId, deposits(streamId, 5), { expectedVersion: 2 });
    await copyItem(streamId, 3, 5, 7, 'stale-commit');
    const details = { problem: 'overlap', version: 5, first: { commitId: b.commitId, firstVersion: 3, lastVersion: 7 }, second: { commitId: 'stale-commit', firstVersion: 5, lastVersion: 7 } };
    await expect(collect(app.store.read(streamId))).rejects.toMatchObject({ details });
    await expect(collect(app.store.read(streamId, { fromVersion: 4, toVersion: 6 }))).rejects.toMatchObject({ details });
    await expect(collect(app.store.read(streamId, { direction: 'backward' }))).rejects.toMatchObject({ details: { problem: 'overlap' } });
  });

  it('a split commit with another commit\'s item among its slices is an incomplete commit, not a stream', async () => {
    const streamId = `split-${Date.now()}`;
    const split = await app.store.append(streamId, deposits(streamId, 3000, 280), { expectedVersion: NO_STREAM }); // several items
    const { Items } = await raw.send(
      new QueryCommand({
        TableName: app.tableName,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': { S: streamId } },
        ProjectionExpression: 'version, lastVersion',
        ConsistentRead: true,
      }),
    );
    expect(Items!.length).toBeGreaterThan(2);
    const second = Items![1]!;
    // Replace the second slice by an item of another commit over the same versions.
    const [from, last] = [Number(second.version!.N), Number(second.lastVersion!.N)];
    await copyItem(streamId, from, from, last, 'foreign-commit');
    const { Item } = await raw.send(new GetItemCommand({ TableName: app.tableName, Key: key(streamId, from), ConsistentRead: true }));
    delete Item!.commitLastVersion;
    await raw.send(new PutItemCommand({ TableName: app.tableName, Item: Item! }));
    const read = collect(app.store.read(streamId));
    await expect(read).rejects.toMatchObject({ details: { problem: 'incomplete-commit', version: from, first: { commitId: split.commitId }, second: { commitId: 'foreign-commit' } } });
    await expect(collect(app.store.read(streamId, { direction: 'backward' }))).rejects.toMatchObject({ details: { problem: 'incomplete-commit' } });
  });
});

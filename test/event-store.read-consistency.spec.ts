import { DynamoDBClient, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConcurrencyError, NO_STREAM, StreamIntegrityError, type EventStore } from '../lib/index.js';
import { testClientConfig } from './support/dynamodb.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { deposits } from './support/events.js';
import { RequestTap } from './support/fault-injection.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * DynamoDB's Query has read-committed isolation: it may show some items of a committed
 * transaction and not yet the others. Reads must then read again, never return half a commit.
 * The tap hides items from Query responses to produce exactly that on DynamoDB Local.
 */
describe('EventStore.read consistency', () => {
  let writer: EventStoreApp;
  let reader: EventStoreApp; // a second instance, reading through a tapped client
  let client: DynamoDBClient;
  let tap: RequestTap;
  let store: EventStore;
  const split = `split-${Date.now()}`;
  let secondSliceStart = 0;

  beforeAll(async () => {
    writer = await createEventStoreApp('read-consistency');
    client = new DynamoDBClient(testClientConfig());
    tap = new RequestTap(client);
    reader = await createEventStoreApp('read-consistency-reader', { client, tables: { events: writer.tableName }, tableSetup: 'none' });
    store = reader.store;
    await writer.store.append(split, deposits(split, 3), { expectedVersion: NO_STREAM });
    await writer.store.append(split, deposits(split, 2000, 280, 4), { expectedVersion: 3 }); // versions 4-2003, several items
    await writer.store.append(split, deposits(split, 2, 0, 2004), { expectedVersion: 2003 });
    const { Items } = await client.send(
      new QueryCommand({
        TableName: writer.tableName,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': { S: split } },
        ProjectionExpression: 'version, commitLastVersion',
      }),
    );
    const sliceStarts = Items!.filter((item) => item.commitLastVersion !== undefined).map((item) => Number(item.version!.N));
    expect(sliceStarts.length).toBeGreaterThan(1); // the commit really spans several items
    secondSliceStart = sliceStarts[1]!;
  });
  beforeEach(() => tap.reset());
  afterAll(async () => {
    await reader.module.close();
    client.destroy();
    await writer.close();
  });

  /**
   * Hides the items of the split commit after its first one from the next `times` Query pages.
   * One-item answers (Limit 1 lookups) are left alone: there DynamoDB would show the next lower
   * committed item instead, which removing items from a response cannot imitate.
   */
  function hideLaterSlices(times: number): void {
    let left = times;
    tap.alterResponses('QueryCommand', (output) => {
      const items = output.Items as Array<Record<string, AttributeValue>> | undefined;
      if (left <= 0 || items === undefined || items.length < 2) return;
      const kept = items.filter((item) => !(item.commitLastVersion !== undefined && Number(item.version!.N) > 4));
      if (kept.length === items.length) return;
      output.Items = kept;
      left--;
    });
  }

  it('reads again until every item of a partly visible commit shows, forwards', async () => {
    hideLaterSlices(2);
    const events = await collect(store.read(split));
    expect(events.map((e) => e.version)).toEqual(range(1, 2005));
    expect(tap.count('QueryCommand')).toBeGreaterThan(1); // it did read again
  });

  it('reads again when the newest visible item is the first slice of a commit, backwards', async () => {
    hideLaterSlices(2);
    const events = await collect(store.read(split, { toVersion: 2003, direction: 'backward' }));
    expect(events.map((e) => e.version)).toEqual(range(1, 2003).reverse());
  });

  it('reads again when a read starts inside a hidden slice', async () => {
    hideLaterSlices(3);
    const from = secondSliceStart + 1;
    const events = await collect(store.read(split, { fromVersion: from }));
    expect(events.map((e) => e.version)).toEqual(range(from, 2005));
    expect(tap.count('QueryCommand')).toBeGreaterThan(2); // the lookup of the item holding `from`, then two reads
  });

  it('fails with StreamIntegrityError, not a short read, when the items never show', async () => {
    hideLaterSlices(1000);
    await expect(collect(store.read(split))).rejects.toBeInstanceOf(StreamIntegrityError);
    await expect(collect(store.read(split, { direction: 'backward' }))).rejects.toBeInstanceOf(StreamIntegrityError);
  });

  it('a read past the end does not make a later append at that version look valid', async () => {
    const stream = `past-end-${Date.now()}`;
    expect(await collect(store.read(stream, { fromVersion: 2 }))).toEqual([]);
    await expect(store.append(stream, deposits(stream, 1), { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
    await store.append(stream, deposits(stream, 5), { expectedVersion: NO_STREAM });
    expect(await collect(store.read(stream, { fromVersion: 10 }))).toEqual([]);
    await expect(store.append(stream, deposits(stream, 1), { expectedVersion: 9 })).rejects.toMatchObject({ actualVersion: 5 });
    expect((await collect(store.read(stream))).map((e) => e.version)).toEqual(range(1, 5));
  });
});

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NO_STREAM } from '../lib/index.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { testClientConfig } from './support/dynamodb.js';
import { MoneyDeposited } from './support/events.js';
import { RequestTap } from './support/fault-injection.js';

/**
 * What retention costs a read, in requests: a read from the start gets the stream's metadata item
 * in its own first Query (sort key 0 comes first); any other read sends one GetItem with it.
 */
describe('the requests of a read, with stream metadata', () => {
  const client = new DynamoDBClient(testClientConfig());
  const tap = new RequestTap(client);
  let app: EventStoreApp;

  beforeAll(async () => {
    app = await createEventStoreApp('read-requests', { client, boundaryCache: false });
    const deposits = (n: number) => Array.from({ length: n }, (_, i) => new MoneyDeposited('a', i + 1));
    for (const streamId of ['plain', 'truncated']) {
      await app.store.append(streamId, deposits(4), { expectedVersion: NO_STREAM });
      await app.store.append(streamId, deposits(4), { expectedVersion: 4 });
    }
    await app.store.truncateStream('truncated', { before: 5 });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  async function requestsOf(read: () => Promise<unknown>): Promise<string[]> {
    tap.reset();
    await read();
    return [...tap.sent].sort();
  }

  it('a read from the start: one Query, which brings the metadata item along', async () => {
    expect(await requestsOf(async () => expect((await collect(app.store.read('plain'))).map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]))).toEqual(['QueryCommand']);
  });

  it('a read from the start of a truncated stream: the first Query learns the cut, then the read starts there (finding the item that holds it)', async () => {
    expect(await requestsOf(async () => expect((await collect(app.store.read('truncated'))).map((e) => e.version)).toEqual([5, 6, 7, 8]))).toEqual([
      'QueryCommand',
      'QueryCommand',
      'QueryCommand',
    ]);
  });

  it('a read from a later version: a GetItem of the metadata item besides its Queries', async () => {
    const requests = await requestsOf(async () => expect((await collect(app.store.read('plain', { fromVersion: 6 }))).map((e) => e.version)).toEqual([6, 7, 8]));
    expect(requests.filter((name) => name === 'GetItemCommand')).toEqual(['GetItemCommand']);
    expect(requests.every((name) => name === 'GetItemCommand' || name === 'QueryCommand')).toBe(true);
  });
});

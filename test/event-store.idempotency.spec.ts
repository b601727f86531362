import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ANY, CommitIdReusedError, NO_STREAM, RetriesExhaustedError, type EventStore } from '../lib/index.js';
import { testClientConfig } from './support/dynamodb.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { AccountOpened, deposits } from './support/events.js';
import { RequestTap } from './support/fault-injection.js';

describe('EventStore retries', () => {
  let app: EventStoreApp;
  let store: EventStore;
  let client: DynamoDBClient;
  let tap: RequestTap;
  let streams = 0;
  const newStream = () => `idem-${++streams}-${Date.now()}`;

  beforeAll(async () => {
    client = new DynamoDBClient(testClientConfig());
    tap = new RequestTap(client);
    app = await createEventStoreApp('idempotency', { client, retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 } });
    store = app.store;
  });
  beforeEach(() => tap.reset());
  afterAll(async () => {
    await app.close();
    client.destroy();
  });

  describe('with the same commitId', () => {
    it('returns the original result and writes nothing new', async () => {
      const stream = newStream();
      const events = deposits(stream, 3);
      const original = await store.append(stream, events, { expectedVersion: NO_STREAM, commitId: 'cmd-1' });
      const retried = await store.append(stream, events, { expectedVersion: NO_STREAM, commitId: 'cmd-1' });
      expect(retried).toMatchObject({ duplicate: true, version: 3, commitId: 'cmd-1' });
      expect(retried.envelopes.map((e) => e.eventId)).toEqual(original.envelopes.map((e) => e.eventId));
      expect(retried.envelopes.map((e) => e.event)).toEqual(events);
      expect(await collect(store.read(stream))).toHaveLength(3);
    });

    it('recognizes the retry after other commits followed it, from a store that never saw it', async () => {
      const stream = newStream();
      await store.append(stream, [new AccountOpened(stream, 'ann')], { expectedVersion: NO_STREAM });
      const original = await store.append(stream, deposits(stream, 2), { expectedVersion: 1, commitId: 'cmd-2' });
      await store.append(stream, deposits(stream, 1), { expectedVersion: 3 });
      const other = await createEventStoreApp('idem-other', { tables: { events: app.tableName }, tableSetup: 'none' });
      try {
        const retried = await other.store.append(stream, deposits(stream, 2), { expectedVersion: 1, commitId: 'cmd-2' });
        expect(retried).toMatchObject({ duplicate: true, version: 3 });
        expect(retried.envelopes.map((e) => e.eventId)).toEqual(original.envelopes.map((e) => e.eventId));
      } finally {
        await other.module.close();
      }
      expect(await collect(store.read(stream))).toHaveLength(4);
    });

    it("recognizes an 'any' retry while the commit is still the stream's last", async () => {
      const stream = newStream();
      await store.append(stream, deposits(stream, 2), { expectedVersion: ANY, commitId: 'cmd-any' });
      const retried = await store.append(stream, deposits(stream, 2), { expectedVersion: ANY, commitId: 'cmd-any' });
      expect(retried).toMatchObject({ duplicate: true, version: 2 });
      expect(await collect(store.read(stream))).toHaveLength(2);
    });

    it('recognizes a retried multi-item commit inside the 10-minute token window and after it', async () => {
      const stream = newStream();
      const events = deposits(stream, 2000, 280);
      const original = await store.append(stream, events, { expectedVersion: NO_STREAM, commitId: 'big-1' });
      const inWindow = await store.append(stream, events, { expectedVersion: NO_STREAM, commitId: 'big-1' });
      expect(inWindow).toMatchObject({ duplicate: true, version: 2000 });
      // Past 10 minutes DynamoDB has forgotten the ClientRequestToken: drop it to get that behaviour now.
      tap.rewrite('TransactWriteItemsCommand', (input) => delete input.ClientRequestToken);
      const afterWindow = await store.append(stream, events, { expectedVersion: NO_STREAM, commitId: 'big-1' });
      expect(afterWindow).toMatchObject({ duplicate: true, version: 2000 });
      expect(afterWindow.envelopes.map((e) => e.eventId)).toEqual(original.envelopes.map((e) => e.eventId));
      expect(await collect(store.read(stream))).toHaveLength(2000);
    });

    it('refuses a commitId reused with the same event types but other data', async () => {
      const stream = newStream();
      await store.append(stream, deposits(stream, 2), { expectedVersion: NO_STREAM, commitId: 'cmd-4' });
      await expect(store.append(stream, deposits(stream, 2, 0, 999), { expectedVersion: NO_STREAM, commitId: 'cmd-4' })).rejects.toBeInstanceOf(
        CommitIdReusedError,
      );
      expect((await collect(store.read(stream))).map((e) => (e.event as { amount: number }).amount)).toEqual([1, 2]);
    });

    it("an 'any' retry after others appended lands again, as EventStoreDB does, rather than failing", async () => {
      const stream = newStream();
      const events = deposits(stream, 2000, 280); // several items: a transaction with a request token
      await store.append(stream, events, { expectedVersion: ANY, commitId: 'big-any' });
      await store.append(stream, deposits(stream, 1), { expectedVersion: ANY });
      const retried = await store.append(stream, events, { expectedVersion: ANY, commitId: 'big-any' });
      expect(retried).toMatchObject({ duplicate: false, version: 4001 });
    });

    it('refuses a commitId reused for different events, writing nothing', async () => {
      const stream = newStream();
      await store.append(stream, deposits(stream, 2), { expectedVersion: NO_STREAM, commitId: 'cmd-3' });
      await expect(
        store.append(stream, [new AccountOpened(stream, 'x')], { expectedVersion: NO_STREAM, commitId: 'cmd-3' }),
      ).rejects.toBeInstanceOf(CommitIdReusedError);
      expect(await collect(store.read(stream))).toHaveLength(2);
    });
  });

  describe('a response lost after the write was applied', () => {
    it("is recognized as this call's own commit when the SDK retries it: not a duplicate, and published", async () => {
      const stream = newStream();
      const publishAll = jest.spyOn(app.eventBus, 'publishAll');
      try {
        tap.loseNextResponse('PutItemCommand');
        const events = deposits(stream, 2);
        const result = await store.append(stream, events, { expectedVersion: NO_STREAM });
        expect(result).toMatchObject({ duplicate: false, version: 2 });
        expect(tap.answered.filter((c) => c === 'PutItemCommand')).toHaveLength(2); // the SDK did retry
        expect(publishAll).toHaveBeenCalledTimes(1);
        expect(publishAll.mock.calls[0]![0]).toEqual(events);
        expect(await collect(store.read(stream))).toHaveLength(2);
      } finally {
        publishAll.mockRestore();
      }
    });

    it('is answered by DynamoDB from the request token for a multi-item commit', async () => {
      const stream = newStream();
      tap.loseNextResponse('TransactWriteItemsCommand');
      const result = await store.append(stream, deposits(stream, 2000, 280), { expectedVersion: NO_STREAM });
      expect(result).toMatchObject({ duplicate: false, version: 2000 });
      expect(tap.answered.filter((c) => c === 'TransactWriteItemsCommand')).toHaveLength(2);
      expect(await collect(store.read(stream))).toHaveLength(2000);
    });
  });

  describe('transient DynamoDB errors', () => {
    it('retries throttling with backoff until the commit lands', async () => {
      const stream = newStream();
      tap.failNext('PutItemCommand', 3, 'ProvisionedThroughputExceededException');
      const result = await store.append(stream, deposits(stream, 1), { expectedVersion: NO_STREAM });
      expect(result.version).toBe(1);
      expect(tap.count('PutItemCommand')).toBe(4);
    });

    it('retries a transaction cancelled by a conflict', async () => {
      const stream = newStream();
      tap.failNext('TransactWriteItemsCommand', 2, 'TransactionCanceledException', {
        CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
      });
      const result = await store.append(stream, deposits(stream, 2000, 280), { expectedVersion: NO_STREAM });
      expect(result.version).toBe(2000);
      expect(tap.count('TransactWriteItemsCommand')).toBe(3);
    });

    it('says so when retries run out, and nothing is written', async () => {
      const stream = newStream();
      tap.failNext('PutItemCommand', 10, 'ThrottlingException');
      const failure = store.append(stream, deposits(stream, 1), { expectedVersion: NO_STREAM });
      await expect(failure).rejects.toBeInstanceOf(RetriesExhaustedError);
      await expect(failure).rejects.toThrow(/after 4 attempts; DynamoDB last answered ThrottlingException\. Retries ran out/);
      expect(tap.count('PutItemCommand')).toBe(4);
      expect(await collect(store.read(stream))).toHaveLength(0);
    });
  });
});

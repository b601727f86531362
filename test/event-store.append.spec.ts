import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ANY, ConcurrencyError, NO_STREAM, STREAM_EXISTS, type EventStore } from '../lib/index.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { AccountOpened, deposits, MoneyDeposited } from './support/events.js';

describe('EventStore.append', () => {
  let app: EventStoreApp;
  let store: EventStore;
  let streams = 0;
  const newStream = () => `account-${++streams}-${Date.now()}`;

  beforeAll(async () => {
    app = await createEventStoreApp('append');
    store = app.store;
  });
  afterAll(() => app.close());

  it('appends a commit and returns the new version with the envelopes', async () => {
    const stream = newStream();
    const result = await store.append(stream, [new AccountOpened(stream, 'ann'), new MoneyDeposited(stream, 10)], {
      expectedVersion: NO_STREAM,
      metadata: { userId: 'u-1' },
    });
    expect(result.version).toBe(2);
    expect(result.duplicate).toBe(false);
    expect(result.envelopes.map((e) => [e.version, e.eventType])).toEqual([
      [1, 'AccountOpened'],
      [2, 'MoneyDeposited'],
    ]);
    expect(result.envelopes[0]!.eventId).not.toBe(result.envelopes[1]!.eventId);

    const read = await collect(store.read(stream));
    expect(read.map((e) => e.event)).toEqual([new AccountOpened(stream, 'ann'), new MoneyDeposited(stream, 10)]);
    expect(read[1]!.event).toBeInstanceOf(MoneyDeposited);
    expect(read.map((e) => e.eventId)).toEqual(result.envelopes.map((e) => e.eventId));
    expect(read[0]!.metadata).toEqual({ userId: 'u-1' });
    expect(read[0]!.commitId).toBe(result.commitId);
    expect(read[0]!.occurredAt.getTime()).toBe(result.envelopes[0]!.occurredAt.getTime());
  });

  describe('expected version', () => {
    it("'no-stream' and 0 succeed on a new stream and conflict on an existing one", async () => {
      const stream = newStream();
      await store.append(stream, [new AccountOpened(stream, 'a')], { expectedVersion: NO_STREAM });
      await expect(store.append(stream, [new AccountOpened(stream, 'b')], { expectedVersion: NO_STREAM })).rejects.toMatchObject({
        code: 'CONCURRENCY',
        streamId: stream,
        expectedVersion: NO_STREAM,
        actualVersion: 1,
      });
      await expect(store.append(stream, deposits(stream, 1), { expectedVersion: 0 })).rejects.toBeInstanceOf(ConcurrencyError);
      const other = newStream();
      expect((await store.append(other, deposits(other, 2), { expectedVersion: 0 })).version).toBe(2);
    });

    it('an exact version appends at the head and conflicts anywhere else', async () => {
      const stream = newStream();
      await store.append(stream, deposits(stream, 5), { expectedVersion: NO_STREAM }); // one commit: versions 1-5
      await store.append(stream, deposits(stream, 1), { expectedVersion: 5 });
      for (const expectedVersion of [1, 3, 4, 5, 7, 100]) {
        await expect(store.append(stream, deposits(stream, 1), { expectedVersion })).rejects.toMatchObject({
          code: 'CONCURRENCY',
          expectedVersion,
          actualVersion: 6,
        });
      }
      expect((await collect(store.read(stream))).map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('a version inside an earlier multi-event commit is a conflict, even for a store that never saw the stream', async () => {
      const stream = newStream();
      await store.append(stream, deposits(stream, 10), { expectedVersion: NO_STREAM });
      const other = await createEventStoreApp('append-other', { tables: { events: app.tableName }, tableSetup: 'verify' });
      try {
        await expect(other.store.append(stream, deposits(stream, 1), { expectedVersion: 4 })).rejects.toMatchObject({
          actualVersion: 10,
        });
        await expect(other.store.append(stream, deposits(stream, 1), { expectedVersion: 11 })).rejects.toBeInstanceOf(ConcurrencyError);
        expect((await other.store.append(stream, deposits(stream, 1), { expectedVersion: 10 })).version).toBe(11);
      } finally {
        await other.module.close();
      }
      expect((await collect(store.read(stream))).map((e) => e.version)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    });

    it("'stream-exists' appends after the head and refuses a missing stream", async () => {
      const stream = newStream();
      await expect(store.append(stream, deposits(stream, 1), { expectedVersion: STREAM_EXISTS })).rejects.toMatchObject({
        code: 'CONCURRENCY',
        expectedVersion: STREAM_EXISTS,
        actualVersion: 0,
      });
      await store.append(stream, deposits(stream, 3), { expectedVersion: NO_STREAM });
      expect((await store.append(stream, deposits(stream, 2), { expectedVersion: STREAM_EXISTS })).version).toBe(5);
    });

    it("'any' appends after whatever the head is, on new and existing streams", async () => {
      const stream = newStream();
      expect((await store.append(stream, deposits(stream, 2), { expectedVersion: ANY })).version).toBe(2);
      expect((await store.append(stream, deposits(stream, 3), { expectedVersion: ANY })).version).toBe(5);
    });

    it("concurrent 'any' appends all land, contiguously", async () => {
      const stream = newStream();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => store.append(stream, deposits(stream, 2, 0, i * 10), { expectedVersion: ANY })),
      );
      expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => (i + 1) * 2));
      const read = await collect(store.read(stream));
      expect(read.map((e) => e.version)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    });
  });

  describe('commit sizes', () => {
    it.each([1, 10, 150, 2000])('commits %i events atomically and reads them back in order', async (count) => {
      const stream = newStream();
      // 2,000 events of ~330 bytes make a commit over 400 KB: it spans several items.
      const events = deposits(stream, count, count === 2000 ? 280 : 20);
      const result = await store.append(stream, events, { expectedVersion: NO_STREAM });
      expect(result.version).toBe(count);
      const read = await collect(store.read(stream));
      expect(read).toHaveLength(count);
      expect(read.map((e) => e.version)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      expect(read.map((e) => (e.event as MoneyDeposited).amount)).toEqual(events.map((e) => e.amount));
      expect(new Set(read.map((e) => e.eventId)).size).toBe(count);
      expect(new Set(read.map((e) => e.commitId))).toEqual(new Set([result.commitId]));
      expect((await store.append(stream, deposits(stream, 1), { expectedVersion: count })).version).toBe(count + 1);
    });
  });
});

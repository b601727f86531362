import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, NO_STREAM, type EventStore } from '../lib/index.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { deposits, MoneyDeposited } from './support/events.js';

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

describe('EventStore.read', () => {
  let app: EventStoreApp;
  let cold: EventStoreApp; // a second instance that never wrote the streams (no boundary cache)
  let store: EventStore;
  const packed = `packed-${Date.now()}`;
  const large = `large-${Date.now()}`;
  // Commits of 3, 1, 5, 2000 (several items), 2 and 4 events: 2,015 events in all.
  const commitSizes = [3, 1, 5, 2000, 2, 4];
  const total = commitSizes.reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    app = await createEventStoreApp('read');
    cold = await createEventStoreApp('read-cold', { tables: { events: app.tableName }, tableSetup: 'verify' });
    store = app.store;
    let version = 0;
    for (const size of commitSizes) {
      version = (await store.append(packed, deposits(packed, size, size > 1000 ? 280 : 10, version + 1), { expectedVersion: version })).version;
    }
    // 24 commits of 50 KB: 1.2 MB, more than one DynamoDB page.
    let largeVersion = 0;
    for (let i = 0; i < 24; i++) {
      largeVersion = (await store.append(large, deposits(large, 1, 50 * 1024, i + 1), { expectedVersion: largeVersion })).version;
    }
  });
  afterAll(async () => {
    await cold.module.close();
    await app.close();
  });

  it('reads a stream larger than 1 MB whole, across pages', async () => {
    for (const reader of [store, cold.store]) {
      const events = await collect(reader.read(large));
      expect(events.map((e) => e.version)).toEqual(range(1, 24));
      expect(events.map((e) => (e.event as MoneyDeposited).amount)).toEqual(range(1, 24));
    }
  });

  it('follows every page when pages are small', async () => {
    expect((await collect(store.read(packed, { pageSize: 1 }))).map((e) => e.version)).toEqual(range(1, total));
    expect((await collect(store.read(large, { pageSize: 2, direction: 'backward' }))).map((e) => e.version)).toEqual(range(1, 24).reverse());
  });

  it('returns exactly the requested range, forwards and backwards, whatever the packing', async () => {
    const bounds = [1, 3, 4, 5, 9, 10, 500, 2009, 2010, 2015];
    for (const reader of [store, cold.store]) {
      for (const from of bounds) {
        for (const to of bounds.filter((t) => t >= from)) {
          const forward = await collect(reader.read(packed, { fromVersion: from, toVersion: to }));
          expect(forward.map((e) => e.version)).toEqual(range(from, to));
          const backward = await collect(reader.read(packed, { fromVersion: from, toVersion: to, direction: 'backward', pageSize: 2 }));
          expect(backward.map((e) => e.version)).toEqual(range(from, to).reverse());
        }
      }
    }
  });

  it('reads from a version to the end, and clips a range past the end', async () => {
    expect((await collect(cold.store.read(packed, { fromVersion: 2012 }))).map((e) => e.version)).toEqual(range(2012, total));
    expect((await collect(cold.store.read(packed, { fromVersion: 2013, toVersion: 5000 }))).map((e) => e.version)).toEqual(range(2013, total));
    expect(await collect(cold.store.read(packed, { fromVersion: total + 1 }))).toEqual([]);
    expect((await collect(cold.store.read(packed, { direction: 'backward' }))).map((e) => e.version)).toEqual(range(1, total).reverse());
  });

  it('keeps each event with its own data and id', async () => {
    const events = await collect(cold.store.read(packed));
    expect(events.map((e) => (e.event as MoneyDeposited).amount)).toEqual(range(1, total));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(total);
    expect(events.every((e) => e.event instanceof MoneyDeposited && e.streamId === packed)).toBe(true);
  });

  it('reads nothing from a stream that does not exist', async () => {
    expect(await collect(store.read('no-such-stream'))).toEqual([]);
    expect(await collect(store.read('no-such-stream', { direction: 'backward', fromVersion: 3 }))).toEqual([]);
  });

  it('is a fresh iteration each time it is consumed', async () => {
    const stream = `twice-${Date.now()}`;
    await store.append(stream, deposits(stream, 2), { expectedVersion: NO_STREAM });
    const reading = store.read(stream);
    expect(await collect(reading)).toHaveLength(2);
    await store.append(stream, deposits(stream, 1), { expectedVersion: 2 });
    expect((await collect(reading)).map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it.each([
    [{ fromVersion: 0 }, /fromVersion/],
    [{ fromVersion: 1.5 }, /fromVersion/],
    [{ fromVersion: 5, toVersion: 4 }, /toVersion/],
    [{ direction: 'sideways' }, /direction/],
    [{ pageSize: 0 }, /pageSize/],
  ])('refuses bad read options %j with a typed error', (options, message) => {
    expect(() => store.read(packed, options as never)).toThrow(InvalidArgumentError);
    expect(() => store.read(packed, options as never)).toThrow(message);
    expect(() => store.read('', {})).toThrow(/streamId/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NO_STREAM } from '../lib/index.js';
import { MIN_RESTAMP_AFTER_MS } from '../lib/event-store/commit-writer.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { deposits } from './support/events.js';

/**
 * A commit held back past half the feed's settle window is stamped again before it is sent. With a
 * window shorter than building and sending a large commit takes, that would never end (and, all in
 * promise steps, would starve the event loop): such windows are not guarded.
 */
describe('EventStore.append with a settle window too short to guard', () => {
  let app: EventStoreApp;

  beforeAll(async () => {
    app = await createEventStoreApp('restamp', { feed: { shards: 2, settleMs: 0 } });
  });
  afterAll(async () => app.close());

  it('commits a large split commit and a large single item with settleMs 0, and the event loop keeps running meanwhile', async () => {
    expect(MIN_RESTAMP_AFTER_MS).toBeGreaterThan(0);
    const streamId = `restamp-${Date.now()}`;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    try {
      const split = await app.store.append(streamId, deposits(streamId, 3000, 280), { expectedVersion: NO_STREAM });
      const single = await app.store.append(streamId, deposits(streamId, 1, 300_000), { expectedVersion: split.version });
      expect(single.version).toBe(3001);
    } finally {
      clearInterval(ticker);
    }
    expect(ticks).toBeGreaterThan(0); // timers ran while the appends were in flight
    expect(await collect(app.store.read(streamId))).toHaveLength(3001);
  });
});

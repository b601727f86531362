import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { lastValueFrom, tap as observe, toArray } from 'rxjs';
import { EVENT_SOURCING_RUNTIME } from '../lib/dynamo-event-sourcing.constants.js';
import type { EventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import {
  EventStoreErrorCode,
  FEED_START,
  FeedDisabledError,
  handleInOrder,
  InvalidArgumentError,
  type FeedCheckpoint,
  type FeedEvent,
  type ReplayAllOptions,
} from '../lib/index.js';
import { createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { AccountOpened, deposits, MoneyDeposited, MoneyWithdrawn } from './support/events.js';
import { RequestTap } from './support/fault-injection.js';

/** Everything replayAll$ emits. */
const replayAll = (app: EventStoreApp, options: ReplayAllOptions): Promise<FeedEvent[]> => lastValueFrom(app.store.replayAll$(options).pipe(toArray()));
const ids = (events: readonly FeedEvent[]): string[] => events.map((e) => `${e.streamId}@${e.version}`);

/** The index position of a checkpoint (`<indexId>:<position>[:<version>]`). */
const positionOf = (checkpoint: FeedCheckpoint): number => Number(checkpoint.split(':')[1]);

/** A clock the test moves by hand; every Date.now() in the process reads it while it is installed. */
function handClock(start: number) {
  const clock = { now: start };
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
  return { clock, restore: () => spy.mockRestore() };
}

/**
 * replayAll$ end to end: commits appended through the module, indexed by the module's in-app indexer
 * (reading the table's DynamoDB Stream on DynamoDB Local), read back. Each test waits until the index
 * lists its commits (`feedIndexed()`), as a reader after the indexer's lag.
 */
describe('The global feed: replayAll$', () => {
  // 250 streams here; test/feed.multi-process.spec.ts runs 1,000 streams of 20 events from 4 writer processes.
  describe('with 250 streams of 20 events', () => {
    let app: EventStoreApp;
    beforeAll(async () => {
      app = await createEventStoreApp('feed-1000', { feed: {} }); // with the in-app indexer
      const streams = Array.from({ length: 250 }, (_, i) => `load-${String(i).padStart(4, '0')}`);
      // Five rounds of 4-event commits over every stream, so that streams interleave in the feed.
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < streams.length; i += 50) {
          await Promise.all(
            streams.slice(i, i + 50).map((id) => app.store.append(id, deposits(id, 4, 0, round * 4 + 1), { expectedVersion: round * 4 })),
          );
        }
      }
      await app.feedIndexed();
    }, 120_000);
    afterAll(() => app.close());

    it('delivers every event once, each stream in version order, in one total order of index positions', async () => {
      const events = await replayAll(app, { pageSize: 500 });
      expect(events).toHaveLength(5_000);
      expect(new Set(ids(events)).size).toBe(5_000);
      const lastVersion = new Map<string, number>();
      for (const event of events) {
        expect(event.version).toBe((lastVersion.get(event.streamId) ?? 0) + 1);
        lastVersion.set(event.streamId, event.version);
      }
      expect(lastVersion.size).toBe(250);
      // One position per commit, in order: 1,250 commits at positions 1 to 1,250.
      const positions = events.map((e) => positionOf(e.checkpoint));
      expect(positions.every((p, i) => i === 0 || p === positions[i - 1] || p === positions[i - 1]! + 1)).toBe(true);
      expect(positions.at(-1)).toBe(1250);
    }, 60_000);

    it('resumes exactly after the event a checkpoint was taken at, also inside a commit', async () => {
      const all = await replayAll(app, { pageSize: 300 });
      for (const cut of [0, 1, 2, 777, 2_501, 4_998]) {
        const rest = await replayAll(app, { pageSize: 300, from: all[cut]!.checkpoint });
        expect(ids(rest)).toEqual(ids(all.slice(cut + 1)));
      }
    }, 60_000);

    it('filters by stream prefix and by event type', async () => {
      const prefixed = await replayAll(app, { pageSize: 200, streamPrefix: 'load-012' });
      expect(new Set(prefixed.map((e) => e.streamId)).size).toBe(10);
      expect(prefixed).toHaveLength(200);
      const deposited = await replayAll(app, { pageSize: 200, streamPrefix: 'load-012', eventTypes: [MoneyDeposited] });
      expect(ids(deposited)).toEqual(ids(prefixed));
      expect(await replayAll(app, { pageSize: 200, eventTypes: [AccountOpened, MoneyWithdrawn] })).toEqual([]);
    }, 60_000);
  });

  describe('on a small table', () => {
    let app: EventStoreApp;
    /** Runs the indexer, so that the requests of `app` (the reader) are its own. */
    let indexer: EventStoreApp;
    let tap: RequestTap;
    let restoreClock: (() => void) | undefined;
    beforeAll(async () => {
      app = await createEventStoreApp('feed', { feed: { indexer: false } });
      indexer = await createEventStoreApp('feed-indexer', { tables: { events: app.tableName }, feed: {} });
      tap = new RequestTap(app.module.get<EventSourcingRuntime>(EVENT_SOURCING_RUNTIME).client);
    });
    afterEach(() => {
      restoreClock?.();
      restoreClock = undefined;
      tap.reset();
    });
    afterAll(async () => {
      await indexer.module.close();
      await app.close();
    });

    it('delivers commits of writers whose clocks are far behind or ahead, none missed or held back', async () => {
      const prefix = `clocks-${Date.now()}-`;
      await app.store.append(`${prefix}a`, [new AccountOpened('a', 'a')], { expectedVersion: 'no-stream' });
      await app.feedIndexed();
      let caughtUp: FeedCheckpoint | undefined;
      expect(ids(await replayAll(app, { pageSize: 10, streamPrefix: prefix, onCaughtUp: (c) => (caughtUp = c) }))).toEqual([`${prefix}a@1`]);

      const t = Date.now();
      const { clock, restore } = handClock(t - 5000); // a writer 5 s behind
      restoreClock = restore;
      await app.store.append(`${prefix}b`, [new AccountOpened('b', 'b')], { expectedVersion: 'no-stream' });
      clock.now = t + 5000; // and one 5 s ahead
      await app.store.append(`${prefix}c`, [new AccountOpened('c', 'c')], { expectedVersion: 'no-stream' });
      clock.now = t - 5000;
      await app.store.append(`${prefix}d`, [new AccountOpened('d', 'd')], { expectedVersion: 'no-stream' });
      restore();
      restoreClock = undefined;
      await app.feedIndexed();
      const later = await replayAll(app, { pageSize: 10, streamPrefix: prefix, from: caughtUp });
      expect(ids(later).sort()).toEqual([`${prefix}b@1`, `${prefix}c@1`, `${prefix}d@1`]);
    });

    it('stamps a commit after the one it follows, whatever the writer\'s clock says', async () => {
      const stream = `clock-${Date.now()}`;
      const t = Date.now();
      const { clock, restore } = handClock(t);
      restoreClock = restore;
      await app.store.append(stream, [new AccountOpened(stream, 'ann')], { expectedVersion: 'no-stream' });
      clock.now = t - 60_000; // this writer's clock is a minute behind
      await app.store.append(stream, deposits(stream, 2), { expectedVersion: 1 }); // the commit end is known here
      const other = await createEventStoreApp('feed-clock', { tables: { events: app.tableName }, feed: { indexer: false } });
      try {
        await other.store.append(stream, deposits(stream, 1), { expectedVersion: 'any' }); // learns the head by reading it
      } finally {
        await other.module.close();
      }
      restore();
      restoreClock = undefined;
      await app.feedIndexed();
      const events = await replayAll(app, { pageSize: 10, streamPrefix: stream });
      expect(ids(events)).toEqual([1, 2, 3, 4].map((v) => `${stream}@${v}`));
      expect(events.map((e) => e.occurredAt.getTime())).toEqual([t, t + 1, t + 1, t + 2]);
    });

    it('delivers commits of one millisecond once each, and resumes between them', async () => {
      const prefix = `tie-${Date.now()}-`;
      const { restore } = handClock(Date.now());
      restoreClock = restore;
      const streams = Array.from({ length: 12 }, (_, i) => `${prefix}${String.fromCharCode(108 - i)}`); // l, k, j, ...
      for (const stream of streams) await app.store.append(stream, [new AccountOpened(stream, 'x')], { expectedVersion: 'no-stream' });
      restore();
      restoreClock = undefined;
      await app.feedIndexed();
      const events = await replayAll(app, { pageSize: 1, streamPrefix: prefix });
      expect(events.map((e) => e.streamId).sort()).toEqual([...streams].sort());
      expect(new Set(events.map((e) => e.occurredAt.getTime())).size).toBe(1);
      const resumed = await replayAll(app, { pageSize: 2, streamPrefix: prefix, from: events[4]!.checkpoint });
      expect(resumed.map((e) => e.streamId)).toEqual(events.slice(5).map((e) => e.streamId));
    });

    it('delivers a commit split over several items once, whole', async () => {
      const stream = `big-${Date.now()}`;
      const events = deposits(stream, 30, 30_000); // about 900 KB: three items in one transaction
      await app.store.append(stream, events, { expectedVersion: 'no-stream' });
      await app.feedIndexed();
      const delivered = await replayAll(app, { pageSize: 5, streamPrefix: stream });
      expect(delivered.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
      expect(delivered.map((e) => (e.event as MoneyDeposited).amount)).toEqual(events.map((e) => e.amount));
      const rest = await replayAll(app, { pageSize: 5, streamPrefix: stream, from: delivered[11]!.checkpoint });
      expect(rest.map((e) => e.version)).toEqual(events.slice(12).map((_, i) => i + 13));
    });

    it('hands out the caught-up checkpoint, past filtered events, so the next read skips them', async () => {
      const stream = `caught-up-${Date.now()}`;
      await app.store.append(stream, [new AccountOpened(stream, 'ann'), ...deposits(stream, 3)], { expectedVersion: 'no-stream' });
      await app.store.append(stream, deposits(stream, 2, 0, 10), { expectedVersion: 4 });
      await app.feedIndexed();
      let caughtUp: FeedCheckpoint | undefined;
      const opened = await replayAll(app, { pageSize: 10, streamPrefix: stream, eventTypes: [AccountOpened], onCaughtUp: (c) => (caughtUp = c) });
      expect(ids(opened)).toEqual([`${stream}@1`]);
      expect(caughtUp).toBeDefined();
      expect(caughtUp).not.toBe(opened[0]!.checkpoint);
      tap.reset();
      expect(await replayAll(app, { pageSize: 10, streamPrefix: stream, eventTypes: [AccountOpened], from: caughtUp })).toEqual([]);
      expect(tap.count('BatchGetItemCommand')).toBe(0); // the deposits are behind the checkpoint: not fetched again
      expect(await replayAll(app, { pageSize: 10, streamPrefix: stream, from: opened[0]!.checkpoint })).toHaveLength(5);
    });

    it('holds at most one page of fetched, unhandled events for an async consumer', async () => {
      const prefix = `paced-${Date.now()}-`;
      for (let i = 0; i < 60; i++) await app.store.append(`${prefix}${i % 7}`, deposits(`${prefix}${i % 7}`, 3), { expectedVersion: 'any' });
      await app.feedIndexed();
      let fetched = 0;
      let handled = 0;
      let mostInFlight = 0;
      await lastValueFrom(
        app.store.replayAll$({ pageSize: 20, streamPrefix: prefix }).pipe(
          observe(() => {
            fetched++;
            mostInFlight = Math.max(mostInFlight, fetched - handled);
          }),
          handleInOrder(async () => {
            await new Promise((resolve) => setImmediate(resolve));
            handled++;
          }),
        ),
      );
      expect(handled).toBe(180);
      expect(mostInFlight).toBeGreaterThan(1);
      expect(mostInFlight).toBeLessThanOrEqual(20); // a feed page holds at most pageSize events (its commits are small)
    });

    it('stops reading once unsubscribed, also while filters let no event through', async () => {
      const prefix = `quiet-${Date.now()}-`;
      for (let i = 0; i < 30; i++) await app.store.append(`${prefix}${i % 3}`, deposits(`${prefix}${i % 3}`, 1), { expectedVersion: 'any' });
      await app.feedIndexed();
      tap.reset();
      let caughtUp = false;
      const subscription = app.store
        .replayAll$({ pageSize: 2, streamPrefix: prefix, eventTypes: [AccountOpened], onCaughtUp: () => (caughtUp = true) })
        .subscribe();
      while (tap.count('BatchGetItemCommand') < 2) await new Promise((resolve) => setImmediate(resolve));
      subscription.unsubscribe();
      const sentAtUnsubscribe = tap.sent.length;
      // A quiet second: the read, were it still going, sends its next request within milliseconds.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(tap.sent.length - sentAtUnsubscribe).toBeLessThanOrEqual(1); // at most the one in flight
      expect(tap.count('BatchGetItemCommand')).toBeLessThan(15); // far from the 15 pages of the whole read
      expect(caughtUp).toBe(false);
    });

    it('checks its options before reading anything', () => {
      const bad: unknown[] = [
        { pageSize: 0 },
        { pageSize: 1001 },
        { pageSize: 1.5 },
        { pageSize: 10, from: 'yesterday' },
        { pageSize: 10, from: 42 },
        { pageSize: 10, streamPrefix: '' },
        { pageSize: 10, eventTypes: [] },
        { pageSize: 10, eventTypes: ['NoSuchType'] },
        { pageSize: 10, eventTypes: [class Unregistered {}] },
        { pageSize: 10, onCaughtUp: 'yes' },
      ];
      for (const options of bad) {
        expect(() => app.store.replayAll$(options as ReplayAllOptions)).toThrow(InvalidArgumentError);
      }
      expect(() => app.store.replayAll$({ pageSize: 10, from: 'x' })).toThrow(
        expect.objectContaining({ code: EventStoreErrorCode.INVALID_CHECKPOINT }),
      );
      // A checkpoint of 0.3's commit-time feed: refused at once, naming the migration.
      expect(() => app.store.replayAll$({ pageSize: 10, from: '1760000000000:2:account-1' })).toThrow(
        expect.objectContaining({ code: EventStoreErrorCode.FEED_CHECKPOINT_MISMATCH, message: expect.stringContaining('feed migrate') }),
      );
    });

    it('reads from the start when given FEED_START', async () => {
      const stream = `start-${Date.now()}`;
      await app.store.append(stream, [new AccountOpened(stream, 'ann'), new MoneyDeposited(stream, 5)], { expectedVersion: 'no-stream' });
      await app.feedIndexed();
      const from: FeedCheckpoint = FEED_START;
      const events = await replayAll(app, { pageSize: 10, from, streamPrefix: stream, eventTypes: ['MoneyDeposited'] });
      expect(events.map((e) => [e.version, e.eventType])).toEqual([[2, 'MoneyDeposited']]);
    });
  });

  it('is refused with a typed error when the feed is off', async () => {
    const app = await createEventStoreApp('feed-off', { feed: false });
    try {
      expect(() => app.store.replayAll$({ pageSize: 10 })).toThrow(FeedDisabledError);
      const stored = await app.store.append('s', [new AccountOpened('s', 'ann')], { expectedVersion: 'no-stream' });
      expect(stored.version).toBe(1);
    } finally {
      await app.close();
    }
  });
});

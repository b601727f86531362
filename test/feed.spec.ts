import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
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

const SETTLE_MS = 500;
/** Waits out the settle window, as any feed reader must before it sees the latest commits. */
const settled = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 10));

/** A clock the test moves by hand; every Date.now() in the process reads it while it is installed. */
function handClock(start: number) {
  const clock = { now: start };
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
  return { clock, restore: () => spy.mockRestore() };
}

describe('The global feed: replayAll$', () => {
  describe('with 1,000 streams of 20 events', () => {
    let app: EventStoreApp;
    beforeAll(async () => {
      app = await createEventStoreApp('feed-1000', { feed: { shards: 4, settleMs: SETTLE_MS } });
      const streams = Array.from({ length: 1000 }, (_, i) => `load-${String(i).padStart(4, '0')}`);
      // Five rounds of 4-event commits over every stream, so that streams interleave in the feed.
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < streams.length; i += 50) {
          await Promise.all(
            streams.slice(i, i + 50).map((id) => app.store.append(id, deposits(id, 4, 0, round * 4 + 1), { expectedVersion: round * 4 })),
          );
        }
      }
      await settled();
    }, 120_000);
    afterAll(() => app.close());

    it('delivers every event once, each stream in version order, streams interleaved by commit time', async () => {
      const events = await replayAll(app, { pageSize: 500 });
      expect(events).toHaveLength(20_000);
      expect(new Set(ids(events)).size).toBe(20_000);
      const lastVersion = new Map<string, number>();
      for (const event of events) {
        expect(event.version).toBe((lastVersion.get(event.streamId) ?? 0) + 1);
        lastVersion.set(event.streamId, event.version);
      }
      expect(lastVersion.size).toBe(1000);
      // Commit-time order: each event's commit is no earlier than the one before it.
      const times = events.map((e) => e.occurredAt.getTime());
      expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
      // Interleaved: the first round of every stream comes before the last round of any.
      const firstOfRoundFive = events.findIndex((e) => e.version === 17);
      expect(events.slice(0, firstOfRoundFive).filter((e) => e.version === 1)).toHaveLength(1000);
    }, 60_000);

    it('resumes exactly after the event a checkpoint was taken at, also inside a commit', async () => {
      const all = await replayAll(app, { pageSize: 300 });
      for (const cut of [0, 1, 2, 777, 10_001, 19_998]) {
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
    let tap: RequestTap;
    let restoreClock: (() => void) | undefined;
    beforeAll(async () => {
      app = await createEventStoreApp('feed', { feed: { shards: 3, settleMs: 1000 } });
      tap = new RequestTap(app.module.get<EventSourcingRuntime>(EVENT_SOURCING_RUNTIME).client);
    });
    afterEach(() => {
      restoreClock?.();
      restoreClock = undefined;
      tap.reset();
    });
    afterAll(() => app.close());

    it('leaves commits younger than the settle window for a later read', async () => {
      const stream = `young-${Date.now()}`;
      const { clock, restore } = handClock(Date.now());
      restoreClock = restore;
      await app.store.append(stream, [new AccountOpened(stream, 'ann')], { expectedVersion: 'no-stream' });
      clock.now += 999;
      const early = await replayAll(app, { pageSize: 10, streamPrefix: stream });
      expect(early).toEqual([]);
      clock.now += 1;
      expect(ids(await replayAll(app, { pageSize: 10, streamPrefix: stream }))).toEqual([`${stream}@1`]);
    });

    it('still delivers a commit that shows up after the reader passed its time, within the settle window', async () => {
      const prefix = `late-${Date.now()}-`;
      const t = Date.now();
      const { clock, restore } = handClock(t);
      restoreClock = restore;
      const append = (id: string, at: number) => {
        clock.now = at;
        return app.store.append(prefix + id, [new AccountOpened(id, id)], { expectedVersion: 'no-stream' });
      };
      await append('a', t);
      await append('c', t + 500);
      clock.now = t + 1600; // the reader: high-water mark t + 600
      const first = await replayAll(app, { pageSize: 10, streamPrefix: prefix });
      expect(ids(first)).toEqual([`${prefix}a@1`, `${prefix}c@1`]);
      const checkpoint = first.at(-1)!.checkpoint;

      await append('e', t + 1500);
      // A writer whose clock lags the reader's by 900 ms commits now, after the commit above: its
      // commit is stamped before the reader's own time, yet after the reader's high-water mark.
      await append('b', t + 700);
      clock.now = t + 3000;
      const second = await replayAll(app, { pageSize: 10, streamPrefix: prefix, from: checkpoint });
      expect(ids(second)).toEqual([`${prefix}b@1`, `${prefix}e@1`]);

      // The guarantee's edge, stated in README: a commit that shows up later than the settle window is
      // behind a reader that already went past it.
      await append('z', t + 100);
      clock.now = t + 4000;
      const third = await replayAll(app, { pageSize: 10, streamPrefix: prefix, from: second.at(-1)!.checkpoint });
      expect(third).toEqual([]);
    });

    it('stamps a commit after the one it follows, whatever the writer\'s clock says', async () => {
      const stream = `clock-${Date.now()}`;
      const t = Date.now();
      const { clock, restore } = handClock(t);
      restoreClock = restore;
      await app.store.append(stream, [new AccountOpened(stream, 'ann')], { expectedVersion: 'no-stream' });
      clock.now = t - 60_000; // this writer's clock is a minute behind
      await app.store.append(stream, deposits(stream, 2), { expectedVersion: 1 }); // the commit end is known here
      const other = await createEventStoreApp('feed-clock', { tables: { events: app.tableName }, feed: { shards: 3, settleMs: 1000 } });
      try {
        await other.store.append(stream, deposits(stream, 1), { expectedVersion: 'any' }); // learns the head by reading it
      } finally {
        await other.module.close();
      }
      clock.now = t + 10_000;
      const events = await replayAll(app, { pageSize: 10, streamPrefix: stream });
      expect(ids(events)).toEqual([1, 2, 3, 4].map((v) => `${stream}@${v}`));
      expect(events.map((e) => e.occurredAt.getTime())).toEqual([t, t + 1, t + 1, t + 2]);
    });

    it('warns when a commit was acknowledged so late that feed readers may miss it', async () => {
      const stream = `slow-${Date.now()}`;
      const { clock, restore } = handClock(Date.now());
      restoreClock = restore;
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      let slow = true;
      tap.alterResponses('PutItemCommand', () => {
        if (slow) clock.now += 600; // the write took 600 ms, more than half the window
      });
      try {
        await app.store.append(stream, [new AccountOpened(stream, 'ann')], { expectedVersion: 'no-stream' });
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0]![0])).toContain('feed.settleMs');
        slow = false;
        await app.store.append(stream, deposits(stream, 1), { expectedVersion: 1 });
        expect(warn).toHaveBeenCalledTimes(1); // a prompt write says nothing
      } finally {
        warn.mockRestore();
      }
    });

    it('orders commits of one millisecond by stream id, across index pages', async () => {
      const prefix = `tie-${Date.now()}-`;
      const { clock, restore } = handClock(Date.now());
      restoreClock = restore;
      const streams = Array.from({ length: 12 }, (_, i) => `${prefix}${String.fromCharCode(108 - i)}`); // l, k, j, ...
      for (const stream of streams) await app.store.append(stream, [new AccountOpened(stream, 'x')], { expectedVersion: 'no-stream' });
      clock.now += 5000;
      const events = await replayAll(app, { pageSize: 1, streamPrefix: prefix });
      expect(events.map((e) => e.streamId)).toEqual([...streams].sort());
      const resumed = await replayAll(app, { pageSize: 2, streamPrefix: prefix, from: events[4]!.checkpoint });
      expect(resumed.map((e) => e.streamId)).toEqual([...streams].sort().slice(5));
    });

    it('delivers a commit split over several items once, whole', async () => {
      const stream = `big-${Date.now()}`;
      const events = deposits(stream, 30, 30_000); // about 900 KB: three items in one transaction
      await app.store.append(stream, events, { expectedVersion: 'no-stream' });
      const { restore } = handClock(Date.now() + 5000);
      restoreClock = restore;
      const delivered = await replayAll(app, { pageSize: 5, streamPrefix: stream });
      expect(delivered.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
      expect(delivered.map((e) => (e.event as MoneyDeposited).amount)).toEqual(events.map((e) => e.amount));
      const rest = await replayAll(app, { pageSize: 5, streamPrefix: stream, from: delivered[11]!.checkpoint });
      expect(rest.map((e) => e.version)).toEqual(events.slice(12).map((_, i) => i + 13));
    });

    it('stamps a commit anew when throttling held it back past half the settle window', async () => {
      const stream = `throttled-${Date.now()}`;
      const t = Date.now();
      const { clock, restore } = handClock(t);
      restoreClock = restore;
      await app.store.append(`before-${stream}`, [new AccountOpened(stream, 'ann')], { expectedVersion: 'no-stream' }); // the app's first write is behind it
      tap.reset();
      let throttles = 3;
      tap.rewrite('PutItemCommand', (input) => {
        if ((input.Item as Record<string, { S?: string }>)?.streamId?.S !== stream || throttles === 0) return;
        throttles--;
        clock.now += 300; // each throttled attempt and its backoff take 300 ms
      });
      tap.failNext('PutItemCommand', 3, 'ThrottlingException');
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        await app.store.append(stream, [new AccountOpened(stream, 'ann')], { expectedVersion: 'no-stream' });
      } finally {
        warn.mockRestore();
      }
      // Attempts at t (+300), t (+600: past half of 1000, so stamped again at t + 600), t + 600 (+900), then it lands.
      clock.now += 5000;
      const [event] = await replayAll(app, { pageSize: 10, streamPrefix: stream });
      expect(event!.occurredAt.getTime()).toBe(t + 600);
      expect(warn).not.toHaveBeenCalled();
    });

    it('stamps a commit anew when the SDK\'s own retries of a throttled write run past half the settle window', async () => {
      const stream = `sdk-throttled-${Date.now()}`;
      await app.store.append(`before-${stream}`, [new AccountOpened(stream, 'ann')], { expectedVersion: 'no-stream' }); // the app's first write is behind it
      const t = Date.now();
      const { clock, restore } = handClock(t);
      restoreClock = restore;
      // Two throttled attempts, each taking 700 ms of the writer's clock; the SDK retries them itself.
      tap.throttleAttempts('PutItemCommand', 2, () => (clock.now += 700));
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        await app.store.append(stream, [new AccountOpened(stream, 'ann')], { expectedVersion: 'no-stream' });
      } finally {
        warn.mockRestore();
      }
      // Stamped t; throttled (t + 700): the SDK's retry finds the stamp stale and the store stamps t + 700;
      // throttled again (t + 1400): stamped t + 1400, which lands.
      clock.now += 5000;
      const [event] = await replayAll(app, { pageSize: 10, streamPrefix: stream });
      expect(event!.occurredAt.getTime()).toBe(t + 1400);
      expect(warn).not.toHaveBeenCalled();
    });

    it('hands out the caught-up checkpoint, past filtered events, so the next read skips them', async () => {
      const stream = `caught-up-${Date.now()}`;
      await app.store.append(stream, [new AccountOpened(stream, 'ann'), ...deposits(stream, 3)], { expectedVersion: 'no-stream' });
      await app.store.append(stream, deposits(stream, 2, 0, 10), { expectedVersion: 4 });
      const { restore } = handClock(Date.now() + 5000);
      restoreClock = restore;
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
      const { restore } = handClock(Date.now() + 5000);
      restoreClock = restore;
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
      const { restore } = handClock(Date.now() + 5000);
      restoreClock = restore;
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

    it('reads every shard any writer used, even with fewer configured', async () => {
      const prefix = `wide-${Date.now()}-`;
      const writer = await createEventStoreApp('feed-wide', { tables: { events: app.tableName }, feed: { shards: 16, settleMs: 1000 } });
      try {
        for (let i = 0; i < 40; i++) await writer.store.append(`${prefix}${i}`, [new AccountOpened(`${i}`, 'x')], { expectedVersion: 'no-stream' });
      } finally {
        await writer.module.close();
      }
      const { restore } = handClock(Date.now() + 5000);
      restoreClock = restore;
      const events = await replayAll(app, { pageSize: 100, streamPrefix: prefix }); // this app is configured with 3 shards
      expect(events).toHaveLength(40);
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
    });

    it('reads from the start when given FEED_START', async () => {
      const stream = `start-${Date.now()}`;
      await app.store.append(stream, [new AccountOpened(stream, 'ann'), new MoneyDeposited(stream, 5)], { expectedVersion: 'no-stream' });
      const { restore } = handClock(Date.now() + 5000);
      restoreClock = restore;
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

import { GetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { concatMap, lastValueFrom, map, take, tap, toArray, type Observable } from 'rxjs';
import { EVENT_SOURCING_RUNTIME } from '../lib/dynamo-event-sourcing.constants.js';
import type { EventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import {
  EventItemAttribute,
  EventStoreErrorCode,
  handleInOrder,
  InvalidArgumentError,
  type EventEnvelope,
  type EventStore,
  type ReplayOptions,
} from '../lib/index.js';
import { createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { deposits, type MoneyDeposited } from './support/events.js';
import { RequestTap } from './support/fault-injection.js';

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
const versionsOf = (envelopes: readonly EventEnvelope[]) => envelopes.map((e) => e.version);
const replayed = <T>(source: Observable<T>): Promise<T[]> => lastValueFrom(source.pipe(toArray()));
/** A handler's work: about 2 ms per event. */
const work = () => new Promise<void>((resolve) => setTimeout(resolve, 2));

/** A stored item, by sort key and last version. */
type ItemSpan = readonly [key: number, last: number];

/**
 * The versions each replay page should hold: page after page, the events of [from, to] held by
 * the items whose sort key is in [next, next + pageSize - 1] (or holds `next`), until a page is empty.
 */
function expectedPages(items: readonly ItemSpan[], pageSize: number, from = 1, to = Number.MAX_SAFE_INTEGER): number[][] {
  const pages: number[][] = [];
  for (let next = from; next <= to; ) {
    const spanEnd = next + pageSize - 1;
    const page = items.filter(([key, last]) => last >= next && key <= Math.min(spanEnd, to)).flatMap(([key, last]) => range(Math.max(key, next), Math.min(last, to)));
    if (page.length === 0) break;
    pages.push(page);
    next = page.at(-1)! + 1;
  }
  return pages;
}

describe('EventStore.replay$', () => {
  let app: EventStoreApp;
  let cold: EventStoreApp; // a second instance that never wrote the streams (no boundary cache)
  let store: EventStore;
  let client: DynamoDBClient;
  let requests: RequestTap;
  const run = Date.now();
  // 1-event and 10-event commits: 25 x 1, 10 x 10, 15 x 1, 5 x 10 = 190 events.
  const mixed = `mixed-${run}`;
  const mixedCommits = [...Array(25).fill(1), ...Array(10).fill(10), ...Array(15).fill(1), ...Array(5).fill(10)] as number[];
  const mixedTotal = 190;
  const hundred = `hundred-${run}`; // 100 one-event commits
  const threes = `threes-${run}`; // 300 events in 3-event commits
  const split = `split-${run}`; // 3 events, one commit of 2000 split over several items, 2 events
  const items = new Map<string, ItemSpan[]>();

  async function appendCommits(stream: string, sizes: readonly number[], noteBytes = 0): Promise<void> {
    let version = 0;
    for (const size of sizes) {
      version = (await store.append(stream, deposits(stream, size, noteBytes, version + 1), { expectedVersion: version })).version;
    }
  }

  /** The stream's items as stored, read straight from the table. */
  async function storedItems(stream: string): Promise<ItemSpan[]> {
    const { Items } = await client.send(
      new QueryCommand({
        TableName: app.tableName,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': { S: stream } },
        ProjectionExpression: 'version, lastVersion',
        ConsistentRead: true,
      }),
    );
    return Items!.map((item) => [Number(item.version!.N), Number(item.lastVersion!.N)] as const);
  }

  /**
   * One request through the store's client. A Query the replay would still send after being stopped
   * is set off by promise callbacks that run before this request's response can arrive, so counting
   * after it catches such a Query without waiting for some arbitrary time.
   */
  const roundTrip = () =>
    client.send(
      new GetItemCommand({
        TableName: app.tableName,
        Key: { [EventItemAttribute.streamId]: { S: 'no-such-stream' }, [EventItemAttribute.version]: { N: '1' } },
      }),
    );
  const queries = () => requests.count('QueryCommand');

  beforeAll(async () => {
    app = await createEventStoreApp('replay');
    cold = await createEventStoreApp('replay-cold', { tables: { events: app.tableName }, tableSetup: 'verify' });
    store = app.store;
    client = app.module.get<EventSourcingRuntime>(EVENT_SOURCING_RUNTIME).client;
    requests = new RequestTap(client);
    await appendCommits(mixed, mixedCommits, 10);
    await appendCommits(hundred, Array(100).fill(1));
    await appendCommits(threes, Array(100).fill(3));
    await appendCommits(split, [3, 2000, 2], 280); // the 2000-event commit is over 400 KB: several items
    for (const stream of [mixed, threes, split]) items.set(stream, await storedItems(stream));
    expect(items.get(split)!.length).toBeGreaterThan(3); // the big commit really spans several items
  });
  beforeEach(() => requests.reset());
  afterAll(async () => {
    await cold.module.close();
    await app.close();
  });

  it('emits every event once, in order, one Query per page, across 1-event and 10-event commits', async () => {
    const pageSize = 7;
    // The number of Queries sent by the time each event is emitted tells which page it came in.
    const seen = await replayed(store.replay$(mixed, { pageSize }).pipe(map((e) => ({ envelope: e, page: queries() }))));
    const envelopes = seen.map((s) => s.envelope);
    expect(versionsOf(envelopes)).toEqual(range(1, mixedTotal));
    expect(envelopes.map((e) => (e.event as MoneyDeposited).amount)).toEqual(range(1, mixedTotal));
    expect(new Set(envelopes.map((e) => e.eventId)).size).toBe(mixedTotal);

    const pages = expectedPages(items.get(mixed)!, pageSize);
    const byPage = pages.map((_, i) => seen.filter((s) => s.page === i + 1).map((s) => s.envelope.version));
    expect(byPage).toEqual(pages);
    expect(queries()).toBe(pages.length + 1); // and one that finds the end
    // A page holds at most pageSize - 1 events plus those of the last commit it reaches into (10 here).
    expect(Math.max(...pages.map((p) => p.length))).toBeLessThanOrEqual(pageSize - 1 + 10);
  });

  it('emits the same events with pages of 1 and of 1000 versions, from a store that never wrote them', async () => {
    for (const reader of [store, cold.store]) {
      for (const pageSize of [1, 1000]) {
        expect(versionsOf(await replayed(reader.replay$(mixed, { pageSize })))).toEqual(range(1, mixedTotal));
      }
    }
  });

  it('replays a commit split over several items, whose later items lie beyond the page, without reading again', async () => {
    for (const pageSize of [1, 5, 1000]) {
      requests.reset();
      const envelopes = await replayed(store.replay$(split, { pageSize }));
      expect(versionsOf(envelopes)).toEqual(range(1, 2005));
      expect(queries()).toBe(expectedPages(items.get(split)!, pageSize).length + 1);
    }
  });

  it('reads a page again when read-committed isolation hides an item of a commit an earlier page began', async () => {
    // Hide the split commit's later items from the next two Query answers that hold one.
    let left = 2;
    requests.alterResponses('QueryCommand', (output) => {
      const stored = output.Items as Array<Record<string, AttributeValue>> | undefined;
      if (left <= 0 || stored === undefined) return;
      const kept = stored.filter((item) => !(item.commitLastVersion !== undefined && Number(item.version!.N) > 4));
      if (kept.length === stored.length) return;
      output.Items = kept;
      left--;
    });
    const envelopes = await replayed(store.replay$(split, { pageSize: 5 }));
    expect(versionsOf(envelopes)).toEqual(range(1, 2005));
    expect(left).toBe(0); // the hiding did happen
  });

  it('emits exactly [fromVersion, toVersion], also from inside a multi-event commit', async () => {
    const froms = [1, 25, 26, 30, 35, 36, 126, 145, 185, 190];
    const tos = [30, 35, 125, 150, 190, 500];
    for (const reader of [store, cold.store]) {
      for (const fromVersion of froms) {
        for (const toVersion of tos.filter((t) => t >= fromVersion)) {
          const envelopes = await replayed(reader.replay$(mixed, { fromVersion, toVersion, pageSize: 4 }));
          expect(versionsOf(envelopes)).toEqual(range(fromVersion, Math.min(toVersion, mixedTotal)));
        }
      }
    }
    expect(versionsOf(await replayed(store.replay$(mixed, { fromVersion: 188, pageSize: 4 })))).toEqual([188, 189, 190]);
  });

  it('completes with nothing for an unknown stream, or past the end of a stream', async () => {
    expect(await replayed(store.replay$(`unknown-${run}`, { pageSize: 10 }))).toEqual([]);
    expect(queries()).toBe(1);
    expect(await replayed(store.replay$(mixed, { fromVersion: mixedTotal + 1, pageSize: 10 }))).toEqual([]);
  });

  it.each([
    [undefined, /replay options/],
    [null, /replay options/],
    [{}, /pageSize/],
    [{ pageSize: 0 }, /pageSize/],
    [{ pageSize: 1001 }, /pageSize/],
    [{ pageSize: 2.5 }, /pageSize/],
    [{ pageSize: '10' }, /pageSize/],
    [{ pageSize: Number.NaN }, /pageSize/],
    [{ pageSize: 10, fromVersion: 0 }, /fromVersion/],
    [{ pageSize: 10, fromVersion: 5, toVersion: 4 }, /toVersion/],
  ])('refuses bad options %j synchronously, with a typed error, sending nothing', (options, message) => {
    const call = () => store.replay$(mixed, options as unknown as ReplayOptions);
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(message);
    expect(call).toThrow(expect.objectContaining({ code: EventStoreErrorCode.INVALID_READ_OPTIONS }));
    expect(() => store.replay$('', { pageSize: 10 })).toThrow(expect.objectContaining({ code: EventStoreErrorCode.INVALID_STREAM_ID }));
    expect(requests.sent).toEqual([]);
  });

  it('is cold: nothing is read until subscribed, and each subscription reads afresh', async () => {
    const replay = store.replay$(hundred, { pageSize: 50, toVersion: 10 });
    await roundTrip();
    expect(queries()).toBe(0);
    expect(versionsOf(await replayed(replay))).toEqual(range(1, 10));
    expect(versionsOf(await replayed(replay))).toEqual(range(1, 10));
    expect(queries()).toBe(2);
  });

  it('sends no further Query once take(n) has what it needs', async () => {
    const envelopes = await replayed(store.replay$(hundred, { pageSize: 5 }).pipe(take(3)));
    expect(versionsOf(envelopes)).toEqual([1, 2, 3]);
    await roundTrip();
    expect(queries()).toBe(1);
  });

  it('sends no further Query once unsubscribed while a page is being handled', async () => {
    const handled: number[] = [];
    let reached7!: () => void;
    const handling7 = new Promise<void>((resolve) => (reached7 = resolve));
    const outcome: string[] = [];
    const subscription = store
      .replay$(hundred, { pageSize: 5 })
      .pipe(
        handleInOrder(async (e: EventEnvelope) => {
          handled.push(e.version);
          if (e.version === 7) {
            reached7();
            await new Promise(() => undefined); // still handling when unsubscribed
          }
        }),
      )
      .subscribe({ error: () => outcome.push('error'), complete: () => outcome.push('complete') });
    await handling7;
    expect(queries()).toBe(2); // versions 1-5, then 6-10
    subscription.unsubscribe();
    await roundTrip();
    expect(queries()).toBe(2);
    expect(handled).toEqual(range(1, 7));
    expect(outcome).toEqual([]);
  });

  it('errors with the handler\'s error and stops reading', async () => {
    const failure = new Error('handler failed on 12');
    const handled: number[] = [];
    const replay = store.replay$(hundred, { pageSize: 5 }).pipe(
      handleInOrder(async (e: EventEnvelope) => {
        handled.push(e.version);
        await work();
        if (e.version === 12) throw failure;
      }),
    );
    await expect(replayed(replay)).rejects.toBe(failure);
    await roundTrip();
    expect(handled).toEqual(range(1, 12));
    expect(queries()).toBe(3); // versions 1-5, 6-10, 11-15
  });

  describe('backpressure (300 events in 3-event commits, pages of 20 versions)', () => {
    const pageSize = 20;

    it('with handleInOrder, never holds more than 2 x pageSize events fetched but not yet handled', async () => {
      let outstanding = 0; // fetched, handler not finished
      let most = 0;
      const handled: number[] = [];
      await replayed(
        store.replay$(threes, { pageSize }).pipe(
          tap(() => (most = Math.max(most, ++outstanding))),
          handleInOrder(async (e: EventEnvelope) => {
            await work();
            handled.push(e.version);
            outstanding--;
          }),
        ),
      );
      expect(handled).toEqual(range(1, 300));
      expect(most).toBeLessThanOrEqual(2 * pageSize);
      // Exactly one page at a time: items at n, n + 3, ..., n + 18 hold 21 events.
      expect(most).toBe(21);
      expect(queries()).toBe(expectedPages(items.get(threes)!, pageSize).length + 1);
    });

    it('with plain concatMap, reads on regardless of the handler (why handleInOrder is needed)', async () => {
      let outstanding = 0;
      let most = 0;
      let readEverything!: () => void;
      const allRead = new Promise<void>((resolve) => (readEverything = resolve));
      const handled: number[] = [];
      await replayed(
        store.replay$(threes, { pageSize }).pipe(
          tap({ next: () => (most = Math.max(most, ++outstanding)), complete: () => readEverything() }),
          concatMap(async (e: EventEnvelope) => {
            // The first event's handler is still busy when the whole stream has been read: concatMap
            // accepted every event at once, so nothing held the reading back. (Under handleInOrder the
            // reading waits for this handler, so this wait would never end.)
            if (e.version === 1) await allRead;
            await work();
            handled.push(e.version);
            outstanding--;
          }),
        ),
      );
      expect(handled).toEqual(range(1, 300));
      expect(most).toBeGreaterThan(2 * pageSize);
      expect(most).toBe(300);
    });
  });
});

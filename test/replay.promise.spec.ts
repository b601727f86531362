import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { lastValueFrom, toArray } from 'rxjs';
import { EVENT_SOURCING_RUNTIME } from '../lib/dynamo-event-sourcing.constants.js';
import type { EventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import { EventItemAttribute, EventStoreErrorCode, FEED_START, InvalidArgumentError, isEvent, type EventEnvelope, type EventStore, type FeedEvent } from '../lib/index.js';
import { deleteTables } from './support/dynamodb.js';
import { createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { AccountOpened, deposits, MoneyDeposited, MoneyWithdrawn, TEST_EVENTS } from './support/events.js';
import { RequestTap } from './support/fault-injection.js';

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** A promise the test settles. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}

class NotRegistered {
  readonly x = 1;
}

describe('EventStore.replay() and replayAll(): a promise, a handler, one page at a time', () => {
  let app: EventStoreApp; // no indexer: the requests of its client are the replays' alone
  let indexer: EventStoreApp; // indexes the same table's feed
  let store: EventStore;
  let client: DynamoDBClient;
  let requests: RequestTap;
  const run = Date.now();
  const hundred = `hundred-${run}`; // 40 one-event commits
  const mixed = `mixed-${run}`; // opened, then deposits and withdrawals
  const feedPrefix = `feed-${run}-`;
  /** Events in the Query and BatchGetItem answers so far: read from DynamoDB, handled or not. */
  let eventsRead = 0;

  /** One request through the store's client: a request a stopped replay would still send is set off before its answer arrives. */
  const roundTrip = () =>
    client.send(new GetItemCommand({ TableName: app.tableName, Key: { [EventItemAttribute.streamId]: { S: 'no-such-stream' }, [EventItemAttribute.version]: { N: '1' } } }));
  const queries = () => requests.count('QueryCommand');
  const countEventsRead = (output: Record<string, unknown>, items: unknown) => {
    for (const item of (items ?? []) as Array<Record<string, { N?: string; S?: string }>>) {
      // Event items only: the feed index's own items (stream `$$feed`) hold no events.
      if (item[EventItemAttribute.streamId]?.S?.startsWith('$$') === true) continue;
      eventsRead += Number(item[EventItemAttribute.lastVersion]!.N) - Number(item[EventItemAttribute.version]!.N) + 1;
    }
    return output;
  };

  beforeAll(async () => {
    app = await createEventStoreApp('replay-promise');
    indexer = await createEventStoreApp('replay-promise-indexer', { tables: { events: app.tableName }, tableSetup: 'verify', feed: {} });
    store = app.store;
    client = app.module.get<EventSourcingRuntime>(EVENT_SOURCING_RUNTIME).client;
    requests = new RequestTap(client);
    for (let version = 0; version < 40; version++) await store.append(hundred, deposits(hundred, 1, 0, version + 1), { expectedVersion: version });
    await store.append(mixed, [new AccountOpened(mixed, 'ann'), ...deposits(mixed, 3)], { expectedVersion: 0 });
    await store.append(mixed, [new MoneyWithdrawn(mixed, 2), ...deposits(mixed, 1, 0, 4)], { expectedVersion: 4 });
    await store.append(mixed, [new MoneyWithdrawn(mixed, 1)], { expectedVersion: 6 });
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      const stream = feedPrefix + name;
      await store.append(stream, [new AccountOpened(stream, name), ...deposits(stream, i + 1)], { expectedVersion: 0 });
      await store.append(stream, deposits(stream, 2, 0, i + 2), { expectedVersion: i + 2 });
    }
    await app.feedIndexed();
  });
  beforeEach(() => {
    requests.reset();
    eventsRead = 0;
    requests.alterResponses('QueryCommand', (output) => countEventsRead(output, output.Items));
    requests.alterResponses('BatchGetItemCommand', (output) => countEventsRead(output, Object.values((output.Responses ?? {}) as Record<string, unknown[]>).flat()));
  });
  afterAll(async () => {
    await indexer.module.close();
    await app.close();
  });

  describe('replay(streamId, handler, options)', () => {
    it('calls the handler with every event in version order, awaiting each, and resolves with what it did', async () => {
      const handled: number[] = [];
      let running = 0;
      const result = await store.replay(
        hundred,
        async ({ event, version }) => {
          expect(running++).toBe(0); // one call at a time
          await Promise.resolve();
          expect((event as MoneyDeposited).amount).toBe(version);
          handled.push(version);
          running--;
        },
        { pageSize: 7 },
      );
      expect(handled).toEqual(range(1, 40));
      expect(result).toEqual({ eventsHandled: 40, lastVersion: 40 });
      expect(await store.replay(hundred, () => undefined, { pageSize: 7, fromVersion: 20, toVersion: 35 })).toEqual({ eventsHandled: 16, lastVersion: 35 });
      expect(await store.replay(hundred, () => undefined, { pageSize: 7, fromVersion: 41 })).toEqual({ eventsHandled: 0, lastVersion: 40 });
      expect(await store.replay(`unknown-${run}`, () => undefined, { pageSize: 7 })).toEqual({ eventsHandled: 0, lastVersion: 0 });
    });

    it('holds at most one page of events read but not handled while a handler is slow, and reads on once it is done', async () => {
      const pageSize = 5;
      const gate = deferred();
      const reached = deferred();
      let handled = 0;
      let mostWaiting = 0;
      const replay = store.replay(
        hundred,
        async ({ version }) => {
          mostWaiting = Math.max(mostWaiting, eventsRead - handled);
          if (version === 7) {
            reached.resolve();
            await gate.promise; // the handler is slow here, as long as the test wants
          }
          handled++;
        },
        { pageSize },
      );
      await reached.promise;
      await roundTrip();
      expect(queries()).toBe(2); // versions 1-5, then 6-10: nothing read ahead of the slow handler
      expect(eventsRead - handled).toBeLessThanOrEqual(pageSize);
      gate.resolve();
      expect(await replay).toEqual({ eventsHandled: 40, lastVersion: 40 });
      expect(mostWaiting).toBeLessThanOrEqual(pageSize);
      expect(queries()).toBe(9); // 8 pages and one that finds the end
    });

    it("rejects with the handler's error (thrown or rejected) and reads nothing further", async () => {
      for (const failing of [
        (e: EventEnvelope) => {
          if (e.version === 12) throw new Error('sync failure on 12');
        },
        async (e: EventEnvelope) => {
          if (e.version === 12) throw new Error('async failure on 12');
        },
      ]) {
        requests.sent.length = 0;
        const handled: number[] = [];
        const replay = store.replay(hundred, (e) => (handled.push(e.version), failing(e)), { pageSize: 5 });
        await expect(replay).rejects.toThrow(/failure on 12/);
        await roundTrip();
        expect(handled).toEqual(range(1, 12));
        expect(queries()).toBe(3); // versions 1-5, 6-10, 11-15
      }
    });

    it('with eventTypes, hands out only those events, in version order, typed; lastVersion covers the ones left out', async () => {
      const withdrawn: Array<[number, number]> = [];
      const result = await store.replay(mixed, ({ event, version }) => void withdrawn.push([version, event.amount]), { pageSize: 2, eventTypes: [MoneyWithdrawn] });
      expect(withdrawn).toEqual([[5, 2], [7, 1]]);
      expect(result).toEqual({ eventsHandled: 2, lastVersion: 7 });
      const byName = await lastValueFrom(store.replay$(mixed, { pageSize: 3, eventTypes: ['AccountOpened', MoneyDeposited] }).pipe(toArray()));
      expect(byName.map((e) => e.version)).toEqual([1, 2, 3, 4, 6]);
      expect(byName.map((e) => e.eventType)).toEqual(['AccountOpened', 'MoneyDeposited', 'MoneyDeposited', 'MoneyDeposited', 'MoneyDeposited']);
      expect(await store.replay(mixed, () => undefined, { pageSize: 3, eventTypes: [MoneyWithdrawn], toVersion: 4 })).toEqual({ eventsHandled: 0, lastVersion: 4 });
    });

    it('with eventTypes, skips other types undecoded: a type this app cannot read does not stop the replay', async () => {
      // Another service's event, in the same stream: registered by name in the writer only, so this store has no class for it.
      class ForeignNote {
        constructor(readonly text: string) {}
      }
      // A table of its own: a commit to the shared one would move the feed under the feed tests below.
      const writer = await createEventStoreApp('replay-promise-foreign', { events: [...TEST_EVENTS, { name: 'other-service.note', type: ForeignNote }] });
      const reader = await createEventStoreApp('replay-promise-foreign-reader', { tables: { events: writer.tableName }, tableSetup: 'verify' });
      const stream = `foreign-${run}`;
      try {
        await writer.store.append(stream, [new AccountOpened(stream, 'ann'), new ForeignNote('hi'), ...deposits(stream, 2)], { expectedVersion: 0 });
        const versions: number[] = [];
        expect(await reader.store.replay(stream, ({ version }) => void versions.push(version), { pageSize: 2, eventTypes: [MoneyDeposited] })).toEqual({ eventsHandled: 2, lastVersion: 4 });
        expect(versions).toEqual([3, 4]);
        await expect(reader.store.replay(stream, () => undefined, { pageSize: 2 })).rejects.toThrow(/"other-service.note" \(stream "foreign-/);
      } finally {
        await reader.module.close();
        await writer.module.close();
        await deleteTables(writer.tableName);
      }
    });

    it('stops when the signal aborts: rejects with its reason once the handler under way has settled, and reads nothing further', async () => {
      const controller = new AbortController();
      const handled: number[] = [];
      const replay = store.replay(
        hundred,
        async ({ version }) => {
          handled.push(version);
          if (version === 7) controller.abort(new Error('enough'));
        },
        { pageSize: 5, signal: controller.signal },
      );
      await expect(replay).rejects.toThrow('enough');
      await roundTrip();
      expect(handled).toEqual(range(1, 7));
      expect(queries()).toBe(2);

      requests.sent.length = 0;
      await expect(store.replay(hundred, () => undefined, { pageSize: 5, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
      expect(requests.sent).toEqual([]);
    });

    it.each<[string, () => Promise<unknown>, RegExp]>([
      ['a handler that is not a function', () => store.replay(hundred, 'log' as never, { pageSize: 5 }), /handler function/],
      ['no options', () => store.replay(hundred, () => undefined, undefined as never), /replay options/],
      ['a signal that is not an AbortSignal', () => store.replay(hundred, () => undefined, { pageSize: 5, signal: {} as never }), /AbortSignal/],
      ['an unknown option', () => store.replay(hundred, () => undefined, { pageSize: 5, form: 3 } as never), /no option "form"/],
      ['an unregistered class in eventTypes', () => store.replay(hundred, () => undefined, { pageSize: 5, eventTypes: [NotRegistered] }), /NotRegistered/],
      ['an empty eventTypes list', () => store.replay(hundred, () => undefined, { pageSize: 5, eventTypes: [] }), /non-empty array/],
      ['a stream id that is empty', () => store.replay('', () => undefined, { pageSize: 5 }), /streamId/],
    ])('rejects %s with an InvalidArgumentError, sending nothing', async (_label, call, message) => {
      const failure = call();
      await expect(failure).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(failure).rejects.toThrow(message);
      expect(requests.sent).toEqual([]);
    });

    it('refuses a bad eventTypes list on replay$ at once, with a typed error, sending nothing', () => {
      expect(() => store.replay$(hundred, { pageSize: 5, eventTypes: [NotRegistered] })).toThrow(expect.objectContaining({ code: EventStoreErrorCode.INVALID_READ_OPTIONS }));
      expect(() => store.replay$(hundred, { pageSize: 5, eventTypes: ['NoSuchEvent'] })).toThrow(InvalidArgumentError);
      expect(requests.sent).toEqual([]);
    });
  });

  describe('replayAll(handler, options)', () => {
    const feedIds = (events: readonly FeedEvent[]) => events.map((e) => `${e.streamId.slice(feedPrefix.length)}@${e.version}`);

    it('hands out the feed in order, one event at a time, and resolves with the checkpoint to resume from', async () => {
      const seen: FeedEvent[] = [];
      const result = await store.replayAll((e) => void seen.push(e), { pageSize: 2, streamPrefix: feedPrefix });
      const expected = await lastValueFrom(store.replayAll$({ pageSize: 100, streamPrefix: feedPrefix }).pipe(toArray()));
      expect(feedIds(seen)).toEqual(feedIds(expected));
      expect(seen).toHaveLength(15);
      expect(result.eventsHandled).toBe(15);
      let caughtUp: string | undefined;
      await lastValueFrom(store.replayAll$({ pageSize: 100, streamPrefix: feedPrefix, onCaughtUp: (c) => (caughtUp = c) }).pipe(toArray()));
      expect(result.checkpoint).toBe(caughtUp);
      expect(await store.replayAll(() => undefined, { pageSize: 2, streamPrefix: feedPrefix, from: result.checkpoint })).toEqual({ eventsHandled: 0, checkpoint: result.checkpoint });
    });

    it('with eventTypes, hands out only those events; the checkpoint moves past what was left out, also when that is everything', async () => {
      const opened: string[] = [];
      const result = await store.replayAll(({ event, streamId }) => void opened.push(`${streamId.slice(feedPrefix.length)}:${event.owner}`), {
        pageSize: 3,
        streamPrefix: feedPrefix,
        eventTypes: [AccountOpened],
      });
      expect(opened.sort()).toEqual(['a:a', 'b:b', 'c:c']);
      const nothing = await store.replayAll(() => undefined, { pageSize: 3, streamPrefix: feedPrefix, eventTypes: [MoneyWithdrawn] });
      expect(nothing.eventsHandled).toBe(0);
      expect(nothing.checkpoint).toBe(result.checkpoint); // the head: nothing to look at again next time
      expect(nothing.checkpoint).not.toBe(FEED_START);
    });

    it('holds at most one page of events read but not handled, and stops reading on a handler error', async () => {
      const gate = deferred();
      const reached = deferred();
      let handled = 0;
      const slow = store.replayAll(
        async () => {
          if (handled === 3) {
            reached.resolve();
            await gate.promise;
          }
          handled++;
        },
        { pageSize: 4, streamPrefix: feedPrefix },
      );
      await reached.promise;
      await roundTrip();
      expect(eventsRead - handled).toBeLessThanOrEqual(4); // one page (whole commits: at most 4 events here)
      expect(requests.count('BatchGetItemCommand')).toBe(1);
      gate.resolve();
      expect((await slow).eventsHandled).toBe(15);

      requests.sent.length = 0;
      const failure = new Error('feed handler failed');
      const handledBeforeFailure: FeedEvent[] = [];
      await expect(
        store.replayAll(
          (e) => {
            handledBeforeFailure.push(e);
            if (handledBeforeFailure.length === 2) throw failure;
          },
          { pageSize: 2, streamPrefix: feedPrefix },
        ),
      ).rejects.toBe(failure);
      await roundTrip();
      expect(handledBeforeFailure).toHaveLength(2);
      expect(requests.count('BatchGetItemCommand')).toBe(1);
    });

    it('narrows with isEvent inside an untyped handler, and rejects bad options before any request', async () => {
      const amounts: number[] = [];
      await store.replayAll(
        (e) => {
          if (isEvent(e, MoneyDeposited, MoneyWithdrawn)) amounts.push(e.event.amount);
        },
        { pageSize: 10, streamPrefix: `${feedPrefix}a` },
      );
      expect(amounts).toEqual([1, 2, 3]);
      requests.sent.length = 0;
      await expect(store.replayAll(() => undefined, { pageSize: 0 })).rejects.toMatchObject({ code: EventStoreErrorCode.INVALID_READ_OPTIONS });
      await expect(store.replayAll(() => undefined, { pageSize: 5, from: 'yesterday' })).rejects.toMatchObject({ code: EventStoreErrorCode.INVALID_CHECKPOINT });
      await expect(store.replayAll(() => undefined, { pageSize: 5, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
      expect(requests.sent).toEqual([]);
    });
  });
});

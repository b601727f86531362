import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { lastValueFrom, toArray } from 'rxjs';
import { EventType, FEED_START, FeedDisabledError, InvalidModuleOptionsError, NO_STREAM, UnregisteredEventClassError, type FeedEvent } from '../../index.js';
import { InMemoryEventStore } from './in-memory-event-store.js';

@EventType('in-memory-store-spec.noted')
class Noted {
  constructor(readonly text: string) {}
}

const replayAll = (store: InMemoryEventStore, from = FEED_START): Promise<FeedEvent[]> => lastValueFrom(store.replayAll$({ pageSize: 2, from }).pipe(toArray()));
const ids = (events: readonly FeedEvent[]) => events.map((e) => `${e.streamId}@${e.version}`);

describe('InMemoryEventStore', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('refuses the feed with FeedDisabledError when it is off, as the DynamoDB store does', async () => {
    const store = new InMemoryEventStore({ events: [Noted], feed: false });
    expect(() => store.replayAll$({ pageSize: 2 })).toThrow(FeedDisabledError);
    await store.append('s', [new Noted('x')], { expectedVersion: NO_STREAM }); // appends still work
    expect(ids(await replayAll(new InMemoryEventStore({ events: [Noted] })))).toEqual([]);
  });

  describe('commit times', () => {
    it('keeps the feed in the order of the appends within one millisecond, so checkpoints resume exactly without a settle window', async () => {
      jest.spyOn(Date, 'now').mockReturnValue(1_000);
      const store = new InMemoryEventStore({ events: [Noted] });
      // Stream ids in no particular order: the feed orders by (commit time, stream id), so some commits move to the next millisecond.
      for (const stream of ['m', 'b', 'x', 'b', 'a', 'm']) await store.append(stream, [new Noted(stream)], { expectedVersion: 'any' });
      const events = await replayAll(store);
      expect(ids(events)).toEqual(['m@1', 'b@1', 'x@1', 'b@2', 'a@1', 'm@2']);
      expect(events.map((e) => e.occurredAt.getTime())).toEqual([1_000, 1_001, 1_001, 1_002, 1_003, 1_003]);
      for (let cut = 0; cut < events.length; cut++) expect(ids(await replayAll(store, events[cut]!.checkpoint))).toEqual(ids(events.slice(cut + 1)));
    });

    it('never stamps a commit before the last one when the clock goes back', async () => {
      const now = jest.spyOn(Date, 'now').mockReturnValue(5_000);
      const store = new InMemoryEventStore({ events: [Noted] });
      await store.append('late', [new Noted('a')], { expectedVersion: NO_STREAM });
      now.mockReturnValue(4_000);
      const result = await store.append('early', [new Noted('b')], { expectedVersion: NO_STREAM });
      expect(result.envelopes[0]!.occurredAt.getTime()).toBe(5_001);
      expect(ids(await replayAll(store))).toEqual(['late@1', 'early@1']);
    });
  });

  describe('without Nest', () => {
    it('publishes committed events on the event bus it is given, unless told not to', async () => {
      const publishAll = jest.fn();
      const store = new InMemoryEventStore({ events: [Noted], eventBus: { publishAll } });
      const events = [new Noted('a'), new Noted('b')];
      await store.append('s', events, { expectedVersion: NO_STREAM });
      await store.append('s', [new Noted('c')], { expectedVersion: 2, publish: false });
      expect(publishAll.mock.calls).toEqual([[events]]);

      const quiet = new InMemoryEventStore({ events: [Noted], eventBus: { publishAll }, publishEvents: false });
      await quiet.append('s', [new Noted('d')], { expectedVersion: NO_STREAM });
      expect(publishAll).toHaveBeenCalledTimes(1);
    });

    it('needs its event classes registered, and checks its options as the module does', async () => {
      await expect(new InMemoryEventStore().append('s', [new Noted('a')], { expectedVersion: NO_STREAM })).rejects.toBeInstanceOf(UnregisteredEventClassError);
      expect(() => new InMemoryEventStore({ events: [class Unnamed {}] })).toThrow(InvalidModuleOptionsError);
      expect(() => new InMemoryEventStore({ publishEvents: 'yes' as never })).toThrow(/publishEvents/);
    });

    it('tells the aggregate repository which versions end a commit', async () => {
      const store = new InMemoryEventStore({ events: [Noted] });
      await store.append('s', [new Noted('a'), new Noted('b')], { expectedVersion: NO_STREAM });
      await store.append('s', [new Noted('c')], { expectedVersion: 2 });
      expect([0, 1, 2, 3, 4].map((version) => store.isKnownCommitEnd('s', version))).toEqual([false, false, true, true, false]);
    });
  });
});

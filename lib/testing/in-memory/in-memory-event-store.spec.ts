import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { lastValueFrom, toArray } from 'rxjs';
import { EventType, FEED_START, FeedCheckpointMismatchError, FeedDisabledError, InvalidModuleOptionsError, NO_STREAM, UnregisteredEventClassError, type FeedEvent } from '../../index.js';
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

  describe('the feed', () => {
    it('keeps the order of the appends, whatever the clock says, and resumes exactly from any checkpoint', async () => {
      const now = jest.spyOn(Date, 'now').mockReturnValue(1_000);
      const store = new InMemoryEventStore({ events: [Noted] });
      for (const [stream, at] of [['m', 1_000], ['b', 1_000], ['x', 900], ['b', 800], ['a', 1_000], ['m', 1_000]] as const) {
        now.mockReturnValue(at);
        await store.append(stream, [new Noted(stream)], { expectedVersion: 'any' });
      }
      const events = await replayAll(store);
      expect(ids(events)).toEqual(['m@1', 'b@1', 'x@1', 'b@2', 'a@1', 'm@2']);
      // Commit times are informational: never back within a stream, whatever the clock did.
      expect(events.map((e) => e.occurredAt.getTime())).toEqual([1_000, 1_000, 900, 1_001, 1_000, 1_001]);
      expect(events.map((e) => e.checkpoint)).toEqual(events.map((_, i) => expect.stringMatching(new RegExp(`^f[0-9a-f]{8}:${i + 1}$`))));
      for (let cut = 0; cut < events.length; cut++) expect(ids(await replayAll(store, events[cut]!.checkpoint))).toEqual(ids(events.slice(cut + 1)));
    });

    it('resumes inside a multi-event commit, and refuses a checkpoint of another store or of 0.3', async () => {
      const store = new InMemoryEventStore({ events: [Noted] });
      await store.append('s', [new Noted('a'), new Noted('b'), new Noted('c')], { expectedVersion: NO_STREAM });
      const events = await replayAll(store);
      expect(events.map((e) => e.checkpoint.split(':').slice(1))).toEqual([['1', '1'], ['1', '2'], ['1']]);
      expect(ids(await replayAll(store, events[0]!.checkpoint))).toEqual(['s@2', 's@3']);
      const other = new InMemoryEventStore({ events: [Noted] });
      await other.append('s', [new Noted('a')], { expectedVersion: NO_STREAM });
      await expect(replayAll(other, events[0]!.checkpoint)).rejects.toBeInstanceOf(FeedCheckpointMismatchError);
      expect(() => store.replayAll$({ pageSize: 2, from: '1760000000000:1:s' })).toThrow(expect.objectContaining({ reason: 'outdated' }));
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

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { lastValueFrom, toArray } from 'rxjs';
import { EventType, FEED_START, FeedCheckpointMismatchError, FeedDisabledError, InvalidModuleOptionsError, NO_STREAM, UnregisteredEventClassError, type FeedEvent } from '../../index.js';
import { InMemoryEventStore } from './in-memory-event-store.js';

@EventType('in-memory-store-spec.noted')
class Noted {
  constructor(readonly text: string) {}
}

@EventType('in-memory-store-spec.flagged')
class Flagged {
  constructor(readonly flag: boolean) {}
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

  describe('replay() and replayAll(): a promise, a handler, one page at a time', () => {
    async function storeWith(stream: string, texts: readonly string[]): Promise<InMemoryEventStore> {
      const store = new InMemoryEventStore({ events: [Noted, Flagged] });
      for (const [i, text] of texts.entries()) {
        await store.append(stream, [text === 'flag' ? new Flagged(true) : new Noted(text)], { expectedVersion: i });
      }
      return store;
    }

    it('awaits the handler on each event in order, reads each page when it gets there, and resolves with what it did', async () => {
      const store = await storeWith('s', ['a', 'b', 'c']);
      const seen: string[] = [];
      const result = await store.replay(
        's',
        async ({ event, version }) => {
          await Promise.resolve();
          seen.push(`${version}:${(event as Noted).text}`);
          // The page of versions 2-3 is read after this: what is appended now is replayed.
          if (version === 1) await store.append('s', [new Noted('d')], { expectedVersion: 3 });
        },
        { pageSize: 1 },
      );
      expect(seen).toEqual(['1:a', '2:b', '3:c', '4:d']);
      expect(result).toEqual({ eventsHandled: 4, lastVersion: 4 });
      expect(await store.replay('s', () => undefined, { pageSize: 2, fromVersion: 5 })).toEqual({ eventsHandled: 0, lastVersion: 4 });
    });

    it('with eventTypes, hands out only those events, typed, and stops on a handler error or an abort', async () => {
      const store = await storeWith('s', ['a', 'flag', 'b', 'flag', 'c']);
      const flags: number[] = [];
      expect(await store.replay('s', ({ event, version }) => void (event.flag && flags.push(version)), { pageSize: 2, eventTypes: [Flagged] })).toEqual({
        eventsHandled: 2,
        lastVersion: 5,
      });
      expect(flags).toEqual([2, 4]);

      const handled: number[] = [];
      const failure = new Error('failed on 2');
      await expect(
        store.replay('s', ({ version }) => {
          handled.push(version);
          if (version === 2) throw failure;
        }, { pageSize: 1 }),
      ).rejects.toBe(failure);
      expect(handled).toEqual([1, 2]);

      const controller = new AbortController();
      handled.length = 0;
      await expect(
        store.replay('s', ({ version }) => {
          handled.push(version);
          if (version === 3) controller.abort();
        }, { pageSize: 2, signal: controller.signal }),
      ).rejects.toMatchObject({ name: 'AbortError' });
      expect(handled).toEqual([1, 2, 3]);
    });

    it('replayAll() resolves with the caught-up checkpoint, past what eventTypes left out, even when that is everything', async () => {
      const store = await storeWith('s', ['a', 'flag', 'b']);
      const texts: string[] = [];
      const notes = await store.replayAll(({ event }) => void texts.push(event.text), { pageSize: 1, eventTypes: [Noted] });
      expect(texts).toEqual(['a', 'b']);
      const nothing = new InMemoryEventStore({ events: [Noted, Flagged] });
      await nothing.append('t', [new Noted('x')], { expectedVersion: NO_STREAM });
      const skipped = await nothing.replayAll(() => undefined, { pageSize: 1, eventTypes: [Flagged] });
      expect(skipped.eventsHandled).toBe(0);
      expect(skipped.checkpoint).toMatch(/^f[0-9a-f]{8}:1$/);
      expect(notes).toEqual({ eventsHandled: 2, checkpoint: expect.stringMatching(/^f[0-9a-f]{8}:3$/) });
      expect(await store.replayAll(() => undefined, { pageSize: 1, from: notes.checkpoint })).toEqual({ eventsHandled: 0, checkpoint: notes.checkpoint });
      await expect(new InMemoryEventStore({ events: [Noted], feed: false }).replayAll(() => undefined, { pageSize: 1 })).rejects.toBeInstanceOf(FeedDisabledError);
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

    it('needs a type name for its event classes (an @EventType is enough), and checks its options as the module does', async () => {
      class Untyped {}
      await expect(new InMemoryEventStore().append('s', [new Untyped()], { expectedVersion: NO_STREAM })).rejects.toBeInstanceOf(UnregisteredEventClassError);
      await expect(new InMemoryEventStore().append('s', [new Noted('a')], { expectedVersion: NO_STREAM })).resolves.toMatchObject({ version: 1 });
      expect(() => new InMemoryEventStore({ events: [class Unnamed {}] })).toThrow(InvalidModuleOptionsError);
      expect(() => new InMemoryEventStore({ publishEvents: 'yes' as never })).toThrow(/publishEvents/);
    });

    it('with eventTypes, skips other types undecoded, as the DynamoDB store does', async () => {
      class Broken {
        readonly x = 1;
      }
      const unreadable = { serialize: (event: Broken) => ({ x: event.x }), deserialize: (): Broken => { throw new Error('cannot read a Broken'); } };
      const store = new InMemoryEventStore({ events: [Noted, { name: 'in-memory-store-spec.broken', type: Broken, serializer: unreadable }] });
      await store.append('s', [new Noted('a'), new Broken(), new Noted('b')], { expectedVersion: NO_STREAM });
      const texts: string[] = [];
      expect(await store.replay('s', ({ event }) => void texts.push(event.text), { pageSize: 2, eventTypes: [Noted] })).toEqual({ eventsHandled: 2, lastVersion: 3 });
      expect(texts).toEqual(['a', 'b']);
      await expect(store.replay('s', () => undefined, { pageSize: 2 })).rejects.toThrow(/cannot read a Broken/);
    });

    it('stamps commits by lifecycle.clock, which maxAge is measured by', async () => {
      let now = Date.parse('2030-01-01T00:00:00.000Z');
      const store = new InMemoryEventStore({ events: [Noted], lifecycle: { clock: () => now } });
      await store.append('s', [new Noted('old')], { expectedVersion: NO_STREAM });
      now += 10_000;
      const { envelopes } = await store.append('s', [new Noted('new')], { expectedVersion: 1 });
      expect(envelopes[0]!.occurredAt.toISOString()).toBe('2030-01-01T00:00:10.000Z');
      await store.setStreamMetadata('s', { maxAge: 5_000 });
      const read: string[] = [];
      for await (const { event } of store.read<Noted>('s')) read.push(event.text);
      expect(read).toEqual(['new']);
    });

    it("passes over a hard-deleted stream's erased feed entries; checkpoints given before stay valid", async () => {
      const store = new InMemoryEventStore({ events: [Noted] });
      await store.append('a', [new Noted('1'), new Noted('2')], { expectedVersion: NO_STREAM });
      await store.append('b', [new Noted('3')], { expectedVersion: NO_STREAM });
      await store.append('a', [new Noted('4')], { expectedVersion: 2 });
      const before = await replayAll(store);
      expect(ids(before)).toEqual(['a@1', 'a@2', 'b@1', 'a@3']);
      const report = await store.deleteStream('a', { expectedVersion: 3, mode: 'hard' });
      expect(report.actions).toEqual(
        expect.arrayContaining([expect.objectContaining({ what: 'events-deleted', count: 3 }), expect.objectContaining({ what: 'feed-index-entries-erased', count: 2 })]),
      );
      expect(ids(await replayAll(store))).toEqual(['b@1', 'a@4']); // a@4: the deletion, as StreamDeleted
      expect(ids(await replayAll(store, before[0]!.checkpoint))).toEqual(['b@1', 'a@4']); // from inside an erased commit
      expect(ids(await replayAll(store, before[2]!.checkpoint))).toEqual(['a@4']);
    });

    it('tells the aggregate repository which versions end a commit', async () => {
      const store = new InMemoryEventStore({ events: [Noted] });
      await store.append('s', [new Noted('a'), new Noted('b')], { expectedVersion: NO_STREAM });
      await store.append('s', [new Noted('c')], { expectedVersion: 2 });
      expect([0, 1, 2, 3, 4].map((version) => store.isKnownCommitEnd('s', version))).toEqual([false, false, true, true, false]);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventBus } from '@nestjs/cqrs';
import { randomBytes } from 'node:crypto';
import { lastValueFrom, take, tap, toArray, type Observable } from 'rxjs';
import {
  ANY,
  CommitIdReusedError,
  CommitTooLargeError,
  ConcurrencyError,
  envelopeOf,
  EventMetadataContext,
  EventNotSerializableError,
  EventStoreErrorCode,
  EventTooLargeError,
  FEED_START,
  handleInOrder,
  InvalidArgumentError,
  NO_STREAM,
  STREAM_EXISTS,
  UnregisteredEventClassError,
  type EventEnvelope,
  type EventRegistration,
  type EventSerializer,
  type EventStore,
  type FeedEvent,
  type ReplayAllOptions,
} from '../../lib/index.js';
import { AccountOpened, deposits, MoneyDeposited, MoneyWithdrawn, TEST_EVENTS } from '../support/events.js';
import { ReceivedEvents } from '../support/received-events.js';

/** What the contract holds a store to: the public API of the DynamoDB `EventStore`. */
export type ContractEventStore = Pick<EventStore, 'append' | 'read' | 'replay$' | 'replayAll$'>;

/** A store to run the contract against, with what the contract needs around it. */
export interface EventStoreUnderTest {
  readonly store: ContractEventStore;
  /** The EventBus the store publishes committed events on. */
  readonly eventBus: EventBus;
  /** Resolves once a `replayAll$` started afterwards sees every commit made before the call (once the feed index lists them). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** An event that plain JSON cannot carry (a Date, a Map), stored through its serializer. */
export class RatesPublished {
  constructor(
    readonly at: Date,
    readonly rates: Map<string, number>,
  ) {}
}
const ratesSerializer: EventSerializer<RatesPublished, { at: string; rates: Array<[string, number]> }> = {
  serialize: (event) => ({ at: event.at.toISOString(), rates: [...event.rates] }),
  deserialize: (data) => new RatesPublished(new Date(data.at), new Map(data.rates)),
};

/** The event classes a store under contract must be set up with. */
export const CONTRACT_EVENTS: EventRegistration[] = [...TEST_EVENTS, { name: 'contract.rates-published', type: RatesPublished, serializer: ratesSerializer }];

class NotRegistered {
  readonly x = 1;
}

const KB = 1024;
const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
const versionsOf = (envelopes: readonly EventEnvelope[]): number[] => envelopes.map((e) => e.version);
const ids = (envelopes: readonly EventEnvelope[]): string[] => envelopes.map((e) => `${e.streamId}@${e.version}`);
const amountsOf = (envelopes: readonly EventEnvelope[]): number[] => envelopes.map((e) => (e.event as MoneyDeposited).amount);
const emitted = <T>(source: Observable<T>): Promise<T[]> => lastValueFrom(source.pipe(toArray()));

/** What `call` throws (synchronously), or undefined. */
function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Version spans of a stream's commits, appended one after another from version 1. */
function spansOf(commitSizes: readonly number[]): Array<readonly [first: number, last: number]> {
  let version = 0;
  return commitSizes.map((size) => [version + 1, (version += size)] as const);
}

/**
 * Runs `source` through `handleInOrder` and records, as each event is handled, how many events the
 * source had emitted by then. The handler first lets the source finish emitting the page it is in
 * (one microtask: a page is emitted synchronously), and the next page cannot come before this event
 * is handled: so the count is the last event of the event's page. Events are grouped by it into pages.
 */
async function pagesOf<T extends EventEnvelope>(source: Observable<T>, handle: (event: T) => unknown = () => undefined): Promise<string[][]> {
  let count = 0;
  const seen: Array<{ id: string; page: number }> = [];
  await lastValueFrom(
    source.pipe(
      tap(() => count++),
      handleInOrder(async (event: T) => {
        await Promise.resolve();
        seen.push({ id: `${event.streamId}@${event.version}`, page: count });
        await handle(event);
      }),
    ),
    { defaultValue: undefined },
  );
  const pages = new Map<number, string[]>();
  for (const { id, page } of seen) pages.set(page, [...(pages.get(page) ?? []), id]);
  return [...pages.values()];
}

/**
 * The semantics every EventStore implementation shares (the DynamoDB one and the in-memory one):
 * expected versions and races, idempotent commit ids, typed errors on bad input with nothing
 * stored, metadata, publishing, reads, and the paged replays of one stream and of the global feed.
 * What only one implementation has (DynamoDB's items, requests, throttling) is tested on its own.
 */
export function describeEventStoreContract(name: string, open: () => Promise<EventStoreUnderTest>): void {
  describe(`EventStore contract: ${name}`, () => {
    let subject: EventStoreUnderTest;
    let store: ContractEventStore;
    const run = randomBytes(3).toString('hex');
    let streams = 0;
    const newStream = (label: string) => `${label}-${run}-${++streams}`;
    /** Appends commits of these sizes to a new stream, deposits of amounts 1, 2, 3... */
    async function streamOf(label: string, commitSizes: readonly number[]): Promise<string> {
      const stream = newStream(label);
      let version = 0;
      for (const size of commitSizes) {
        version = (await store.append(stream, deposits(stream, size, 0, version + 1), { expectedVersion: version })).version;
      }
      return stream;
    }

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(() => subject?.close());

    describe('append', () => {
      it('commits events and resolves to the new version and the envelopes, which reads give back', async () => {
        const stream = newStream('append');
        const events = [new AccountOpened(stream, 'ann'), new MoneyDeposited(stream, 10)];
        const result = await store.append(stream, events, { expectedVersion: NO_STREAM, metadata: { userId: 'u-1' } });
        expect(result).toMatchObject({ streamId: stream, version: 2, duplicate: false });
        expect(typeof result.commitId).toBe('string');
        expect(result.envelopes.map((e) => [e.version, e.eventType, e.commitId, e.streamId])).toEqual([
          [1, 'AccountOpened', result.commitId, stream],
          [2, 'MoneyDeposited', result.commitId, stream],
        ]);
        expect(result.envelopes[0]!.event).toBe(events[0]);
        expect(result.envelopes[0]!.eventId).not.toBe(result.envelopes[1]!.eventId);

        const read = await collect(store.read(stream));
        expect(read.map((e) => e.event)).toEqual(events);
        expect(read[0]!.event).toBeInstanceOf(AccountOpened);
        expect(read[0]!.event).not.toBe(events[0]); // a fresh instance, rebuilt from what was stored
        expect(read.map((e) => e.eventId)).toEqual(result.envelopes.map((e) => e.eventId));
        expect(read.map((e) => e.occurredAt.getTime())).toEqual(result.envelopes.map((e) => e.occurredAt.getTime()));
        expect(read[1]).toMatchObject({ eventType: 'MoneyDeposited', commitId: result.commitId, metadata: { userId: 'u-1' } });
      });

      it('stores what JSON carries, and what a registered serializer carries (Dates, Maps)', async () => {
        const stream = newStream('serialized');
        const rates = new RatesPublished(new Date('2026-03-01T12:00:00.000Z'), new Map([['EUR', 1], ['CHF', 0.94]]));
        await store.append(stream, [rates, new MoneyDeposited(stream, 5, 'é ✓ "quoted"')], { expectedVersion: NO_STREAM });
        const [first, second] = await collect(store.read(stream));
        expect(first!.event).toBeInstanceOf(RatesPublished);
        expect(first!.event).toEqual(rates);
        expect(first!.eventType).toBe('contract.rates-published');
        expect(second!.event).toEqual(new MoneyDeposited(stream, 5, 'é ✓ "quoted"'));
      });

      it("'no-stream' and 0 append to a new stream only", async () => {
        const stream = newStream('no-stream');
        await store.append(stream, [new AccountOpened(stream, 'a')], { expectedVersion: NO_STREAM });
        await expect(store.append(stream, [new AccountOpened(stream, 'b')], { expectedVersion: NO_STREAM })).rejects.toMatchObject({
          code: EventStoreErrorCode.CONCURRENCY,
          streamId: stream,
          expectedVersion: NO_STREAM,
          actualVersion: 1,
        });
        await expect(store.append(stream, deposits(stream, 1), { expectedVersion: 0 })).rejects.toMatchObject({ expectedVersion: 0, actualVersion: 1 });
        const other = newStream('zero');
        expect((await store.append(other, deposits(other, 2), { expectedVersion: 0 })).version).toBe(2);
      });

      it('an exact version appends at the head and is a ConcurrencyError anywhere else, inside a commit or past the head', async () => {
        const stream = await streamOf('exact', [5, 1]); // versions 1-5 in one commit, then 6
        for (const expectedVersion of [1, 3, 4, 5, 7, 100]) {
          const failure = store.append(stream, deposits(stream, 1), { expectedVersion });
          await expect(failure).rejects.toBeInstanceOf(ConcurrencyError);
          await expect(failure).rejects.toMatchObject({ streamId: stream, expectedVersion, actualVersion: 6 });
        }
        expect((await store.append(stream, deposits(stream, 2, 0, 7), { expectedVersion: 6 })).version).toBe(8);
        expect(versionsOf(await collect(store.read(stream)))).toEqual(range(1, 8));
      });

      it("'stream-exists' appends after the head of an existing stream only", async () => {
        const stream = newStream('exists');
        await expect(store.append(stream, deposits(stream, 1), { expectedVersion: STREAM_EXISTS })).rejects.toMatchObject({
          code: EventStoreErrorCode.CONCURRENCY,
          streamId: stream,
          expectedVersion: STREAM_EXISTS,
          actualVersion: 0,
        });
        await store.append(stream, deposits(stream, 3), { expectedVersion: NO_STREAM });
        expect((await store.append(stream, deposits(stream, 2), { expectedVersion: STREAM_EXISTS })).version).toBe(5);
      });

      it("'any' appends after whatever the head is; concurrent 'any' appends all land, contiguously", async () => {
        const stream = newStream('any');
        expect((await store.append(stream, deposits(stream, 2), { expectedVersion: ANY })).version).toBe(2);
        const results = await Promise.all(range(1, 8).map((i) => store.append(stream, deposits(stream, 2, 0, i * 10), { expectedVersion: ANY })));
        expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(range(2, 9).map((i) => i * 2));
        const read = await collect(store.read(stream));
        expect(versionsOf(read)).toEqual(range(1, 18));
        // Each commit's events stay together, in their order.
        for (const result of results) {
          const own = read.filter((e) => e.commitId === result.commitId);
          expect(versionsOf(own)).toEqual(range(result.version - 1, result.version));
        }
      });

      it('of racing appends at one expected version, exactly one wins; the others get a ConcurrencyError and store nothing', async () => {
        const stream = newStream('race');
        const writers = 8;
        let version = 0;
        const winners: number[][] = [];
        for (let round = 0; round < 5; round++) {
          const expectedVersion = version === 0 ? NO_STREAM : version;
          // Different sizes per writer: a lost race could only show up as an overlap or a gap.
          const attempts = range(0, writers - 1).map((writer) => {
            const events = deposits(stream, 1 + (writer % 3), 0, (round * writers + writer) * 100);
            return store.append(stream, events, { expectedVersion }).then((result) => ({ result, events }));
          });
          const outcomes = await Promise.allSettled(attempts);
          const won = outcomes.filter((o) => o.status === 'fulfilled');
          const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
          expect(won).toHaveLength(1);
          for (const { reason } of lost) {
            expect(reason).toBeInstanceOf(ConcurrencyError);
            expect(reason).toMatchObject({ streamId: stream, expectedVersion });
            expect((reason as ConcurrencyError).actualVersion).toBeGreaterThan(version);
          }
          const { result, events } = (won[0] as PromiseFulfilledResult<Awaited<(typeof attempts)[number]>>).value;
          expect(result.version).toBe(version + events.length);
          version = result.version;
          winners.push(events.map((e) => e.amount));
        }
        const stored = await collect(store.read(stream));
        expect(versionsOf(stored)).toEqual(range(1, version));
        expect(amountsOf(stored)).toEqual(winners.flat());
      });
    });

    describe('idempotent commit ids', () => {
      it('a retry with the same commitId resolves to the original commit, marked duplicate, and stores nothing', async () => {
        const stream = newStream('retry');
        const events = deposits(stream, 3);
        const original = await store.append(stream, events, { expectedVersion: NO_STREAM, commitId: 'cmd-1' });
        const retried = await store.append(stream, deposits(stream, 3), { expectedVersion: NO_STREAM, commitId: 'cmd-1' });
        expect(retried).toMatchObject({ streamId: stream, commitId: 'cmd-1', version: 3, duplicate: true });
        expect(retried.envelopes.map((e) => e.eventId)).toEqual(original.envelopes.map((e) => e.eventId));
        expect(retried.envelopes.map((e) => e.event)).toEqual(events);
        expect(retried.envelopes[0]!.event).toBeInstanceOf(MoneyDeposited);
        expect(await collect(store.read(stream))).toHaveLength(3);
      });

      it('with an exact expected version, the retry is recognized after other commits followed it', async () => {
        const stream = await streamOf('retry-later', [1]);
        const original = await store.append(stream, deposits(stream, 2, 0, 2), { expectedVersion: 1, commitId: 'cmd-2' });
        await store.append(stream, deposits(stream, 1, 0, 4), { expectedVersion: 3 });
        const retried = await store.append(stream, deposits(stream, 2, 0, 2), { expectedVersion: 1, commitId: 'cmd-2' });
        expect(retried).toMatchObject({ duplicate: true, version: 3, commitId: 'cmd-2' });
        expect(retried.envelopes.map((e) => e.eventId)).toEqual(original.envelopes.map((e) => e.eventId));
        expect(versionsOf(await collect(store.read(stream)))).toEqual(range(1, 4));
      });

      it("with 'any' or 'stream-exists', the retry is recognized while the commit is the stream's last, and lands again after others", async () => {
        const stream = newStream('retry-any');
        await store.append(stream, deposits(stream, 2), { expectedVersion: ANY, commitId: 'cmd-any' });
        expect(await store.append(stream, deposits(stream, 2), { expectedVersion: ANY, commitId: 'cmd-any' })).toMatchObject({ duplicate: true, version: 2 });
        expect(await store.append(stream, deposits(stream, 2), { expectedVersion: STREAM_EXISTS, commitId: 'cmd-any' })).toMatchObject({
          duplicate: true,
          version: 2,
        });
        await store.append(stream, deposits(stream, 1, 0, 3), { expectedVersion: ANY });
        // As in EventStoreDB: no longer the last commit, so it is appended again.
        expect(await store.append(stream, deposits(stream, 2), { expectedVersion: ANY, commitId: 'cmd-any' })).toMatchObject({
          duplicate: false,
          version: 5,
        });
      });

      it('a stored commitId sent with other events is a CommitIdReusedError, and nothing is stored', async () => {
        const stream = newStream('reused');
        await store.append(stream, deposits(stream, 2), { expectedVersion: NO_STREAM, commitId: 'cmd-3' });
        const others: object[][] = [deposits(stream, 2, 0, 999), deposits(stream, 1), [new AccountOpened(stream, 'x')], deposits(stream, 3)];
        for (const events of others) {
          const failure = store.append(stream, events, { expectedVersion: NO_STREAM, commitId: 'cmd-3' });
          await expect(failure).rejects.toBeInstanceOf(CommitIdReusedError);
          await expect(failure).rejects.toMatchObject({ code: EventStoreErrorCode.COMMIT_ID_REUSED, streamId: stream, commitId: 'cmd-3' });
        }
        expect(amountsOf(await collect(store.read(stream)))).toEqual([1, 2]);
      });

      it('appends without a commitId are never taken for retries, however alike their events', async () => {
        const stream = newStream('no-commit-id');
        const first = await store.append(stream, deposits(stream, 1), { expectedVersion: ANY });
        const second = await store.append(stream, deposits(stream, 1), { expectedVersion: ANY });
        expect([first.duplicate, second.duplicate, second.version]).toEqual([false, false, 2]);
        expect(first.commitId).not.toBe(second.commitId);
      });
    });

    describe('bad input: a typed error, and nothing stored', () => {
      const stream = `bad-input-${randomBytes(3).toString('hex')}`;
      const deposit = (note = '', extra: object = {}) => Object.assign(new MoneyDeposited(stream, 1, note), extra);
      const circular = () => {
        const event = deposit() as MoneyDeposited & { self?: unknown };
        event.self = event;
        return event;
      };
      const cases: Array<[string, () => Promise<unknown>, new (...args: never[]) => Error, string, RegExp]> = [
        ['an empty event list', () => store.append(stream, [], { expectedVersion: NO_STREAM }), InvalidArgumentError, 'INVALID_EVENT', /at least one event/],
        ['events that are not an array', () => store.append(stream, {} as never, { expectedVersion: NO_STREAM }), InvalidArgumentError, 'INVALID_EVENT', /must be an array/],
        ['a number as an event', () => store.append(stream, [42 as never], { expectedVersion: NO_STREAM }), InvalidArgumentError, 'INVALID_EVENT', /Event #0 .* got 42/],
        ['null among the events', () => store.append(stream, [deposit(), null as never], { expectedVersion: NO_STREAM }), InvalidArgumentError, 'INVALID_EVENT', /Event #1/],
        ['a plain object as an event', () => store.append(stream, [{ amount: 1 }], { expectedVersion: NO_STREAM }), UnregisteredEventClassError, 'UNREGISTERED_EVENT_CLASS', /"Object"/],
        ['an unregistered class', () => store.append(stream, [deposit(), new NotRegistered()], { expectedVersion: NO_STREAM }), UnregisteredEventClassError, 'UNREGISTERED_EVENT_CLASS', /NotRegistered/],
        ['a BigInt in the payload', () => store.append(stream, [deposit('', { big: 1n })], { expectedVersion: NO_STREAM }), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /\$\.big is a BigInt/],
        ['a Map in the payload', () => store.append(stream, [deposit('', { seen: new Map() })], { expectedVersion: NO_STREAM }), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /\$\.seen is a Map/],
        ['a circular payload', () => store.append(stream, [circular()], { expectedVersion: NO_STREAM }), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /circular/],
        ['NaN in the payload', () => store.append(stream, [deposit('', { n: Number.NaN })], { expectedVersion: NO_STREAM }), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /NaN/],
        ['one event over 400 KB', () => store.append(stream, [deposit(), deposit('x'.repeat(401 * KB))], { expectedVersion: NO_STREAM }), EventTooLargeError, 'EVENT_TOO_LARGE', /Event #1 \("MoneyDeposited"\)/],
        ['a commit over 4 MB', () => store.append(stream, Array.from({ length: 11 }, () => deposit('x'.repeat(390 * KB))), { expectedVersion: NO_STREAM }), CommitTooLargeError, 'COMMIT_TOO_LARGE', /4194304-byte limit/],
        ['an empty stream id', () => store.append('', [deposit()], { expectedVersion: NO_STREAM }), InvalidArgumentError, 'INVALID_STREAM_ID', /non-empty string/],
        ['a stream id over 1 KB', () => store.append('é'.repeat(513), [deposit()], { expectedVersion: NO_STREAM }), InvalidArgumentError, 'INVALID_STREAM_ID', /1026 bytes/],
        ['a reserved stream id', () => store.append('$$feed-shards', [deposit()], { expectedVersion: ANY }), InvalidArgumentError, 'INVALID_STREAM_ID', /must not start with "\$\$"/],
        ['a negative expected version', () => store.append(stream, [deposit()], { expectedVersion: -1 }), InvalidArgumentError, 'INVALID_EXPECTED_VERSION', /got -1/],
        ['a fractional expected version', () => store.append(stream, [deposit()], { expectedVersion: 1.5 }), InvalidArgumentError, 'INVALID_EXPECTED_VERSION', /got 1.5/],
        ['an unknown expected version', () => store.append(stream, [deposit()], { expectedVersion: 'latest' as never }), InvalidArgumentError, 'INVALID_EXPECTED_VERSION', /got "latest"/],
        ['no options', () => store.append(stream, [deposit()], undefined as never), InvalidArgumentError, 'INVALID_EXPECTED_VERSION', /required/],
        ['an empty commit id', () => store.append(stream, [deposit()], { expectedVersion: NO_STREAM, commitId: '' }), InvalidArgumentError, 'INVALID_COMMIT_ID', /commitId/],
        ['metadata that is not an object', () => store.append(stream, [deposit()], { expectedVersion: NO_STREAM, metadata: 'x' as never }), InvalidArgumentError, 'INVALID_METADATA', /metadata must be a JSON object/],
        ['metadata with a reserved key', () => store.append(stream, [deposit()], { expectedVersion: NO_STREAM, metadata: { $corr: 'x' } }), InvalidArgumentError, 'INVALID_METADATA', /reserved/],
        ['metadata over 64 KB', () => store.append(stream, [deposit()], { expectedVersion: NO_STREAM, metadata: { note: 'm'.repeat(65 * KB) } }), InvalidArgumentError, 'INVALID_METADATA', /65536 are allowed/],
        ['metadata JSON cannot carry', () => store.append(stream, [deposit()], { expectedVersion: NO_STREAM, metadata: { at: 1n } }), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /commit metadata/],
        ['an empty correlation id', () => store.append(stream, [deposit()], { expectedVersion: NO_STREAM, correlationId: '' }), InvalidArgumentError, 'INVALID_METADATA', /correlationId/],
      ];

      it.each(cases)('%s', async (_label, append, type, code, message) => {
        const failure = append();
        await expect(failure).rejects.toBeInstanceOf(type);
        await expect(failure).rejects.toMatchObject({ code });
        await expect(failure).rejects.toThrow(message);
        expect(await collect(store.read(stream))).toEqual([]);
      });
    });

    describe('metadata and publishing', () => {
      it("hands out the append's metadata, correlation and causation ids, over those of the scope it runs in", async () => {
        const stream = newStream('meta');
        const scope = { correlationId: 'corr-1', causationId: 'cause-1', metadata: { userId: 'u-1', tenant: 't-1' } };
        const scoped = await EventMetadataContext.run(scope, () =>
          store.append(stream, deposits(stream, 2), { expectedVersion: NO_STREAM, metadata: { userId: 'u-2' } }),
        );
        const explicit = await EventMetadataContext.run(scope, () =>
          store.append(stream, deposits(stream, 1, 0, 3), { expectedVersion: 2, correlationId: 'corr-2', causationId: 'cause-2' }),
        );
        const bare = await store.append(stream, deposits(stream, 1, 0, 4), { expectedVersion: 3 });
        const read = await collect(store.read(stream));
        for (const envelope of [...scoped.envelopes, ...read.slice(0, 2)]) {
          expect(envelope).toMatchObject({ correlationId: 'corr-1', causationId: 'cause-1', metadata: { userId: 'u-2', tenant: 't-1' } });
        }
        for (const envelope of [...explicit.envelopes, read[2]!]) {
          expect(envelope).toMatchObject({ correlationId: 'corr-2', causationId: 'cause-2', metadata: { userId: 'u-1', tenant: 't-1' } });
        }
        for (const envelope of [...bare.envelopes, read[3]!]) {
          expect(envelope).toMatchObject({ correlationId: undefined, causationId: undefined, metadata: {} });
        }
        expect(Object.isFrozen(read[0]!.metadata)).toBe(true);
      });

      it("keeps a copy of the metadata: changing the caller's object afterwards changes nothing stored", async () => {
        const stream = newStream('meta-copy');
        const metadata = { tags: ['a'] };
        const result = await store.append(stream, deposits(stream, 1), { expectedVersion: NO_STREAM, metadata });
        metadata.tags.push('b');
        expect(result.envelopes[0]!.metadata).toEqual({ tags: ['a'] });
        expect((await collect(store.read(stream)))[0]!.metadata).toEqual({ tags: ['a'] });
      });

      it('envelopeOf gives the envelope of an appended event and of a read one', async () => {
        const stream = newStream('envelope-of');
        const events = deposits(stream, 2);
        const result = await store.append(stream, events, { expectedVersion: NO_STREAM, correlationId: 'corr-e' });
        expect(envelopeOf(events[1]!)).toMatchObject({ streamId: stream, version: 2, eventId: result.envelopes[1]!.eventId, correlationId: 'corr-e' });
        const [read] = await collect(store.read(stream, { fromVersion: 1, toVersion: 1 }));
        expect(envelopeOf(read!.event)).toMatchObject({ streamId: stream, version: 1, eventId: result.envelopes[0]!.eventId });
        expect(envelopeOf(new MoneyDeposited(stream, 1))).toBeUndefined();
      });

      it('publishes committed events on the EventBus in version order; a retry, a failed append or publish: false publishes nothing', async () => {
        const stream = newStream('bus');
        const received = new ReceivedEvents<object>();
        const subscription = subject.eventBus.subscribe((event) => {
          if ((event as { accountId?: string }).accountId === stream) received.add(event);
        });
        try {
          const first = [new AccountOpened(stream, 'ann'), ...deposits(stream, 2)];
          await store.append(stream, first, { expectedVersion: NO_STREAM, commitId: `open-${stream}` });
          await store.append(stream, first, { expectedVersion: NO_STREAM, commitId: `open-${stream}` }); // a retry
          await expect(store.append(stream, deposits(stream, 1), { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
          await expect(store.append(stream, [Object.assign(new MoneyDeposited(stream, 1), { big: 1n })], { expectedVersion: 3 })).rejects.toBeInstanceOf(EventNotSerializableError);
          await store.append(stream, deposits(stream, 1, 0, 50), { expectedVersion: 3, publish: false });
          const last = new MoneyWithdrawn(stream, 5);
          await store.append(stream, [last], { expectedVersion: 4 });
          // Publishing keeps the order of commits: had anything before `last` been published, it would be here by now.
          await received.waitFor(4);
          expect(received.events).toHaveLength(4);
          [...first, last].forEach((event, i) => expect(received.events[i]).toBe(event));
        } finally {
          subscription.unsubscribe();
        }
      });
    });

    describe('read', () => {
      const commitSizes = [3, 1, 5, 2, 4];
      const total = 15;
      let stream: string;
      beforeAll(async () => {
        stream = await streamOf('read', commitSizes);
      });

      it('gives exactly the requested range, forwards and backwards, wherever commits start and end', async () => {
        const bounds = [1, 3, 4, 6, 10, 12, 15]; // commits: 1-3, 4, 5-9, 10-11, 12-15
        for (const from of bounds) {
          for (const to of bounds.filter((t) => t >= from)) {
            expect(versionsOf(await collect(store.read(stream, { fromVersion: from, toVersion: to })))).toEqual(range(from, to));
            expect(versionsOf(await collect(store.read(stream, { fromVersion: from, toVersion: to, direction: 'backward', pageSize: 1 })))).toEqual(range(from, to).reverse());
          }
        }
        expect(amountsOf(await collect(store.read(stream)))).toEqual(range(1, total));
      });

      it('reads to the end from a version, clips a range past the end, and reads nothing past it', async () => {
        expect(versionsOf(await collect(store.read(stream, { fromVersion: 12 })))).toEqual(range(12, total));
        expect(versionsOf(await collect(store.read(stream, { fromVersion: 13, toVersion: 500 })))).toEqual(range(13, total));
        expect(versionsOf(await collect(store.read(stream, { direction: 'backward', toVersion: 500, pageSize: 2 })))).toEqual(range(1, total).reverse());
        expect(await collect(store.read(stream, { fromVersion: total + 1 }))).toEqual([]);
      });

      it('reads nothing from a stream that does not exist', async () => {
        expect(await collect(store.read(newStream('none')))).toEqual([]);
        expect(await collect(store.read(newStream('none'), { direction: 'backward', fromVersion: 3 }))).toEqual([]);
      });

      it('is lazy and reads afresh each time it is iterated', async () => {
        const twice = await streamOf('twice', [2]);
        const reading = store.read(twice);
        await store.append(twice, deposits(twice, 1, 0, 3), { expectedVersion: 2 });
        expect(versionsOf(await collect(reading))).toEqual([1, 2, 3]);
        await store.append(twice, deposits(twice, 1, 0, 4), { expectedVersion: 3 });
        expect(versionsOf(await collect(reading))).toEqual([1, 2, 3, 4]);
      });

      it.each([
        [{ fromVersion: 0 }, /fromVersion/],
        [{ fromVersion: 1.5 }, /fromVersion/],
        [{ fromVersion: 5, toVersion: 4 }, /toVersion/],
        [{ direction: 'sideways' }, /direction/],
        [{ pageSize: 0 }, /pageSize/],
      ])('refuses the read options %j at once with an InvalidArgumentError', (options, message) => {
        expect(() => store.read(stream, options as never)).toThrow(InvalidArgumentError);
        expect(() => store.read(stream, options as never)).toThrow(message);
        expect(() => store.read('', {})).toThrow(/streamId/);
      });
    });

    describe('replay$', () => {
      const commitSizes = [1, 1, 3, 1, 1, 4, 1, 1, 1, 2];
      let stream: string;
      beforeAll(async () => {
        stream = await streamOf('replay', commitSizes);
      });

      /** The pages a replay reads: the commits starting within the next pageSize versions (and the one holding the next version), whole. */
      function expectedPages(pageSize: number, from = 1, to = Number.MAX_SAFE_INTEGER): string[][] {
        const pages: string[][] = [];
        for (let next = from; next <= to; ) {
          const upper = Math.min(next + pageSize - 1, to);
          const versions = spansOf(commitSizes)
            .filter(([first, last]) => last >= next && first <= upper)
            .flatMap(([first, last]) => range(Math.max(first, next), Math.min(last, to)));
          if (versions.length === 0) break;
          pages.push(versions.map((v) => `${stream}@${v}`));
          next = versions.at(-1)! + 1;
        }
        return pages;
      }

      it('emits every event once, oldest first, and reads a page only once the previous one is handled', async () => {
        for (const pageSize of [1, 3, 4, 1000]) {
          const pages = await pagesOf(store.replay$(stream, { pageSize }));
          expect(pages).toEqual(expectedPages(pageSize));
          expect(pages.flat()).toEqual(range(1, 16).map((v) => `${stream}@${v}`));
        }
      });

      it('replays a version range, from inside a commit', async () => {
        expect(await pagesOf(store.replay$(stream, { pageSize: 3, fromVersion: 4, toVersion: 11 }))).toEqual(expectedPages(3, 4, 11));
        expect(versionsOf(await emitted(store.replay$(stream, { pageSize: 2, fromVersion: 9 })))).toEqual(range(9, 16));
        expect(await emitted(store.replay$(stream, { pageSize: 2, fromVersion: 17 }))).toEqual([]);
      });

      it('completes at once for a stream with no events', async () => {
        expect(await emitted(store.replay$(newStream('empty'), { pageSize: 10 }))).toEqual([]);
      });

      it('reads each page when it gets there: events appended meanwhile are replayed, and each subscription reads afresh', async () => {
        const growing = await streamOf('growing', [1, 1, 1]);
        const replay = store.replay$(growing, { pageSize: 2 });
        const first = await pagesOf(replay, async (event) => {
          if (event.version === 1) await store.append(growing, deposits(growing, 1, 0, 4), { expectedVersion: 3 });
        });
        expect(first.flat()).toEqual(range(1, 4).map((v) => `${growing}@${v}`));
        await store.append(growing, deposits(growing, 1, 0, 5), { expectedVersion: 4 });
        expect(versionsOf(await emitted(replay))).toEqual(range(1, 5));
      });

      it('stops when unsubscribed, and errors with the error of a failing handler', async () => {
        expect(versionsOf(await emitted(store.replay$(stream, { pageSize: 3 }).pipe(take(2))))).toEqual([1, 2]);
        const failure = new Error('handler failed');
        const failing = store.replay$(stream, { pageSize: 3 }).pipe(
          handleInOrder((event: EventEnvelope) => {
            if (event.version === 5) throw failure;
          }),
        );
        await expect(emitted(failing)).rejects.toBe(failure);
      });

      it.each([
        [{ pageSize: 0 }, /pageSize/],
        [{ pageSize: 1001 }, /pageSize/],
        [{ pageSize: 2.5 }, /pageSize/],
        [{}, /pageSize/],
        [{ pageSize: 10, fromVersion: 0 }, /fromVersion/],
        [{ pageSize: 10, fromVersion: 3, toVersion: 2 }, /toVersion/],
      ])('refuses the replay options %j at once with an InvalidArgumentError', (options, message) => {
        expect(() => store.replay$(stream, options as never)).toThrow(InvalidArgumentError);
        expect(() => store.replay$(stream, options as never)).toThrow(message);
        expect(() => store.replay$('', { pageSize: 1 })).toThrow(/streamId/);
      });
    });

    describe('replayAll$: the global feed', () => {
      const replayAll = (options: ReplayAllOptions): Promise<FeedEvent[]> => emitted(store.replayAll$(options));
      let prefixes = 0;
      const newPrefix = () => `feed${++prefixes}-${run}-`;
      /** The feed's order: commit time, then stream id, then version. */

      /** Streams `<prefix>a`, `b` and `c`, with commits of 1 to 3 events made in turns, so that streams interleave. */
      async function interleaved(prefix: string, rounds: number): Promise<string[]> {
        const names = ['c', 'a', 'b'].map((name) => prefix + name);
        const versions = new Map<string, number>();
        const appended: string[] = [];
        for (let round = 0; round < rounds; round++) {
          for (const [i, stream] of names.entries()) {
            const version = versions.get(stream) ?? 0;
            const size = 1 + ((round + i) % 3);
            const events = round === 0 ? [new AccountOpened(stream, 'o'), ...deposits(stream, size - 1, 0, 1)] : deposits(stream, size, 0, version + 1);
            versions.set(stream, (await store.append(stream, events, { expectedVersion: version })).version);
            appended.push(...range(version + 1, version + size).map((v) => `${stream}@${v}`));
          }
        }
        return appended;
      }

      it('delivers every committed event once, each stream in version order, in one order the unfiltered feed shares', async () => {
        const prefix = newPrefix();
        const appended = await interleaved(prefix, 4);
        await subject.settle();
        const events = await replayAll({ pageSize: 5, streamPrefix: prefix });
        expect([...ids(events)].sort()).toEqual([...appended].sort());
        for (const stream of new Set(events.map((e) => e.streamId))) {
          const own = events.filter((e) => e.streamId === stream);
          expect(versionsOf(own)).toEqual(range(1, own.length));
        }
        expect(events.every((e) => typeof e.checkpoint === 'string')).toBe(true);
        // The whole feed, unfiltered, holds them in the same order.
        const everything = await replayAll({ pageSize: 100, from: FEED_START });
        expect(ids(everything.filter((e) => e.streamId.startsWith(prefix)))).toEqual(ids(events));
      });

      it("resumes exactly after any event's checkpoint, also inside a commit", async () => {
        const prefix = newPrefix();
        await interleaved(prefix, 2);
        await subject.settle();
        const all = await replayAll({ pageSize: 4, streamPrefix: prefix });
        for (let cut = 0; cut < all.length; cut++) {
          const rest = await replayAll({ pageSize: 4, streamPrefix: prefix, from: all[cut]!.checkpoint });
          expect(ids(rest)).toEqual(ids(all.slice(cut + 1)));
        }
      });

      it('reads a page of at most pageSize events (or one whole larger commit) only once the previous one is handled', async () => {
        const prefix = newPrefix();
        await interleaved(prefix, 3);
        await subject.settle();
        const all = await replayAll({ pageSize: 100, streamPrefix: prefix });
        const commits: string[][] = [];
        for (const event of all) {
          const previous = all[all.indexOf(event) - 1];
          if (previous?.commitId === event.commitId) commits.at(-1)!.push(ids([event])[0]!);
          else commits.push(ids([event]));
        }
        for (const pageSize of [1, 2, 4]) {
          const expected: string[][] = [];
          let page: string[] = [];
          for (const commit of commits) {
            if (page.length > 0 && page.length + commit.length > pageSize) {
              expected.push(page);
              page = [];
            }
            page.push(...commit);
            if (page.length >= pageSize) {
              expected.push(page);
              page = [];
            }
          }
          if (page.length > 0) expected.push(page);
          expect(await pagesOf(store.replayAll$({ pageSize, streamPrefix: prefix }))).toEqual(expected);
        }
      });

      it('reads what was committed when it started: commits made during the read are left for the next one', async () => {
        const prefix = newPrefix();
        const stream = `${prefix}a`;
        await store.append(stream, deposits(stream, 1), { expectedVersion: NO_STREAM });
        await store.append(stream, deposits(stream, 1, 0, 2), { expectedVersion: 1 });
        await subject.settle();
        let caughtUp: string | undefined;
        const delivered = await emitted(
          store.replayAll$({ pageSize: 1, streamPrefix: prefix, onCaughtUp: (checkpoint) => (caughtUp = checkpoint) }).pipe(
            handleInOrder(async (event: FeedEvent) => {
              if (event.version === 1) await store.append(stream, deposits(stream, 1, 0, 3), { expectedVersion: 2 });
            }),
          ),
        );
        expect(ids(delivered)).toEqual([`${stream}@1`, `${stream}@2`]);
        await subject.settle();
        expect(ids(await replayAll({ pageSize: 1, streamPrefix: prefix, from: delivered.at(-1)!.checkpoint }))).toEqual([`${stream}@3`]);
        expect(ids(await replayAll({ pageSize: 1, streamPrefix: prefix, from: caughtUp! }))).toEqual([`${stream}@3`]);
      });

      it('filters by event type (class or name) and stream prefix; onCaughtUp gives a checkpoint past the events filtered out', async () => {
        const prefix = newPrefix();
        const [a, b, other] = [`${prefix}a`, `${prefix}b`, `${prefix.slice(0, -1)}+other`];
        await store.append(a, [new AccountOpened(a, 'ann'), ...deposits(a, 2)], { expectedVersion: NO_STREAM });
        await store.append(b, [new AccountOpened(b, 'bob')], { expectedVersion: NO_STREAM });
        await store.append(a, [new MoneyWithdrawn(a, 1)], { expectedVersion: 3 });
        await store.append(other, [new AccountOpened(other, 'eve')], { expectedVersion: NO_STREAM }); // after the last one delivered
        await subject.settle();

        const calls: string[] = [];
        const opened = await replayAll({ pageSize: 10, streamPrefix: prefix, eventTypes: [AccountOpened], onCaughtUp: (c) => calls.push(c) });
        expect(ids(opened).sort()).toEqual([`${a}@1`, `${b}@1`]);
        expect(opened.every((e) => e.event instanceof AccountOpened)).toBe(true);
        expect(calls).toHaveLength(1);
        expect(ids(await replayAll({ pageSize: 10, streamPrefix: prefix, eventTypes: ['AccountOpened'] }))).toEqual(ids(opened));
        expect(ids(await replayAll({ pageSize: 1, streamPrefix: prefix, eventTypes: [MoneyWithdrawn, 'MoneyDeposited'] })).sort()).toEqual(
          [2, 3, 4].map((v) => `${a}@${v}`),
        );

        // Resuming from onCaughtUp's checkpoint: only what was committed since, filtered out or not.
        await store.append(b, deposits(b, 1, 0, 7), { expectedVersion: 1 });
        await store.append(a, [new AccountOpened(a, 'again')], { expectedVersion: 4 });
        await subject.settle();
        expect(ids(await replayAll({ pageSize: 10, streamPrefix: prefix, from: calls[0]! })).sort()).toEqual([`${a}@5`, `${b}@2`]);
        expect(ids(await replayAll({ pageSize: 10, from: calls[0]! })).sort()).toEqual([`${a}@5`, `${b}@2`]); // not the other stream's
        expect(ids(await replayAll({ pageSize: 10, streamPrefix: prefix, from: calls[0]!, eventTypes: [AccountOpened] }))).toEqual([`${a}@5`]);
      });

      it('completes at once, with onCaughtUp, when there is nothing after the checkpoint', async () => {
        const prefix = newPrefix();
        const stream = `${prefix}a`;
        await store.append(stream, deposits(stream, 2), { expectedVersion: NO_STREAM });
        await subject.settle();
        const [, last] = await replayAll({ pageSize: 10, streamPrefix: prefix });
        const calls: string[] = [];
        expect(await replayAll({ pageSize: 10, streamPrefix: prefix, from: last!.checkpoint, onCaughtUp: (c) => calls.push(c) })).toEqual([]);
        expect(calls).toHaveLength(1);
        expect(await replayAll({ pageSize: 10, streamPrefix: newPrefix() })).toEqual([]);
      });

      it.each<[string, unknown, string]>([
        ['pageSize 0', { pageSize: 0 }, 'INVALID_READ_OPTIONS'],
        ['pageSize 1001', { pageSize: 1001 }, 'INVALID_READ_OPTIONS'],
        ['no options', undefined, 'INVALID_READ_OPTIONS'],
        ['a checkpoint the feed never gave', { pageSize: 10, from: 'yesterday' }, 'INVALID_CHECKPOINT'],
        ['an empty eventTypes list', { pageSize: 10, eventTypes: [] }, 'INVALID_READ_OPTIONS'],
        ['an unregistered event class', { pageSize: 10, eventTypes: [NotRegistered] }, 'INVALID_READ_OPTIONS'],
        ['an unknown type name', { pageSize: 10, eventTypes: ['NoSuchEvent'] }, 'INVALID_READ_OPTIONS'],
        ['an empty stream prefix', { pageSize: 10, streamPrefix: '' }, 'INVALID_READ_OPTIONS'],
        ['an onCaughtUp that is not a function', { pageSize: 10, onCaughtUp: 'x' }, 'INVALID_READ_OPTIONS'],
      ])('refuses %s at once with an InvalidArgumentError', (_label, options, code) => {
        const error = thrownBy(() => store.replayAll$(options as never));
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect(error).toMatchObject({ code });
      });
    });
  });
}

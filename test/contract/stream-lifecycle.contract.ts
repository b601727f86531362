import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import {
  ANY,
  ConcurrencyError,
  EventStoreErrorCode,
  InvalidArgumentError,
  NO_STREAM,
  STREAM_EXISTS,
  StreamDeleted,
  StreamDeletedError,
  type EventEnvelope,
  type EventStore,
  type DeleteStreamOptions,
  type ErasureReport,
  type FeedEvent,
} from '../../lib/index.js';
import { deposits, MoneyDeposited } from '../support/events.js';

/** What the lifecycle contract holds a store to: the public API of the DynamoDB `EventStore`. */
export type LifecycleContractStore = Pick<
  EventStore,
  'append' | 'read' | 'replay$' | 'replay' | 'replayAll$' | 'deleteStream' | 'truncateStream' | 'setStreamMetadata' | 'getStreamMetadata'
>;

/** A store to run the lifecycle contract against, set up with {@link CONTRACT_CLOCK}'s clock and the test events. */
export interface LifecycleStoreUnderTest {
  readonly store: LifecycleContractStore;
  /** Resolves once a `replayAll$` started afterwards sees every commit made before the call. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The clock a store under contract must be given as its `lifecycle.clock` module option: the real
 * time plus an offset the contract moves forward, so `maxAge` is tested without waiting. Commits are
 * stamped by it too (what `maxAge` measures), so commits made after {@link advance} are young again.
 */
export class ContractClock {
  private offset = 0;
  /** The store's `lifecycle.clock`. */
  readonly now = (): number => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
}

/** One clock for every store under contract: the contract moves it (a jest worker runs one spec file at a time). */
export const CONTRACT_CLOCK = new ContractClock();

const HOUR = 3_600_000;
const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
const versionsOf = (envelopes: readonly EventEnvelope[]): number[] => envelopes.map((e) => e.version);
const amountsOf = (envelopes: readonly EventEnvelope[]): number[] => envelopes.map((e) => (e.event as MoneyDeposited).amount);
const emitted = <T>(source: Observable<T>): Promise<T[]> => lastValueFrom(source.pipe(toArray()));
const isIsoTime = (value: unknown): boolean => typeof value === 'string' && new Date(value).toISOString() === value;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** The call's rejection, whether the method throws at once or rejects: both are a failed call to the caller who awaits it. */
const attempt = (call: () => unknown): Promise<unknown> => Promise.resolve().then(call);

/**
 * The stream lifecycle every EventStore implementation shares (the DynamoDB one and the in-memory
 * one), through the public API only: soft and hard deletes and what appends and reads do after
 * them, retention by count, version and age on every form of read, stream metadata, the erasure
 * report, the feed's `StreamDeleted` events, and typed errors on bad input with nothing written.
 * What only DynamoDB has (stale caches of other processes, purges, raw items) is tested on its own.
 */
export function describeStreamLifecycleContract(name: string, open: () => Promise<LifecycleStoreUnderTest>): void {
  describe(`Stream lifecycle contract: ${name}`, () => {
    let subject: LifecycleStoreUnderTest;
    let store: LifecycleContractStore;
    const run = randomBytes(3).toString('hex');
    let streams = 0;
    const newStream = (label: string) => `${label}-${run}-${++streams}`;
    /** A new stream of `count` deposits (amounts 1, 2, ...), in commits of `commitSize`. */
    async function streamOf(label: string, count: number, commitSize = count): Promise<string> {
      const stream = newStream(label);
      for (let version = 0; version < count; version += commitSize) {
        const size = Math.min(commitSize, count - version);
        await store.append(stream, deposits(stream, size, 0, version + 1), { expectedVersion: version });
      }
      return stream;
    }
    const readVersions = async (stream: string, options?: Parameters<LifecycleContractStore['read']>[1]) => versionsOf(await collect(store.read(stream, options)));
    const replayVersions = async (stream: string, pageSize = 7) => versionsOf(await emitted(store.replay$(stream, { pageSize })));

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(() => subject?.close());

    describe('soft delete', () => {
      it('hides the stream from every read, and reports what it did', async () => {
        const stream = await streamOf('soft', 5, 2);
        const report = await store.deleteStream(stream, { expectedVersion: 5 });
        expectReport(report, { operation: 'stream.delete', streamId: stream, mode: 'soft' });
        expect(report.actions.map((action) => action.what)).toContain('tombstone-written');

        expect(await readVersions(stream)).toEqual([]);
        expect(await readVersions(stream, { direction: 'backward' })).toEqual([]);
        expect(await readVersions(stream, { fromVersion: 2, toVersion: 4 })).toEqual([]);
        expect(await replayVersions(stream)).toEqual([]);
        expect(await store.replay(stream, () => undefined, { pageSize: 10 })).toMatchObject({ eventsHandled: 0 });

        const metadata = await store.getStreamMetadata(stream);
        expect(metadata).toMatchObject({ truncateBefore: 7, deleted: { mode: 'soft', version: 5 } });
        expect(metadata.deleted!.at).toBeInstanceOf(Date);
      });

      it("appends at 'no-stream' continue after the deletion, and reads return only the new events", async () => {
        const stream = await streamOf('soft-again', 4);
        await store.deleteStream(stream, { expectedVersion: 4 });
        const result = await store.append(stream, deposits(stream, 2, 0, 101), { expectedVersion: NO_STREAM });
        expect(result.version).toBe(7); // after the tombstone, which takes version 5
        expect(result.envelopes.map((e) => e.version)).toEqual([6, 7]);

        expect(await readVersions(stream)).toEqual([6, 7]);
        expect(amountsOf(await collect(store.read(stream)))).toEqual([101, 102]);
        expect(await readVersions(stream, { direction: 'backward' })).toEqual([7, 6]);
        expect(await readVersions(stream, { fromVersion: 1, toVersion: 6 })).toEqual([6]);
        expect(await replayVersions(stream, 1)).toEqual([6, 7]);

        // A live stream again, at its real version: exact versions and 'stream-exists' append, 'no-stream' no longer does.
        expect((await store.append(stream, deposits(stream, 1, 0, 103), { expectedVersion: 7 })).version).toBe(8);
        expect((await store.append(stream, deposits(stream, 1, 0, 104), { expectedVersion: STREAM_EXISTS })).version).toBe(9);
        await expect(store.append(stream, deposits(stream, 1), { expectedVersion: NO_STREAM })).rejects.toMatchObject({
          code: EventStoreErrorCode.CONCURRENCY,
          actualVersion: 9,
        });
        expect(amountsOf(await collect(store.read(stream)))).toEqual([101, 102, 103, 104]);
        expect(await store.getStreamMetadata(stream)).toMatchObject({ truncateBefore: 6, deleted: { mode: 'soft', version: 4 } });
      });

      it("so do appends at 0 and 'any'", async () => {
        const streams = await Promise.all([streamOf('soft-zero', 2), streamOf('soft-any-append', 2)]);
        await Promise.all(streams.map((stream) => store.deleteStream(stream, { expectedVersion: 2 })));
        const results = await Promise.all(streams.map((stream, i) => store.append(stream, deposits(stream, 1, 0, 7), { expectedVersion: i === 0 ? 0 : ANY })));
        expect(results.map((result) => result.version)).toEqual([4, 4]);
        for (const stream of streams) expect(amountsOf(await collect(store.read(stream)))).toEqual([7]);
      });

      it("'stream-exists' and every number but 0 are a ConcurrencyError at version 0, stale ones included; nothing is written", async () => {
        const stream = await streamOf('soft-stale', 3);
        await store.deleteStream(stream, { expectedVersion: 3 });
        for (const expectedVersion of [STREAM_EXISTS, 3, 4, 1, 5, 100] as const) {
          const failure = store.append(stream, deposits(stream, 1), { expectedVersion });
          await expect(failure).rejects.toBeInstanceOf(ConcurrencyError);
          await expect(failure).rejects.toMatchObject({ streamId: stream, expectedVersion, actualVersion: 0 });
        }
        expect(await readVersions(stream)).toEqual([]);
        // Nothing landed meanwhile: the first append after the deletion still takes the version after the tombstone.
        expect((await store.append(stream, deposits(stream, 1), { expectedVersion: NO_STREAM })).version).toBe(5);
      });

      it('a retried append (same commit id) of the commit the deletion came after is recognized, not written again', async () => {
        const stream = newStream('soft-retried');
        await store.append(stream, deposits(stream, 2), { expectedVersion: NO_STREAM, commitId: 'soft-retried-commit' });
        await store.deleteStream(stream, { expectedVersion: 2 });
        const retried = await store.append(stream, deposits(stream, 2), { expectedVersion: ANY, commitId: 'soft-retried-commit' });
        expect(retried).toMatchObject({ duplicate: true, version: 2 });
        expect(await readVersions(stream)).toEqual([]);
      });

      it('a stream appended to again can be deleted again, at its new version', async () => {
        const stream = await streamOf('soft-twice', 2);
        await store.deleteStream(stream, { expectedVersion: 2 });
        await store.append(stream, deposits(stream, 3, 0, 11), { expectedVersion: NO_STREAM }); // 4-6
        await expect(store.deleteStream(stream, { expectedVersion: 2 })).rejects.toMatchObject({ code: EventStoreErrorCode.CONCURRENCY, actualVersion: 6 });
        await store.deleteStream(stream, { expectedVersion: 6 });
        expect(await readVersions(stream)).toEqual([]);
        expect(await store.getStreamMetadata(stream)).toMatchObject({ truncateBefore: 8, deleted: { mode: 'soft', version: 6 } });
        expect((await store.append(stream, deposits(stream, 1, 0, 21), { expectedVersion: ANY })).version).toBe(8);
        expect(amountsOf(await collect(store.read(stream)))).toEqual([21]);
      });

      it("'any' and 'stream-exists' delete at whatever the head is", async () => {
        const any = await streamOf('soft-any', 3);
        await store.deleteStream(any, { expectedVersion: ANY });
        expect(await store.getStreamMetadata(any)).toMatchObject({ deleted: { mode: 'soft', version: 3 } });
        const exists = await streamOf('soft-exists', 2);
        await store.deleteStream(exists, { expectedVersion: STREAM_EXISTS });
        expect(await store.getStreamMetadata(exists)).toMatchObject({ deleted: { mode: 'soft', version: 2 } });
        expect(await readVersions(any)).toEqual([]);
        expect(await readVersions(exists)).toEqual([]);
      });
    });

    describe('hard delete', () => {
      it('erases the stream for ever: reads, appends at any expected version and a second delete are a StreamDeletedError', async () => {
        const stream = await streamOf('hard', 6, 4);
        const report = await store.deleteStream(stream, { expectedVersion: 6, mode: 'hard' });
        expectReport(report, { operation: 'stream.delete', streamId: stream, mode: 'hard' });
        expect(report.actions.map((action) => action.what)).toEqual(expect.arrayContaining(['tombstone-written', 'events-deleted']));

        await expect(collect(store.read(stream))).rejects.toBeInstanceOf(StreamDeletedError);
        await expect(collect(store.read(stream, { direction: 'backward' }))).rejects.toMatchObject({
          code: EventStoreErrorCode.STREAM_DELETED,
          streamId: stream,
          deletedVersion: 6,
        });
        await expect(emitted(store.replay$(stream, { pageSize: 10 }))).rejects.toBeInstanceOf(StreamDeletedError);
        await expect(store.replay(stream, () => undefined, { pageSize: 10 })).rejects.toBeInstanceOf(StreamDeletedError);

        for (const expectedVersion of [NO_STREAM, 0, ANY, STREAM_EXISTS, 6, 7, 8] as const) {
          const failure = store.append(stream, deposits(stream, 1), { expectedVersion });
          await expect(failure).rejects.toBeInstanceOf(StreamDeletedError);
          await expect(failure).rejects.toMatchObject({ code: EventStoreErrorCode.STREAM_DELETED, streamId: stream, deletedVersion: 6 });
        }
        for (const options of [{ expectedVersion: ANY, mode: 'hard' }, { expectedVersion: 6 }, { expectedVersion: 7, mode: 'soft' }, { expectedVersion: 5, mode: 'hard' }] as const) {
          await expect(store.deleteStream(stream, options)).rejects.toBeInstanceOf(StreamDeletedError);
        }
        // The same delete again (how a delete whose outcome was unknown is retried): done already, nothing new written.
        const repeated = await store.deleteStream(stream, { expectedVersion: 6, mode: 'hard' });
        expect(repeated).toMatchObject({ operation: 'stream.delete', streamId: stream, mode: 'hard' });
        expect(repeated.actions.map((action) => action.what)).not.toContain('tombstone-written');
        await expect(store.truncateStream(stream, { before: 3 })).rejects.toBeInstanceOf(StreamDeletedError);
        await expect(store.setStreamMetadata(stream, { maxCount: 1 })).rejects.toBeInstanceOf(StreamDeletedError);
        expect(await store.getStreamMetadata(stream)).toMatchObject({ deleted: { mode: 'hard', version: 6 } });
      });

      it.each([
        ['any', ANY],
        ['0', 0],
      ] as const)("erases a soft-deleted stream (hide first, erase later) at '%s'", async (_label, expectedVersion) => {
        const stream = await streamOf('soft-then-hard', 3);
        await store.deleteStream(stream, { expectedVersion: 3 });
        const report = await store.deleteStream(stream, { expectedVersion, mode: 'hard' });
        expectReport(report, { operation: 'stream.delete', streamId: stream, mode: 'hard' });
        await expect(collect(store.read(stream))).rejects.toBeInstanceOf(StreamDeletedError);
        await expect(store.append(stream, deposits(stream, 1), { expectedVersion: NO_STREAM })).rejects.toBeInstanceOf(StreamDeletedError);
        expect(await store.getStreamMetadata(stream)).toMatchObject({ deleted: { mode: 'hard' } });
      });
    });

    describe('a delete that does not apply: a ConcurrencyError, and nothing changed', () => {
      it.each([
        ['soft', 'soft'],
        ['hard', 'hard'],
      ] as const)('%s, at a version the stream is not at', async (_label, mode) => {
        const stream = await streamOf(`wrong-${mode}`, 4, 2);
        for (const expectedVersion of [0, 2, 3, 5, 100] as const) {
          const failure = store.deleteStream(stream, { expectedVersion, mode });
          await expect(failure).rejects.toBeInstanceOf(ConcurrencyError);
          await expect(failure).rejects.toMatchObject({ code: EventStoreErrorCode.CONCURRENCY, streamId: stream, expectedVersion, actualVersion: 4 });
        }
        expect(await readVersions(stream)).toEqual(range(1, 4));
        expect(await store.getStreamMetadata(stream)).toEqual({});
        expect((await store.append(stream, deposits(stream, 1, 0, 5), { expectedVersion: 4 })).version).toBe(5);
      });

      it('of a stream never written, whatever the expected version: there is nothing to delete', async () => {
        const never = newStream('never');
        for (const expectedVersion of [0, 1, ANY, STREAM_EXISTS] as const) {
          for (const mode of ['soft', 'hard'] as const) {
            const failure = store.deleteStream(never, { expectedVersion, mode });
            await expect(failure).rejects.toBeInstanceOf(ConcurrencyError);
            await expect(failure).rejects.toMatchObject({ streamId: never, expectedVersion, actualVersion: 0 });
          }
        }
        expect(await store.getStreamMetadata(never)).toEqual({});
        expect((await store.append(never, deposits(never, 1), { expectedVersion: NO_STREAM })).version).toBe(1);
      });

      it("of a soft-deleted stream (at version 0), but for a hard delete at 0 or 'any'", async () => {
        const hidden = await streamOf('hidden', 2);
        await store.deleteStream(hidden, { expectedVersion: 2 });
        const metadata = await store.getStreamMetadata(hidden);
        const refused: Array<[DeleteStreamOptions['expectedVersion'], 'soft' | 'hard']> = [
          ...([0, 3, ANY, STREAM_EXISTS] as const).map((version) => [version, 'soft'] as [DeleteStreamOptions['expectedVersion'], 'soft']),
          ...([2, 3, STREAM_EXISTS] as const).map((version) => [version, 'hard'] as [DeleteStreamOptions['expectedVersion'], 'hard']),
        ];
        for (const [expectedVersion, mode] of refused) {
          const failure = store.deleteStream(hidden, { expectedVersion, mode });
          await expect(failure).rejects.toBeInstanceOf(ConcurrencyError);
          await expect(failure).rejects.toMatchObject({ streamId: hidden, expectedVersion, actualVersion: 0 });
        }
        // The same soft delete again (a retry after an unknown outcome): done already, nothing changed.
        expect(await store.deleteStream(hidden, { expectedVersion: 2 })).toMatchObject({ operation: 'stream.delete', mode: 'soft', actions: [] });
        expect(await store.getStreamMetadata(hidden)).toEqual(metadata);
        expect(metadata).toMatchObject({ truncateBefore: 4, deleted: { mode: 'soft', version: 2 } });
        expect((await store.append(hidden, deposits(hidden, 1), { expectedVersion: NO_STREAM })).version).toBe(4); // no second tombstone
      });
    });

    describe('retention by count and version', () => {
      const total = 1000;
      let stream: string;
      beforeAll(async () => {
        stream = await streamOf('max-count', total, 250); // the cut (901) falls inside the last commit
        await store.setStreamMetadata(stream, { maxCount: 100 });
      });

      it('maxCount 100 on 1,000 events: reads give exactly the last 100, forwards and backwards, in any range', async () => {
        const kept = range(901, 1000);
        expect(await readVersions(stream)).toEqual(kept);
        expect(amountsOf(await collect(store.read(stream)))).toEqual(kept);
        expect(await readVersions(stream, { direction: 'backward' })).toEqual([...kept].reverse());
        expect(await readVersions(stream, { direction: 'backward', pageSize: 30 })).toEqual([...kept].reverse());
        expect(await readVersions(stream, { fromVersion: 950 })).toEqual(range(950, 1000));
        expect(await readVersions(stream, { fromVersion: 500 })).toEqual(kept);
        expect(await readVersions(stream, { fromVersion: 1, toVersion: 920 })).toEqual(range(901, 920));
        expect(await readVersions(stream, { fromVersion: 910, toVersion: 915, direction: 'backward' })).toEqual(range(910, 915).reverse());
        expect(await readVersions(stream, { toVersion: 900 })).toEqual([]);
        expect(await readVersions(stream, { toVersion: 900, direction: 'backward' })).toEqual([]);
        expect(await readVersions(stream, { fromVersion: 1001 })).toEqual([]);
      });

      it('replay$ and replay give the same 100', async () => {
        expect(await replayVersions(stream, 30)).toEqual(range(901, 1000));
        expect(versionsOf(await emitted(store.replay$(stream, { pageSize: 1000, fromVersion: 2, toVersion: 905 })))).toEqual(range(901, 905));
        const handled: number[] = [];
        const result = await store.replay(stream, (envelope) => void handled.push(envelope.version), { pageSize: 64 });
        expect(handled).toEqual(range(901, 1000));
        expect(result).toEqual({ eventsHandled: 100, lastVersion: 1000 });
      });

      it('the window follows the head as the stream grows', async () => {
        const growing = await streamOf('max-count-growing', 10);
        await store.setStreamMetadata(growing, { maxCount: 4 });
        expect(await readVersions(growing)).toEqual([7, 8, 9, 10]);
        await store.append(growing, deposits(growing, 3, 0, 11), { expectedVersion: 10 }); // appends still go at the real version
        expect(await readVersions(growing)).toEqual([10, 11, 12, 13]);
      });

      it('truncateStream hides the events before a version, only ever rises, and combines with maxCount', async () => {
        const truncated = await streamOf('truncate', 20, 6);
        expect(await store.truncateStream(truncated, { before: 8 })).toEqual({ truncateBefore: 8 });
        expect(await readVersions(truncated)).toEqual(range(8, 20));
        expect(await readVersions(truncated, { direction: 'backward', fromVersion: 3, toVersion: 10 })).toEqual([10, 9, 8]);
        expect(await replayVersions(truncated, 4)).toEqual(range(8, 20));

        // Lower values change nothing: events below the boundary may already be purged.
        expect(await store.truncateStream(truncated, { before: 5 })).toEqual({ truncateBefore: 8 });
        expect(await store.setStreamMetadata(truncated, { truncateBefore: 2 })).toEqual({ truncateBefore: 8 });
        expect(await store.getStreamMetadata(truncated)).toEqual({ truncateBefore: 8 });
        expect(await readVersions(truncated)).toEqual(range(8, 20));

        expect(await store.setStreamMetadata(truncated, { maxCount: 10 })).toEqual({ truncateBefore: 8, maxCount: 10 });
        expect(await readVersions(truncated)).toEqual(range(11, 20));
        expect(await store.truncateStream(truncated, { before: 15 })).toEqual({ truncateBefore: 15, maxCount: 10 });
        expect(await readVersions(truncated)).toEqual(range(15, 20));
        // Truncation changes no version: appends go on at the head.
        expect((await store.append(truncated, deposits(truncated, 1, 0, 21), { expectedVersion: 20 })).version).toBe(21);
        expect(await readVersions(truncated)).toEqual(range(15, 21));
      });

      it('truncating past the head hides every event so far; later ones are read', async () => {
        const stream = await streamOf('truncate-all', 3);
        await store.truncateStream(stream, { before: 4 });
        expect(await readVersions(stream)).toEqual([]);
        await store.append(stream, deposits(stream, 2, 0, 4), { expectedVersion: 3 });
        expect(await readVersions(stream)).toEqual([4, 5]);
      });
    });

    describe('retention by age (lifecycle.clock)', () => {
      it('maxAge hides events committed longer ago than it, by the injected clock, on every read', async () => {
        const stream = await streamOf('max-age', 3, 2);
        await store.setStreamMetadata(stream, { maxAge: HOUR });
        expect(await readVersions(stream)).toEqual([1, 2, 3]);

        CONTRACT_CLOCK.advance(2 * HOUR);
        expect(await readVersions(stream)).toEqual([]);
        expect(await readVersions(stream, { direction: 'backward' })).toEqual([]);
        expect(await replayVersions(stream)).toEqual([]);

        // Committed now (by the clock): young enough.
        await store.append(stream, deposits(stream, 2, 0, 4), { expectedVersion: 3 });
        expect(await readVersions(stream)).toEqual([4, 5]);
        expect(await readVersions(stream, { direction: 'backward', fromVersion: 1 })).toEqual([5, 4]);
        expect(await replayVersions(stream, 1)).toEqual([4, 5]);

        // Lifting the limit shows what is still stored (nothing was purged here).
        expect(await store.setStreamMetadata(stream, { maxAge: null })).toEqual({});
        expect(await readVersions(stream)).toEqual([1, 2, 3, 4, 5]);
      });

      it('maxAge and maxCount together: the stricter one wins', async () => {
        const stream = await streamOf('max-age-count', 4);
        CONTRACT_CLOCK.advance(2 * HOUR);
        await store.append(stream, deposits(stream, 4, 0, 5), { expectedVersion: 4 });
        await store.setStreamMetadata(stream, { maxAge: HOUR, maxCount: 6 });
        expect(await readVersions(stream)).toEqual([5, 6, 7, 8]);
        await store.setStreamMetadata(stream, { maxCount: 2 });
        expect(await readVersions(stream)).toEqual([7, 8]);
      });
    });

    describe('stream metadata', () => {
      it('round-trips: set fields, keep those left out, remove them with null; {} for a stream without any', async () => {
        const stream = await streamOf('meta', 2);
        expect(await store.getStreamMetadata(stream)).toEqual({});
        expect(await store.getStreamMetadata(newStream('meta-none'))).toEqual({});
        expect(await store.setStreamMetadata(stream, { maxAge: 30 * 24 * HOUR, maxCount: 50 })).toEqual({ maxAge: 30 * 24 * HOUR, maxCount: 50 });
        expect(await store.getStreamMetadata(stream)).toEqual({ maxAge: 30 * 24 * HOUR, maxCount: 50 });
        expect(await store.setStreamMetadata(stream, { maxCount: 10, truncateBefore: 2 })).toEqual({ maxAge: 30 * 24 * HOUR, maxCount: 10, truncateBefore: 2 });
        expect(await store.setStreamMetadata(stream, { maxCount: null })).toEqual({ maxAge: 30 * 24 * HOUR, truncateBefore: 2 });
        expect(await store.setStreamMetadata(stream, {})).toEqual({ maxAge: 30 * 24 * HOUR, truncateBefore: 2 });
        expect(await store.getStreamMetadata(stream)).toEqual({ maxAge: 30 * 24 * HOUR, truncateBefore: 2 });
        expect(await readVersions(stream)).toEqual([2]);
      });

      it('may be set before the stream has events, and applies to those appended later', async () => {
        const stream = newStream('meta-first');
        expect(await store.setStreamMetadata(stream, { maxCount: 2 })).toEqual({ maxCount: 2 });
        expect((await store.append(stream, deposits(stream, 5), { expectedVersion: NO_STREAM })).version).toBe(5);
        expect(await readVersions(stream)).toEqual([4, 5]);
      });
    });

    describe('the feed', () => {
      it('delivers a deletion as a StreamDeleted event after the events it deleted (soft), or in place of them (hard)', async () => {
        const prefix = `feed-${run}-`;
        const soft = `${prefix}soft`;
        const hard = `${prefix}hard`;
        await store.append(soft, deposits(soft, 2), { expectedVersion: NO_STREAM });
        await store.append(hard, deposits(hard, 3), { expectedVersion: NO_STREAM });
        await store.deleteStream(soft, { expectedVersion: 2 });
        await store.deleteStream(hard, { expectedVersion: 3, mode: 'hard' });
        await store.append(soft, deposits(soft, 1, 0, 9), { expectedVersion: NO_STREAM });
        await subject.settle();

        const events = await emitted(store.replayAll$({ pageSize: 10, streamPrefix: prefix }));
        const own = (stream: string) => events.filter((e: FeedEvent) => e.streamId === stream);
        expect(own(soft).map((e) => [e.version, e.event.constructor.name])).toEqual([
          [1, 'MoneyDeposited'],
          [2, 'MoneyDeposited'],
          [3, 'StreamDeleted'],
          [4, 'MoneyDeposited'],
        ]);
        expect(own(soft)[2]!.event).toBeInstanceOf(StreamDeleted);
        expect(own(soft)[2]!.event).toMatchObject({ mode: 'soft', deletedVersion: 2 });
        // Nothing of the hard-deleted stream's events is left in the feed: only the deletion.
        expect(own(hard).map((e) => [e.version, e.event])).toEqual([[4, expect.objectContaining({ mode: 'hard', deletedVersion: 3 })]]);
        expect(own(hard)[0]!.event).toBeInstanceOf(StreamDeleted);

        const deletions = await emitted(store.replayAll$({ pageSize: 10, streamPrefix: prefix, eventTypes: [StreamDeleted] }));
        expect(deletions.map((e) => [e.streamId, (e.event as StreamDeleted).mode]).sort()).toEqual([
          [hard, 'hard'],
          [soft, 'soft'],
        ]);
      });
    });

    describe('bad input: an InvalidArgumentError, and nothing written', () => {
      let stream: string;
      beforeAll(async () => {
        stream = await streamOf('bad-lifecycle', 3);
      });

      const cases: Array<[string, () => unknown, string]> = [
        ['deleteStream: an empty stream id', () => store.deleteStream('', { expectedVersion: ANY }), 'INVALID_STREAM_ID'],
        ['deleteStream: a reserved stream id', () => store.deleteStream('$$feed-shards', { expectedVersion: ANY }), 'INVALID_STREAM_ID'],
        ['deleteStream: no options', () => store.deleteStream(stream, undefined as never), 'INVALID_DELETE_OPTIONS'],
        ['deleteStream: no expectedVersion', () => store.deleteStream(stream, {} as never), 'INVALID_DELETE_OPTIONS'],
        // 'no-stream' could only mean "delete nothing"; a stream without events is a ConcurrencyError at any version instead.
        ['deleteStream: expectedVersion no-stream', () => store.deleteStream(stream, { expectedVersion: NO_STREAM as never }), 'INVALID_DELETE_OPTIONS'],
        ['deleteStream: expectedVersion as a string', () => store.deleteStream(stream, { expectedVersion: '3' as never }), 'INVALID_DELETE_OPTIONS'],
        ['deleteStream: a negative expectedVersion', () => store.deleteStream(stream, { expectedVersion: -1 }), 'INVALID_DELETE_OPTIONS'],
        ['deleteStream: a fractional expectedVersion', () => store.deleteStream(stream, { expectedVersion: 2.5 }), 'INVALID_DELETE_OPTIONS'],
        ['deleteStream: an unknown mode', () => store.deleteStream(stream, { expectedVersion: 3, mode: 'purge' as never }), 'INVALID_DELETE_OPTIONS'],
        ['deleteStream: an unknown option', () => store.deleteStream(stream, { expectedVersion: 3, hard: true } as never), 'INVALID_DELETE_OPTIONS'],
        ['truncateStream: an empty stream id', () => store.truncateStream('', { before: 2 }), 'INVALID_STREAM_ID'],
        ['truncateStream: before 0', () => store.truncateStream(stream, { before: 0 }), 'INVALID_STREAM_METADATA'],
        ['truncateStream: a negative before', () => store.truncateStream(stream, { before: -2 }), 'INVALID_STREAM_METADATA'],
        ['truncateStream: a fractional before', () => store.truncateStream(stream, { before: 1.5 }), 'INVALID_STREAM_METADATA'],
        ['truncateStream: before as a string', () => store.truncateStream(stream, { before: '2' as never }), 'INVALID_STREAM_METADATA'],
        ['truncateStream: no options', () => store.truncateStream(stream, undefined as never), 'INVALID_STREAM_METADATA'],
        // Past the head + 1 (which hides every event): it would hide events not appended yet.
        ['truncateStream: past the head + 1', () => store.truncateStream(stream, { before: 5 }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: truncateBefore past the head + 1', () => store.setStreamMetadata(stream, { truncateBefore: 5 }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: a reserved stream id', () => store.setStreamMetadata('$$x', { maxCount: 1 }), 'INVALID_STREAM_ID'],
        ['setStreamMetadata: not an object', () => store.setStreamMetadata(stream, 'maxCount=1' as never), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: null', () => store.setStreamMetadata(stream, null as never), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: an unknown key', () => store.setStreamMetadata(stream, { maxcount: 1 } as never), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: deleted', () => store.setStreamMetadata(stream, { deleted: { mode: 'soft' } } as never), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: a negative maxAge', () => store.setStreamMetadata(stream, { maxAge: -1 }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: maxAge NaN', () => store.setStreamMetadata(stream, { maxAge: Number.NaN }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: maxAge Infinity', () => store.setStreamMetadata(stream, { maxAge: Number.POSITIVE_INFINITY }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: a fractional maxAge', () => store.setStreamMetadata(stream, { maxAge: 0.5 }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: maxAge as a string', () => store.setStreamMetadata(stream, { maxAge: '3600000' as never }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: maxCount 0', () => store.setStreamMetadata(stream, { maxCount: 0 }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: a negative maxCount', () => store.setStreamMetadata(stream, { maxCount: -5 }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: maxCount NaN', () => store.setStreamMetadata(stream, { maxCount: Number.NaN }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: a fractional maxCount', () => store.setStreamMetadata(stream, { maxCount: 2.5 }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: maxCount as a string', () => store.setStreamMetadata(stream, { maxCount: '100' as never }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: truncateBefore 0', () => store.setStreamMetadata(stream, { truncateBefore: 0 }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: truncateBefore null', () => store.setStreamMetadata(stream, { truncateBefore: null as never }), 'INVALID_STREAM_METADATA'],
        ['setStreamMetadata: a valid field beside a bad one', () => store.setStreamMetadata(stream, { maxCount: 1, maxAge: -1 }), 'INVALID_STREAM_METADATA'],
        ['getStreamMetadata: an empty stream id', () => store.getStreamMetadata(''), 'INVALID_STREAM_ID'],
      ];

      it.each(cases)('%s', async (_label, call, code) => {
        const failure = attempt(call);
        await expect(failure).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(failure).rejects.toMatchObject({ code });
        expect(await store.getStreamMetadata(stream)).toEqual({}); // no deletion, no limit written
      });

      it('left the stream as it was', async () => {
        expect(await readVersions(stream)).toEqual([1, 2, 3]);
        expect((await store.append(stream, deposits(stream, 1, 0, 4), { expectedVersion: 3 })).version).toBe(4);
      });
    });
  });
}

/** The common shape of every erasure report: what, when (ISO 8601), where, and notes. */
function expectReport(report: ErasureReport, expected: Pick<ErasureReport, 'operation' | 'streamId' | 'mode'>): void {
  expect(report).toMatchObject(expected);
  expect(isIsoTime(report.requestedAt)).toBe(true);
  expect(isIsoTime(report.completedAt)).toBe(true);
  expect(Date.parse(report.completedAt)).toBeGreaterThanOrEqual(Date.parse(report.requestedAt));
  expect(report.actions.length).toBeGreaterThan(0);
  for (const action of report.actions) {
    expect(action).toEqual(expect.objectContaining({ what: expect.any(String), where: expect.any(String), count: expect.any(Number) }));
    expect(Number.isInteger(action.count) && action.count >= 0).toBe(true);
    expect(isIsoTime(action.at)).toBe(true);
  }
  expect(Array.isArray(report.notes)).toBe(true);
  expect(JSON.parse(JSON.stringify(report))).toEqual(report); // printed as JSON by the CLI, for the records
}

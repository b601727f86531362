import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  EventStoreErrorCode,
  InvalidArgumentError,
  SnapshotNotSerializableError,
  SnapshotsDisabledError,
  type SnapshotOptions,
  type SnapshotRepository,
} from '../../lib/index.js';
import { accountState } from '../support/snapshot-states.js';

/** What the contract holds a repository to: the public API of the DynamoDB `SnapshotRepository`. */
export type ContractSnapshotRepository = Pick<SnapshotRepository, 'save' | 'load' | 'prune' | 'delete'>;

export interface SnapshotRepositoryUnderTest {
  readonly snapshots: ContractSnapshotRepository;
  close(): Promise<void>;
}

/** Opens a repository with the module's `snapshots` option, or with snapshots off (`false`). */
export type OpenSnapshotRepository = (options: SnapshotOptions | false) => Promise<SnapshotRepositoryUnderTest>;

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

/**
 * The semantics every SnapshotRepository implementation shares (the DynamoDB one and the in-memory
 * one): JSON states of any size, newest-at-or-below loads by revision, replacing, pruning, deleting,
 * typed errors on bad input with nothing stored. How DynamoDB lays snapshots out (items, parts,
 * compression, TTL attributes, requests) is tested on its own.
 */
export function describeSnapshotRepositoryContract(name: string, open: OpenSnapshotRepository): void {
  describe(`SnapshotRepository contract: ${name}`, () => {
    const opened: SnapshotRepositoryUnderTest[] = [];
    let snapshots: ContractSnapshotRepository;
    const run = randomBytes(3).toString('hex');
    let streams = 0;
    const newStream = (label: string) => `${label}-${run}-${++streams}`;
    const openRepository = async (options: SnapshotOptions | false) => {
      const subject = await open(options);
      opened.push(subject);
      return subject.snapshots;
    };

    beforeAll(async () => {
      snapshots = await openRepository({});
    });
    afterAll(() => Promise.all(opened.map((subject) => subject.close())));

    it('saves a state and loads it back with what save() reported', async () => {
      const stream = newStream('small');
      const state = { balance: 315, currency: 'EUR', owner: { name: 'Ann' }, tags: ['vip'], closedAt: null };
      const info = await snapshots.save(stream, 5, state, { revision: 1 });
      expect(info).toMatchObject({ streamId: stream, version: 5, revision: 1, sizeBytes: JSON.stringify(state).length });
      expect(info.takenAt).toBeInstanceOf(Date);
      const loaded = await snapshots.load<typeof state>(stream);
      expect(loaded).toEqual({ ...info, state });
      expect(loaded!.takenAt).toBeInstanceOf(Date);
    });

    it('round-trips states of any size, compressible or not', async () => {
      for (const [version, state] of [
        [1, accountState(11, 60_000)],
        [2, accountState(12, 450_000)],
        [3, { digest: randomBytes(600_000).toString('base64') }], // barely compresses: over 400 KB as stored
      ] as const) {
        const stream = newStream('large');
        const info = await snapshots.save(stream, version, state, { revision: 1 });
        expect(info.sizeBytes).toBe(Buffer.byteLength(JSON.stringify(state)));
        const loaded = await snapshots.load(stream);
        expect(loaded?.state).toEqual(state);
        expect(loaded).toEqual({ ...info, state: loaded!.state });
      }
    });

    it('stores the JSON of the state: what JSON makes of it comes back, and later changes on either side reach nothing stored', async () => {
      const stream = newStream('copy');
      const state = { at: '2026-01-02T03:04:05.000Z', delta: -0, list: [1, 2], skipped: undefined as unknown };
      await snapshots.save(stream, 1, state, { revision: 1 });
      state.list.push(3);
      const loaded = await snapshots.load<{ at: string; list: number[] }>(stream);
      expect(loaded!.state).toEqual({ at: '2026-01-02T03:04:05.000Z', delta: -0, list: [1, 2] }); // -0 kept, undefined left out
      loaded!.state.list.push(4);
      expect((await snapshots.load<{ list: number[] }>(stream))!.state.list).toEqual([1, 2]);
    });

    it('loads the newest snapshot at or below a version, of a revision if asked, or undefined', async () => {
      const stream = newStream('newest');
      expect(await snapshots.load(stream)).toBeUndefined();
      await snapshots.save(stream, 10, { at: 10 }, { revision: 1 });
      await snapshots.save(stream, 20, { at: 20 }, { revision: 1 });
      await snapshots.save(stream, 30, { at: 30, big: accountState(30, 200_000) }, { revision: 2 });
      await snapshots.save(stream, 30, { at: '30 r1' }, { revision: 1 }); // another revision at the same version coexists

      const at = async (options: Parameters<SnapshotRepository['load']>[1]) => {
        const loaded = await snapshots.load<{ at: number | string }>(stream, options);
        return loaded === undefined ? undefined : [loaded.version, loaded.revision, loaded.state.at];
      };
      expect(await at(undefined)).toEqual([30, 2, 30]);
      expect(await at({ revision: 1 })).toEqual([30, 1, '30 r1']);
      expect(await at({ revision: 2, atOrBelowVersion: 29 })).toBeUndefined();
      expect(await at({ atOrBelowVersion: 29 })).toEqual([20, 1, 20]);
      expect(await at({ atOrBelowVersion: 20 })).toEqual([20, 1, 20]);
      expect(await at({ atOrBelowVersion: 10, revision: 1 })).toEqual([10, 1, 10]);
      expect(await at({ atOrBelowVersion: 9 })).toBeUndefined();
      expect(await at({ atOrBelowVersion: 0 })).toBeUndefined();
      expect(await at({ revision: 3 })).toBeUndefined();
      expect(await at({ revision: 0 })).toBeUndefined();
    });

    it('replaces a snapshot saved again at the same version and revision', async () => {
      const stream = newStream('replace');
      await snapshots.save(stream, 8, accountState(81, 200_000), { revision: 1 });
      const second = { small: true };
      const info = await snapshots.save(stream, 8, second, { revision: 1 });
      expect(await snapshots.load(stream)).toEqual({ ...info, state: second });
      expect(await snapshots.prune(stream, { keep: 1 })).toBe(0); // one snapshot, not two
    });

    it('prune() keeps the newest N of any revision and says how many it deleted', async () => {
      const stream = newStream('prune');
      for (const [version, revision] of [[1, 1], [2, 1], [3, 2], [3, 1], [4, 2]] as const) {
        await snapshots.save(stream, version, { version, revision }, { revision });
      }
      expect(await snapshots.prune(stream, { keep: 3 })).toBe(2);
      expect(await snapshots.load(stream, { atOrBelowVersion: 2 })).toBeUndefined();
      expect((await snapshots.load(stream, { revision: 1 }))?.version).toBe(3);
      expect((await snapshots.load(stream, { revision: 2 }))?.version).toBe(4);
      expect((await snapshots.load(stream, { revision: 2, atOrBelowVersion: 3 }))?.version).toBe(3);
      expect(await snapshots.prune(stream, { keep: 3 })).toBe(0);
      expect(await snapshots.prune(newStream('none'), { keep: 1 })).toBe(0);
    });

    it('with the keep option, each save keeps the newest N', async () => {
      const keeping = await openRepository({ keep: 2 });
      const stream = newStream('keep');
      await keeping.save(stream, 10, accountState(10, 200_000), { revision: 1 });
      await keeping.save(stream, 20, { at: 20 }, { revision: 1 });
      await keeping.save(stream, 30, { at: 30 }, { revision: 1 });
      expect(await keeping.load(stream, { atOrBelowVersion: 19 })).toBeUndefined();
      expect((await keeping.load(stream, { atOrBelowVersion: 29 }))?.state).toEqual({ at: 20 });
      expect(await keeping.prune(stream, { keep: 2 })).toBe(0);
    });

    it('delete() removes every snapshot of the stream and of no other', async () => {
      const stream = newStream('gdpr');
      await snapshots.save(stream, 1, { name: 'Ann' }, { revision: 1 });
      await snapshots.save(stream, 2, accountState(2, 200_000), { revision: 1 });
      await snapshots.save(`${stream}-other`, 1, { name: 'Bob' }, { revision: 1 });
      expect(await snapshots.delete(stream)).toBe(2);
      expect(await snapshots.load(stream)).toBeUndefined();
      expect((await snapshots.load(`${stream}-other`))?.state).toEqual({ name: 'Bob' });
      expect(await snapshots.delete(stream)).toBe(0);
    });

    it.each([
      [{ amount: 10n }, '$.amount', /BigInt/],
      [{ seen: new Map([['a', 1]]) }, '$.seen', /a Map/],
      [{ rate: Number.NaN }, '$.rate', /NaN/],
      [{ list: [1, undefined] }, '$.list[1]', /undefined inside an array/],
      [{ bytes: new Uint8Array(2) }, '$.bytes', /typed array/],
      [cyclic, '$.self', /circular/],
      [{ onChange: () => 1 }, '$.onChange', /a function/],
      [undefined, '$', /serialized to nothing/],
    ])('refuses a state JSON cannot round-trip (%#), naming the path, and stores nothing', async (state, path, reason) => {
      const stream = newStream('not-json');
      const failure = snapshots.save(stream, 1, state, { revision: 1 });
      await expect(failure).rejects.toBeInstanceOf(SnapshotNotSerializableError);
      await expect(failure).rejects.toMatchObject({ code: 'SNAPSHOT_NOT_SERIALIZABLE', streamId: stream, version: 1, path });
      await expect(failure).rejects.toThrow(reason);
      expect(await snapshots.load(stream)).toBeUndefined();
    });

    const { INVALID_STREAM_ID, INVALID_SNAPSHOT_VERSION, INVALID_SNAPSHOT_REVISION, INVALID_SNAPSHOT_OPTIONS } = EventStoreErrorCode;
    const badStream = `bad-${run}`;
    it.each<[string, () => Promise<unknown>, string]>([
      ['an empty stream id', () => snapshots.save('', 1, {}, { revision: 1 }), INVALID_STREAM_ID],
      ['a stream id over 1 KB', () => snapshots.load('s'.repeat(1025)), INVALID_STREAM_ID],
      ['version 0', () => snapshots.save(badStream, 0, {}, { revision: 1 }), INVALID_SNAPSHOT_VERSION],
      ['a fractional version', () => snapshots.save(badStream, 1.5, {}, { revision: 1 }), INVALID_SNAPSHOT_VERSION],
      ['a version as a string', () => snapshots.save(badStream, '3' as never, {}, { revision: 1 }), INVALID_SNAPSHOT_VERSION],
      ['no save options', () => snapshots.save(badStream, 1, {}, undefined as never), INVALID_SNAPSHOT_OPTIONS],
      ['no revision', () => snapshots.save(badStream, 1, {}, {} as never), INVALID_SNAPSHOT_REVISION],
      ['a negative revision', () => snapshots.save(badStream, 1, {}, { revision: -1 }), INVALID_SNAPSHOT_REVISION],
      ['a revision to load as a string', () => snapshots.load(badStream, { revision: '2' as never }), INVALID_SNAPSHOT_REVISION],
      ['a negative atOrBelowVersion', () => snapshots.load(badStream, { atOrBelowVersion: -1 }), INVALID_SNAPSHOT_VERSION],
      ['load options that are not an object', () => snapshots.load(badStream, 5 as never), INVALID_SNAPSHOT_OPTIONS],
      ['prune without keep', () => snapshots.prune(badStream, {} as never), INVALID_SNAPSHOT_OPTIONS],
      ['prune keeping 0', () => snapshots.prune(badStream, { keep: 0 }), INVALID_SNAPSHOT_OPTIONS],
      ['delete with no stream id', () => snapshots.delete(undefined as never), INVALID_STREAM_ID],
    ])('refuses %s with an InvalidArgumentError and stores nothing', async (_label, call, code) => {
      const failure = call();
      await expect(failure).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(failure).rejects.toMatchObject({ code });
      expect(await snapshots.load(badStream)).toBeUndefined();
    });

    it('with snapshots off, every method throws SnapshotsDisabledError', async () => {
      const off = await openRepository(false);
      const stream = newStream('off');
      for (const call of [
        () => off.save(stream, 1, {}, { revision: 1 }),
        () => off.load(stream),
        () => off.prune(stream, { keep: 1 }),
        () => off.delete(stream),
      ]) {
        await expect(call()).rejects.toBeInstanceOf(SnapshotsDisabledError);
      }
    });
  });
}

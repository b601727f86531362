import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EventStoreErrorCode } from '../lib/errors/event-store.error.js';
import { InvalidArgumentError } from '../lib/errors/invalid-argument.error.js';
import { SnapshotNotSerializableError } from '../lib/errors/snapshot-not-serializable.error.js';
import type { SnapshotRepository } from '../lib/snapshots/snapshot-repository.js';
import { createSnapshotApp, type SnapshotApp } from './support/snapshot-app.js';

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

/** Every bad input fails with a typed error before a single request is sent: nothing is written. */
describe('SnapshotRepository with bad input', () => {
  let app: SnapshotApp;
  let snapshots: SnapshotRepository;
  const stream = `snap-bad-${Date.now()}`;

  beforeAll(async () => {
    app = await createSnapshotApp('snapshot-bad-input');
    snapshots = app.snapshots;
  });
  beforeEach(() => app.tap.reset());
  afterAll(async () => {
    expect(await app.rawItems(stream)).toEqual([]);
    await app.close();
  });

  it.each([
    [{ amount: 10n }, '$.amount', /BigInt/],
    [{ seen: new Map([['a', 1]]) }, '$.seen', /a Map/],
    [{ ids: new Set([1]) }, '$.ids', /a Set/],
    [{ rate: Number.NaN }, '$.rate', /NaN/],
    [{ list: [1, undefined] }, '$.list[1]', /undefined inside an array/],
    [{ bytes: new Uint8Array(2) }, '$.bytes', /typed array/],
    [cyclic, '$.self', /circular/],
    [{ onChange: () => 1 }, '$.onChange', /a function/],
    [undefined, '$', /serialized to nothing/],
  ])('refuses a state JSON cannot round-trip (%#), naming the path, and writes nothing', async (state, path, reason) => {
    const failure = snapshots.save(stream, 1, state, { revision: 1 });
    await expect(failure).rejects.toBeInstanceOf(SnapshotNotSerializableError);
    await expect(failure).rejects.toMatchObject({ code: 'SNAPSHOT_NOT_SERIALIZABLE', streamId: stream, version: 1, path });
    await expect(failure).rejects.toThrow(reason);
    expect(app.tap.sent).toEqual([]);
  });

  const { INVALID_STREAM_ID, INVALID_SNAPSHOT_VERSION, INVALID_SNAPSHOT_REVISION, INVALID_SNAPSHOT_OPTIONS } = EventStoreErrorCode;
  it.each([
    ['an empty stream id', () => snapshots.save('', 1, {}, { revision: 1 }), INVALID_STREAM_ID],
    ['a stream id over 1 KB', () => snapshots.load('s'.repeat(1025)), INVALID_STREAM_ID],
    ['version 0', () => snapshots.save(stream, 0, {}, { revision: 1 }), INVALID_SNAPSHOT_VERSION],
    ['a fractional version', () => snapshots.save(stream, 1.5, {}, { revision: 1 }), INVALID_SNAPSHOT_VERSION],
    ['a version as a string', () => snapshots.save(stream, '3' as never, {}, { revision: 1 }), INVALID_SNAPSHOT_VERSION],
    ['a version past 2^53', () => snapshots.save(stream, 2 ** 53, {}, { revision: 1 }), INVALID_SNAPSHOT_VERSION],
    ['no save options', () => snapshots.save(stream, 1, {}, undefined as never), INVALID_SNAPSHOT_OPTIONS],
    ['no revision', () => snapshots.save(stream, 1, {}, {} as never), INVALID_SNAPSHOT_REVISION],
    ['a negative revision', () => snapshots.save(stream, 1, {}, { revision: -1 }), INVALID_SNAPSHOT_REVISION],
    ['a revision to load as a string', () => snapshots.load(stream, { revision: '2' as never }), INVALID_SNAPSHOT_REVISION],
    ['a negative atOrBelowVersion', () => snapshots.load(stream, { atOrBelowVersion: -1 }), INVALID_SNAPSHOT_VERSION],
    ['load options that are not an object', () => snapshots.load(stream, 5 as never), INVALID_SNAPSHOT_OPTIONS],
    ['prune without keep', () => snapshots.prune(stream, {} as never), INVALID_SNAPSHOT_OPTIONS],
    ['prune keeping 0', () => snapshots.prune(stream, { keep: 0 }), INVALID_SNAPSHOT_OPTIONS],
    ['delete with no stream id', () => snapshots.delete(undefined as never), INVALID_STREAM_ID],
  ])('refuses %s with a typed error and sends nothing', async (_, call, code) => {
    const failure = call();
    await expect(failure).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(failure).rejects.toMatchObject({ code });
    expect(app.tap.sent).toEqual([]);
  });
});

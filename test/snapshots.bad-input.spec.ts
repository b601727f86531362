import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EventNotSerializableError } from '../lib/errors/event-not-serializable.error.js';
import { EventStoreErrorCode } from '../lib/errors/event-store.error.js';
import { InvalidArgumentError } from '../lib/errors/invalid-argument.error.js';
import { SnapshotNotSerializableError } from '../lib/errors/snapshot-not-serializable.error.js';
import type { SnapshotRepository } from '../lib/snapshots/snapshot-repository.js';
import { InMemorySnapshotRepository } from '../lib/testing/index.js';
import { createSnapshotApp, type SnapshotApp } from './support/snapshot-app.js';
import { nested, revoked } from './support/hostile-values.js';

/** What these tests need of a repository: the DynamoDB one and the in-memory one both fit. */
type Snapshots = Pick<SnapshotRepository, 'save' | 'load' | 'prune' | 'delete'>;

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

/** [what the state holds, the state, the path the error names (undefined: any), what it says]. */
const states: Array<[string, unknown, string | undefined, RegExp]> = [
  ['a BigInt', { amount: 10n }, '$.amount', /BigInt/],
  ['a Map', { seen: new Map([['a', 1]]) }, '$.seen', /a Map/],
  ['a Set', { ids: new Set([1]) }, '$.ids', /a Set/],
  ['NaN', { rate: Number.NaN }, '$.rate', /NaN/],
  ['Infinity', { rate: Infinity }, '$.rate', /Infinity/],
  ['undefined inside an array', { list: [1, undefined] }, '$.list[1]', /undefined inside an array/],
  ['a typed array', { bytes: new Uint8Array(2) }, '$.bytes', /typed array/],
  ['a cycle', cyclic, '$.self', /circular/],
  ['a function', { onChange: () => 1 }, '$.onChange', /a function/],
  ['a symbol', { tag: Symbol('t') }, '$.tag', /a symbol/],
  ['nothing (undefined)', undefined, '$', /serialized to nothing/],
  ['nesting 10,000 deep', { tree: nested(10_000) }, undefined, /cannot be stored as JSON/],
];

const { INVALID_STREAM_ID, INVALID_SNAPSHOT_VERSION, INVALID_SNAPSHOT_REVISION, INVALID_SNAPSHOT_OPTIONS } = EventStoreErrorCode;
const r1 = { revision: 1 };
/** [what is passed, the call, the code of its InvalidArgumentError, what the message says]. */
const calls: Array<[string, (snapshots: Snapshots, stream: string) => Promise<unknown>, string, RegExp]> = [
  // stream ids
  ['an empty stream id', (s) => s.save('', 1, {}, r1), INVALID_STREAM_ID, /non-empty string/],
  ['a stream id over 1 KB', (s) => s.load('s'.repeat(1025)), INVALID_STREAM_ID, /1025 bytes/],
  ['a symbol as the stream id', (s) => s.save(Symbol('s') as never, 1, {}, r1), INVALID_STREAM_ID, /got symbol/],
  ['a stream id the module reserves', (s) => s.save('$$feed-shards', 1, {}, r1), INVALID_STREAM_ID, /must not start with "\$\$"/],
  ['a stream id with a lone surrogate (save)', (s, id) => s.save(`${id}\uD800`, 1, {}, r1), INVALID_STREAM_ID, /lone surrogate/],
  ['a stream id with a lone surrogate (load)', (s, id) => s.load(`\uDFFF${id}`), INVALID_STREAM_ID, /lone surrogate/],
  ['delete with no stream id', (s) => s.delete(undefined as never), INVALID_STREAM_ID, /got undefined/],
  ['prune of a stream id with a lone surrogate', (s, id) => s.prune(`${id}\uDBFF`, { keep: 1 }), INVALID_STREAM_ID, /lone surrogate/],
  // versions
  ['version 0', (s, id) => s.save(id, 0, {}, r1), INVALID_SNAPSHOT_VERSION, /got 0/],
  ['a fractional version', (s, id) => s.save(id, 1.5, {}, r1), INVALID_SNAPSHOT_VERSION, /got 1.5/],
  ['a version as a string', (s, id) => s.save(id, '3' as never, {}, r1), INVALID_SNAPSHOT_VERSION, /got "3"/],
  ['a version past 2^53', (s, id) => s.save(id, 2 ** 53, {}, r1), INVALID_SNAPSHOT_VERSION, /got 9007199254740992/],
  ['NaN as the version', (s, id) => s.save(id, Number.NaN, {}, r1), INVALID_SNAPSHOT_VERSION, /got NaN/],
  ['Infinity as the version', (s, id) => s.save(id, Infinity, {}, r1), INVALID_SNAPSHOT_VERSION, /got Infinity/],
  ['a BigInt version', (s, id) => s.save(id, 3n as never, {}, r1), INVALID_SNAPSHOT_VERSION, /got bigint/],
  // save options
  ['no save options', (s, id) => s.save(id, 1, {}, undefined as never), INVALID_SNAPSHOT_OPTIONS, /save options must be an object .* got undefined/],
  ['null as the save options', (s, id) => s.save(id, 1, {}, null as never), INVALID_SNAPSHOT_OPTIONS, /got null/],
  ['save options as an array', (s, id) => s.save(id, 1, {}, [1] as never), INVALID_SNAPSHOT_OPTIONS, /got an array/],
  ['save options as a revoked Proxy', (s, id) => s.save(id, 1, {}, revoked({ revision: 1 })), INVALID_SNAPSHOT_OPTIONS, /got a revoked Proxy/],
  ['a misspelt save option (revison)', (s, id) => s.save(id, 1, {}, { revison: 1 } as never), INVALID_SNAPSHOT_OPTIONS, /no option "revison" \(known: revision\)/],
  ['an unknown save option beside the revision', (s, id) => s.save(id, 1, {}, { revision: 1, ttlSeconds: 60 } as never), INVALID_SNAPSHOT_OPTIONS, /no option "ttlSeconds"/],
  ['no revision', (s, id) => s.save(id, 1, {}, {} as never), INVALID_SNAPSHOT_REVISION, /got undefined/],
  ['a negative revision', (s, id) => s.save(id, 1, {}, { revision: -1 }), INVALID_SNAPSHOT_REVISION, /got -1/],
  ['a revision as a string', (s, id) => s.save(id, 1, {}, { revision: '1' as never }), INVALID_SNAPSHOT_REVISION, /got "1"/],
  ['a revision past 2^53', (s, id) => s.save(id, 1, {}, { revision: 2 ** 53 }), INVALID_SNAPSHOT_REVISION, /got 9007199254740992/],
  // load options
  ['load options that are not an object', (s, id) => s.load(id, 5 as never), INVALID_SNAPSHOT_OPTIONS, /load options must be an object .* got 5/],
  ['null as the load options', (s, id) => s.load(id, null as never), INVALID_SNAPSHOT_OPTIONS, /got null/],
  ['load options as an array', (s, id) => s.load(id, [] as never), INVALID_SNAPSHOT_OPTIONS, /got an array/],
  ['a misspelt load option (atOrBelow)', (s, id) => s.load(id, { atOrBelow: 5 } as never), INVALID_SNAPSHOT_OPTIONS, /no option "atOrBelow" \(known: revision, atOrBelowVersion\)/],
  ['a revision to load as a string', (s, id) => s.load(id, { revision: '2' as never }), INVALID_SNAPSHOT_REVISION, /got "2"/],
  ['a negative atOrBelowVersion', (s, id) => s.load(id, { atOrBelowVersion: -1 }), INVALID_SNAPSHOT_VERSION, /got -1/],
  ['a fractional atOrBelowVersion', (s, id) => s.load(id, { atOrBelowVersion: 2.5 }), INVALID_SNAPSHOT_VERSION, /got 2.5/],
  ['NaN as atOrBelowVersion', (s, id) => s.load(id, { atOrBelowVersion: Number.NaN }), INVALID_SNAPSHOT_VERSION, /got NaN/],
  // prune options
  ['prune without options', (s, id) => s.prune(id, undefined as never), INVALID_SNAPSHOT_OPTIONS, /prune options must be an object .* got undefined/],
  ['prune without keep', (s, id) => s.prune(id, {} as never), INVALID_SNAPSHOT_OPTIONS, /keep a whole number >= 1 .* got undefined/],
  ['prune keeping 0', (s, id) => s.prune(id, { keep: 0 }), INVALID_SNAPSHOT_OPTIONS, /got 0/],
  ['prune keeping "3" (a string)', (s, id) => s.prune(id, { keep: '3' as never }), INVALID_SNAPSHOT_OPTIONS, /got "3"/],
  ['prune keeping Infinity', (s, id) => s.prune(id, { keep: Infinity }), INVALID_SNAPSHOT_OPTIONS, /got Infinity/],
  ['a misspelt prune option (kep)', (s, id) => s.prune(id, { kep: 3 } as never), INVALID_SNAPSHOT_OPTIONS, /no option "kep" \(known: keep\)/],
];

/** States of the app that throw when read: the app's own error (or a SnapshotNotSerializableError caused by it) comes out, nothing is written. */
const throwing: Array<[string, (failure: Error) => unknown]> = [
  ['a state with a getter that throws', (failure) => Object.defineProperty({ a: 1 }, 'total', { enumerable: true, get: () => { throw failure; } })],
  ['a state Proxy whose ownKeys trap throws', (failure) => new Proxy({ a: 1 }, { ownKeys: () => { throw failure; } })],
];

const isAppFailure = (error: unknown, failure: Error) =>
  error === failure || ((error instanceof SnapshotNotSerializableError || error instanceof EventNotSerializableError) && error.cause === failure);

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

  it.each(states)('DynamoDB: refuses a state holding %s, naming the path; no request sent', async (_kind, state, path, reason) => {
    const failure = snapshots.save(stream, 1, state, { revision: 1 });
    await expect(failure).rejects.toBeInstanceOf(SnapshotNotSerializableError);
    await expect(failure).rejects.toMatchObject({ code: 'SNAPSHOT_NOT_SERIALIZABLE', streamId: stream, version: 1, ...(path === undefined ? {} : { path }) });
    await expect(failure).rejects.toThrow(reason);
    expect(app.tap.sent).toEqual([]);
  });

  it.each(states)('in memory: refuses a state holding %s alike; nothing stored', async (_kind, state, path, reason) => {
    const inMemory = new InMemorySnapshotRepository();
    const failure = inMemory.save(stream, 1, state, { revision: 1 });
    await expect(failure).rejects.toBeInstanceOf(SnapshotNotSerializableError);
    await expect(failure).rejects.toMatchObject({ code: 'SNAPSHOT_NOT_SERIALIZABLE', streamId: stream, version: 1, ...(path === undefined ? {} : { path }) });
    await expect(failure).rejects.toThrow(reason);
    expect(await inMemory.load(stream)).toBeUndefined();
  });

  it.each(calls)('DynamoDB: refuses %s with a typed error and sends nothing', async (_label, call, code, message) => {
    const failure = call(snapshots, stream);
    await expect(failure).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(failure).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    expect(app.tap.sent).toEqual([]);
  });

  it.each(calls)('in memory: refuses %s with the same typed error; nothing stored', async (_label, call, code, message) => {
    const inMemory = new InMemorySnapshotRepository();
    const failure = call(inMemory, stream);
    await expect(failure).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(failure).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    expect(await inMemory.load(stream)).toBeUndefined();
  });

  it.each(throwing)("DynamoDB and in memory: %s: the app's error comes out; no request sent, nothing stored", async (label, state) => {
    const inMemory = new InMemorySnapshotRepository();
    for (const target of [snapshots, inMemory]) {
      const failure = new Error(`the app's own failure (${label})`);
      const error = await target.save(stream, 1, state(failure), { revision: 1 }).then(() => undefined, (thrown: unknown) => thrown);
      expect(isAppFailure(error, failure)).toBe(true);
    }
    expect(app.tap.sent).toEqual([]);
    expect(await inMemory.load(stream)).toBeUndefined();
  });
});

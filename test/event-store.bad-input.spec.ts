import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { lastValueFrom, toArray } from 'rxjs';
import {
  CommitTooLargeError,
  ConcurrencyError,
  EventNotSerializableError,
  EventStoreErrorCode,
  EventTooLargeError,
  InvalidArgumentError,
  itemSize,
  MAX_ITEM_BYTES,
  NO_STREAM,
  UnregisteredEventClassError,
  type EventStore,
} from '../lib/index.js';
import { InMemoryEventStore } from '../lib/testing/index.js';
import { testClientConfig } from './support/dynamodb.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { MoneyDeposited, TEST_EVENTS } from './support/events.js';
import { RequestTap } from './support/fault-injection.js';
import { nested, revoked } from './support/hostile-values.js';

class NotRegistered {
  readonly x = 1;
}

/** What these tests need of a store: the DynamoDB one and the in-memory one both fit. */
type Store = Pick<EventStore, 'append' | 'read' | 'replayAll$'>;
type ErrorClass = new (...args: never[]) => Error;

const { INVALID_EVENT, INVALID_STREAM_ID, INVALID_EXPECTED_VERSION, INVALID_COMMIT_ID, INVALID_METADATA, INVALID_APPEND_OPTIONS } = EventStoreErrorCode;
const KB = 1024;

const deposit = (stream: string, note = '', extra: object = {}) => Object.assign(new MoneyDeposited(stream, 1, note), extra);
const circular = (stream: string) => {
  const event = deposit(stream) as MoneyDeposited & { self?: unknown };
  event.self = event;
  return event;
};
const any = { expectedVersion: 'any' } as const;
const fresh = { expectedVersion: NO_STREAM } as const;

/** [what is passed, the append, the typed error, its code, what its message says]: each must fail before anything is sent or stored. */
const cases: Array<[string, (store: Store, stream: string) => Promise<unknown>, ErrorClass, string, RegExp]> = [
  // the events
  ['an empty event list', (s, id) => s.append(id, [], fresh), InvalidArgumentError, INVALID_EVENT, /at least one event/],
  ['events that are not an array', (s, id) => s.append(id, {} as never, fresh), InvalidArgumentError, INVALID_EVENT, /must be an array/],
  ['events as an array-like object', (s, id) => s.append(id, { length: 1, 0: deposit(id) } as never, fresh), InvalidArgumentError, INVALID_EVENT, /must be an array; got object/],
  ['events as a revoked Proxy', (s, id) => s.append(id, revoked([deposit(id)]), fresh), InvalidArgumentError, INVALID_EVENT, /must be an array; got a revoked Proxy/],
  ['an events array with a hole ([e1, , e2])', (s, id) => s.append(id, [deposit(id), , deposit(id)] as never, fresh), InvalidArgumentError, INVALID_EVENT, /Event #1 is missing: the events array has a hole/],
  ['an events array that is all holes', (s, id) => s.append(id, new Array(3) as never, fresh), InvalidArgumentError, INVALID_EVENT, /Event #0 is missing/],
  ['a number as an event', (s, id) => s.append(id, [42 as never], fresh), InvalidArgumentError, INVALID_EVENT, /Event #0 .* got 42/],
  ['null as an event', (s, id) => s.append(id, [deposit(id), null as never], fresh), InvalidArgumentError, INVALID_EVENT, /Event #1 .* got null/],
  ['undefined as an event', (s, id) => s.append(id, [undefined as never], fresh), InvalidArgumentError, INVALID_EVENT, /Event #0 .* got undefined/],
  ['a string as an event', (s, id) => s.append(id, ['hi' as never], fresh), InvalidArgumentError, INVALID_EVENT, /got "hi"/],
  ['an array as an event', (s, id) => s.append(id, [[] as never], fresh), InvalidArgumentError, INVALID_EVENT, /an array/],
  ['a function as an event', (s, id) => s.append(id, [(() => 1) as never], fresh), InvalidArgumentError, INVALID_EVENT, /got function/],
  ['a revoked Proxy as an event', (s, id) => s.append(id, [deposit(id), revoked(deposit(id))], fresh), InvalidArgumentError, INVALID_EVENT, /Event #1 .* got a revoked Proxy/],
  ['a plain object as an event', (s, id) => s.append(id, [{ amount: 1 }], fresh), UnregisteredEventClassError, 'UNREGISTERED_EVENT_CLASS', /"Object"/],
  ['an object with a null prototype as an event', (s, id) => s.append(id, [Object.create(null) as object], fresh), UnregisteredEventClassError, 'UNREGISTERED_EVENT_CLASS', /has no stable type name/],
  ['an unregistered class', (s, id) => s.append(id, [new NotRegistered()], fresh), UnregisteredEventClassError, 'UNREGISTERED_EVENT_CLASS', /NotRegistered/],
  // the payloads
  ['a BigInt in the payload', (s, id) => s.append(id, [deposit(id, '', { big: 1n })], fresh), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /\$\.big is a BigInt/],
  ['a circular payload', (s, id) => s.append(id, [circular(id)], fresh), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /circular/],
  ['a function in the payload', (s, id) => s.append(id, [deposit(id, '', { fn: () => 1 })], fresh), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /\$\.fn is a function/],
  ['a symbol in the payload', (s, id) => s.append(id, [deposit(id, '', { tag: Symbol('t') })], fresh), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /\$\.tag is a symbol/],
  ['NaN in the payload', (s, id) => s.append(id, [deposit(id, '', { n: Number.NaN })], fresh), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /NaN/],
  ['Infinity in the payload', (s, id) => s.append(id, [deposit(id, '', { n: -Infinity })], fresh), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /\$\.n is -Infinity/],
  ['undefined inside an array in the payload', (s, id) => s.append(id, [deposit(id, '', { list: [1, undefined] })], fresh), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /\$\.list\[1\]/],
  ['a payload nested 10,000 deep', (s, id) => s.append(id, [deposit(id, '', { tree: nested(10_000) })], fresh), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /Event "MoneyDeposited"/],
  ['one event over 400 KB', (s, id) => s.append(id, [deposit(id), deposit(id, 'x'.repeat(401 * KB))], fresh), EventTooLargeError, 'EVENT_TOO_LARGE', /Event #1 \("MoneyDeposited"\)/],
  ['a commit over 4 MB', (s, id) => s.append(id, Array.from({ length: 11 }, () => deposit(id, 'x'.repeat(390 * KB))), fresh), CommitTooLargeError, 'COMMIT_TOO_LARGE', /4194304-byte limit/],
  // the stream id
  ['an empty stream id', (s, id) => s.append('', [deposit(id)], fresh), InvalidArgumentError, INVALID_STREAM_ID, /non-empty string/],
  ['a stream id the module reserves', (s, id) => s.append('$$feed-shards', [deposit(id)], any), InvalidArgumentError, INVALID_STREAM_ID, /must not start with "\$\$"/],
  ['a stream id over 1 KB', (s, id) => s.append('é'.repeat(513), [deposit(id)], fresh), InvalidArgumentError, INVALID_STREAM_ID, /1026 bytes/],
  ['a number as the stream id', (s, id) => s.append(7 as never, [deposit(id)], fresh), InvalidArgumentError, INVALID_STREAM_ID, /got 7/],
  ['a symbol as the stream id', (s, id) => s.append(Symbol('s') as never, [deposit(id)], fresh), InvalidArgumentError, INVALID_STREAM_ID, /got symbol/],
  ['a stream id with a lone high surrogate', (s, id) => s.append(`${id}-\uD800`, [deposit(id)], fresh), InvalidArgumentError, INVALID_STREAM_ID, /lone surrogate/],
  ['a stream id with a lone low surrogate', (s, id) => s.append(`\uDC00${id}`, [deposit(id)], fresh), InvalidArgumentError, INVALID_STREAM_ID, /lone surrogate/],
  // the options
  ['no options', (s, id) => s.append(id, [deposit(id)], undefined as never), InvalidArgumentError, INVALID_EXPECTED_VERSION, /required/],
  ['null as the options', (s, id) => s.append(id, [deposit(id)], null as never), InvalidArgumentError, INVALID_APPEND_OPTIONS, /append options must be an object .* got null/],
  ['a string as the options', (s, id) => s.append(id, [deposit(id)], 'any' as never), InvalidArgumentError, INVALID_APPEND_OPTIONS, /got "any"/],
  ['an array as the options', (s, id) => s.append(id, [deposit(id)], [any] as never), InvalidArgumentError, INVALID_APPEND_OPTIONS, /got an array/],
  ['a revoked Proxy as the options', (s, id) => s.append(id, [deposit(id)], revoked({ ...fresh })), InvalidArgumentError, INVALID_APPEND_OPTIONS, /got a revoked Proxy/],
  ['a misspelt option (commitID)', (s, id) => s.append(id, [deposit(id)], { ...fresh, commitID: 'c-1' } as never), InvalidArgumentError, INVALID_APPEND_OPTIONS, /no option "commitID" \(known: expectedVersion, commitId/],
  ['publish as a string', (s, id) => s.append(id, [deposit(id)], { ...fresh, publish: 'false' as never }), InvalidArgumentError, INVALID_APPEND_OPTIONS, /publish must be true or false; got "false"/],
  ['no expected version', (s, id) => s.append(id, [deposit(id)], {} as never), InvalidArgumentError, INVALID_EXPECTED_VERSION, /required/],
  ['a negative expected version', (s, id) => s.append(id, [deposit(id)], { expectedVersion: -1 }), InvalidArgumentError, INVALID_EXPECTED_VERSION, /got -1/],
  ['a fractional expected version', (s, id) => s.append(id, [deposit(id)], { expectedVersion: 1.5 }), InvalidArgumentError, INVALID_EXPECTED_VERSION, /got 1.5/],
  ['NaN as expected version', (s, id) => s.append(id, [deposit(id)], { expectedVersion: Number.NaN }), InvalidArgumentError, INVALID_EXPECTED_VERSION, /got NaN/],
  ['Infinity as expected version', (s, id) => s.append(id, [deposit(id)], { expectedVersion: Infinity }), InvalidArgumentError, INVALID_EXPECTED_VERSION, /got Infinity/],
  ['an expected version past 2^53', (s, id) => s.append(id, [deposit(id)], { expectedVersion: 2 ** 53 }), InvalidArgumentError, INVALID_EXPECTED_VERSION, /got 9007199254740992/],
  ['an expected version as a numeric string', (s, id) => s.append(id, [deposit(id)], { expectedVersion: '3' as never }), InvalidArgumentError, INVALID_EXPECTED_VERSION, /got "3" \(a string: pass the number 3\)/],
  ['a BigInt expected version', (s, id) => s.append(id, [deposit(id)], { expectedVersion: 3n as never }), InvalidArgumentError, INVALID_EXPECTED_VERSION, /got bigint/],
  ['an unknown expected version', (s, id) => s.append(id, [deposit(id)], { expectedVersion: 'latest' as never }), InvalidArgumentError, INVALID_EXPECTED_VERSION, /got "latest"/],
  ['an empty commit id', (s, id) => s.append(id, [deposit(id)], { ...fresh, commitId: '' }), InvalidArgumentError, INVALID_COMMIT_ID, /commitId must be a string of 1 to 256/],
  ['a commit id that is not a string', (s, id) => s.append(id, [deposit(id)], { ...fresh, commitId: 42 as never }), InvalidArgumentError, INVALID_COMMIT_ID, /got 42/],
  ['a commit id over 256 characters', (s, id) => s.append(id, [deposit(id)], { ...fresh, commitId: 'c'.repeat(257) }), InvalidArgumentError, INVALID_COMMIT_ID, /a string of 257 characters/],
  ['a commit id with a lone surrogate', (s, id) => s.append(id, [deposit(id)], { ...fresh, commitId: 'c-\uD83D' }), InvalidArgumentError, INVALID_COMMIT_ID, /lone surrogate/],
  ['a correlation id that is not a string', (s, id) => s.append(id, [deposit(id)], { ...fresh, correlationId: 5 as never }), InvalidArgumentError, INVALID_METADATA, /correlationId must be a string/],
  ['an empty causation id', (s, id) => s.append(id, [deposit(id)], { ...fresh, causationId: '' }), InvalidArgumentError, INVALID_METADATA, /causationId must be a string/],
  // the metadata
  ['metadata that is not an object', (s, id) => s.append(id, [deposit(id)], { ...fresh, metadata: 'x' as never }), InvalidArgumentError, INVALID_METADATA, /metadata must be a JSON object \(a plain \{ key: value \} object\); got "x"/],
  ['null as metadata', (s, id) => s.append(id, [deposit(id)], { ...fresh, metadata: null as never }), InvalidArgumentError, INVALID_METADATA, /got null/],
  ['metadata that is an array', (s, id) => s.append(id, [deposit(id)], { ...fresh, metadata: [1] as never }), InvalidArgumentError, INVALID_METADATA, /got an array/],
  ['metadata that is a Date', (s, id) => s.append(id, [deposit(id)], { ...fresh, metadata: new Date() as never }), InvalidArgumentError, INVALID_METADATA, /got an instance of Date/],
  ['metadata that is a Map', (s, id) => s.append(id, [deposit(id)], { ...fresh, metadata: new Map() as never }), InvalidArgumentError, INVALID_METADATA, /got an instance of Map/],
  ['metadata with a symbol key', (s, id) => s.append(id, [deposit(id)], { ...fresh, metadata: { [Symbol('tenant')]: 't-1' } }), InvalidArgumentError, INVALID_METADATA, /symbol key Symbol\(tenant\)/],
  ['metadata whose toJSON() gives a number', (s, id) => s.append(id, [deposit(id)], { ...fresh, metadata: { toJSON: () => 5 } }), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /commit metadata.*toJSON/],
  ['metadata using a reserved key ($corr)', (s, id) => s.append(id, [deposit(id)], { ...fresh, metadata: { $corr: 'x' } }), InvalidArgumentError, INVALID_METADATA, /"\$corr", which is reserved/],
  ['metadata over 64 KB', (s, id) => s.append(id, [deposit(id)], { ...fresh, metadata: { note: 'x'.repeat(64 * KB) } }), InvalidArgumentError, INVALID_METADATA, /at most 65536/],
  ['metadata JSON cannot carry', (s, id) => s.append(id, [deposit(id)], { ...fresh, metadata: { at: 1n } }), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /commit metadata/],
  ['metadata nested 10,000 deep', (s, id) => s.append(id, [deposit(id)], { ...fresh, metadata: { tree: nested(10_000) } }), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /commit metadata/],
];

/**
 * Objects of the app that throw when read: the app's own error comes out (or, from the payload
 * walk, an EventNotSerializableError caused by it), and nothing is written.
 */
const throwing: Array<[string, (store: Store, stream: string, failure: Error) => Promise<unknown>]> = [
  ['an event with a getter that throws', (s, id, failure) => s.append(id, [Object.defineProperty(deposit(id), 'total', { enumerable: true, get: () => { throw failure; } })], fresh)],
  ['an event Proxy whose get trap throws', (s, id, failure) => s.append(id, [new Proxy(deposit(id), { get: () => { throw failure; } })], fresh)],
  ['an events array Proxy whose elements throw', (s, id, failure) => s.append(id, new Proxy([deposit(id)], { get: (target, key) => (key === '0' ? (() => { throw failure; })() : Reflect.get(target, key)) }), fresh)],
  ['options whose expectedVersion getter throws', (s, id, failure) => s.append(id, [deposit(id)], Object.defineProperty({}, 'expectedVersion', { enumerable: true, get: () => { throw failure; } }) as never)],
  ['metadata with a getter that throws', (s, id, failure) => s.append(id, [deposit(id)], { ...fresh, metadata: Object.defineProperty({}, 'user', { enumerable: true, get: () => { throw failure; } }) })],
];

/** Inputs that look odd but are valid: stored, and read back exactly. */
const accepted: Array<[string, (store: Store, stream: string) => Promise<unknown>, (read: Array<{ event: object; metadata: object }>) => void]> = [
  ['a frozen event', (s, id) => s.append(id, [Object.freeze(deposit(id, 'frozen'))], fresh), ([read]) => expect(read!.event).toMatchObject({ note: 'frozen' })],
  ['metadata with a null prototype', (s, id) => s.append(id, [deposit(id)], { ...fresh, metadata: Object.assign(Object.create(null) as object, { user: 'u-1' }) }), ([read]) => expect(read!.metadata).toEqual({ user: 'u-1' })],
  ['a lone surrogate in the payload and metadata (JSON escapes it)', (s, id) => s.append(id, [deposit(id, 'a\uD800b')], { ...fresh, metadata: { k: '\uDC00' } }), ([read]) => {
    expect((read!.event as MoneyDeposited).note).toBe('a\uD800b');
    expect(read!.metadata).toEqual({ k: '\uDC00' });
  }],
];

const isAppFailure = (error: unknown, failure: Error) => error === failure || (error instanceof EventNotSerializableError && error.cause === failure);
const everything = async (store: Store) => lastValueFrom(store.replayAll$({ pageSize: 1000 }).pipe(toArray()), { defaultValue: [] });

/** Every bad input fails with a typed error before a single request is sent: nothing is written. */
describe('EventStore.append with bad input', () => {
  let app: EventStoreApp;
  let store: EventStore;
  let client: DynamoDBClient;
  let tap: RequestTap;
  // A stream per case: one case's failure to refuse must not show as another's.
  let streams = 0;
  const nextStream = () => `bad-input-${Date.now()}-${streams++}`;
  const memory = () => new InMemoryEventStore({ events: TEST_EVENTS });

  beforeAll(async () => {
    client = new DynamoDBClient(testClientConfig());
    tap = new RequestTap(client);
    app = await createEventStoreApp('bad-input', { client });
    store = app.store;
  });
  beforeEach(() => tap.reset());
  afterAll(async () => {
    await app.close();
    client.destroy();
  });

  it.each(cases)('DynamoDB: %s is a typed error; no request sent, nothing stored', async (_label, append, type, code, message) => {
    const stream = nextStream();
    const failure = append(store, stream);
    await expect(failure).rejects.toBeInstanceOf(type);
    await expect(failure).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    expect(tap.sent).toEqual([]);
    expect(await collect(store.read(stream))).toEqual([]);
  });

  it.each(cases)('in memory: %s is the same typed error; nothing stored', async (_label, append, type, code, message) => {
    const inMemory = memory();
    const failure = append(inMemory, nextStream());
    await expect(failure).rejects.toBeInstanceOf(type);
    await expect(failure).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    expect(await everything(inMemory)).toEqual([]);
  });

  it.each(throwing)("DynamoDB and in memory: %s: the app's error comes out; no request sent, nothing stored", async (label, append) => {
    const stream = nextStream();
    const inMemory = memory();
    for (const target of [store, inMemory]) {
      const failure = new Error(`the app's own failure (${label})`);
      const error = await append(target, stream, failure).then(() => undefined, (thrown: unknown) => thrown);
      expect(isAppFailure(error, failure)).toBe(true);
    }
    expect(tap.sent).toEqual([]);
    expect(await collect(store.read(stream))).toEqual([]);
    expect(await everything(inMemory)).toEqual([]);
  });

  it.each(accepted)('DynamoDB and in memory: %s is stored and read back as it was', async (label, append, check) => {
    for (const target of [store, memory()]) {
      const id = `odd-${label.length}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      await append(target, id);
      const read = await collect(target.read(id));
      expect(read).toHaveLength(1);
      check(read);
    }
  });

  it('accepts the largest event that fits: the limit is within a few bytes of DynamoDB\'s own', async () => {
    const taken = `edge-taken-${Date.now()}`;
    await store.append(taken, [new MoneyDeposited(taken, 1)], { expectedVersion: NO_STREAM });
    // Bisect on the note length. Appending to a stream that exists with 'no-stream' sends the item and
    // gets a ConcurrencyError, so DynamoDB checks the item's size but writes nothing; an item DynamoDB
    // found too large would fail with its ValidationException instead, failing this test.
    const fits = async (length: number) => {
      try {
        await store.append(taken, [new MoneyDeposited(taken, 1, 'x'.repeat(length))], { expectedVersion: NO_STREAM });
      } catch (error) {
        if (error instanceof EventTooLargeError) return false;
        if (error instanceof ConcurrencyError) return true;
        throw error;
      }
      throw new Error('unreachable: the stream exists');
    };
    let [low, high] = [399 * KB, 400 * KB];
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (await fits(middle)) low = middle;
      else high = middle - 1;
    }
    const big = `edge-${Date.now()}`;
    const result = await store.append(big, [new MoneyDeposited(big, 1, 'x'.repeat(low))], { expectedVersion: NO_STREAM });
    const { Item } = await client.send(new GetItemCommand({ TableName: app.tableName, Key: { streamId: { S: big }, version: { N: '1' } } }));
    expect(result.version).toBe(1);
    expect(itemSize(Item!)).toBeGreaterThan(MAX_ITEM_BYTES - 40); // only worst-case number sizes are held back
    expect(itemSize(Item!)).toBeLessThanOrEqual(MAX_ITEM_BYTES);
  });

  it('accepts the largest commit that fits a transaction', async () => {
    const big = `big-${Date.now()}`;
    const oneItem = await store.append(big, [new MoneyDeposited(big, 1, 'x'.repeat(399 * KB))], { expectedVersion: NO_STREAM });
    expect(oneItem.version).toBe(1);
    const tenItems = Array.from({ length: 10 }, (_, i) => new MoneyDeposited(big, i, 'x'.repeat(399 * KB)));
    expect((await store.append(big, tenItems, { expectedVersion: 1 })).version).toBe(11);
    expect(tap.count('TransactWriteItemsCommand')).toBe(1);
    expect(await collect(store.read(big))).toHaveLength(11);
  });
});

import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
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
import { testClientConfig } from './support/dynamodb.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { MoneyDeposited } from './support/events.js';
import { RequestTap } from './support/fault-injection.js';

class NotRegistered {
  readonly x = 1;
}

/** Every bad input fails with a typed error before a single request is sent: nothing is written. */
describe('EventStore.append with bad input', () => {
  let app: EventStoreApp;
  let store: EventStore;
  let client: DynamoDBClient;
  let tap: RequestTap;
  const stream = `bad-input-${Date.now()}`;

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

  const deposit = (note = '', extra: object = {}) => Object.assign(new MoneyDeposited(stream, 1, note), extra);
  const circular = () => {
    const event = deposit() as MoneyDeposited & { self?: unknown };
    event.self = event;
    return event;
  };
  const KB = 1024;

  const cases: Array<[string, () => Promise<unknown>, new (...args: never[]) => Error, string | RegExp]> = [
    ['an empty event list', () => store.append(stream, [], { expectedVersion: NO_STREAM }), InvalidArgumentError, /at least one event/],
    ['a stream id the module reserves', () => store.append('$$feed-shards', [deposit()], { expectedVersion: 'any' }), InvalidArgumentError, /must not start with "\$\$"/],
    ['events that are not an array', () => store.append(stream, {} as never, { expectedVersion: NO_STREAM }), InvalidArgumentError, /must be an array/],
    ['a number as an event', () => store.append(stream, [42 as never], { expectedVersion: NO_STREAM }), InvalidArgumentError, /Event #0 .* got 42/],
    ['null as an event', () => store.append(stream, [deposit(), null as never], { expectedVersion: NO_STREAM }), InvalidArgumentError, /Event #1/],
    ['a string as an event', () => store.append(stream, ['hi' as never], { expectedVersion: NO_STREAM }), InvalidArgumentError, /got "hi"/],
    ['an array as an event', () => store.append(stream, [[] as never], { expectedVersion: NO_STREAM }), InvalidArgumentError, /an array/],
    ['a plain object as an event', () => store.append(stream, [{ amount: 1 }], { expectedVersion: NO_STREAM }), UnregisteredEventClassError, /"Object"/],
    ['an unregistered class', () => store.append(stream, [new NotRegistered()], { expectedVersion: NO_STREAM }), UnregisteredEventClassError, /NotRegistered/],
    ['a BigInt in the payload', () => store.append(stream, [deposit('', { big: 1n })], { expectedVersion: NO_STREAM }), EventNotSerializableError, /\$\.big is a BigInt/],
    ['a circular payload', () => store.append(stream, [circular()], { expectedVersion: NO_STREAM }), EventNotSerializableError, /circular/],
    ['a function in the payload', () => store.append(stream, [deposit('', { fn: () => 1 })], { expectedVersion: NO_STREAM }), EventNotSerializableError, /\$\.fn is a function/],
    ['NaN in the payload', () => store.append(stream, [deposit('', { n: Number.NaN })], { expectedVersion: NO_STREAM }), EventNotSerializableError, /NaN/],
    ['one event over 400 KB', () => store.append(stream, [deposit(), deposit('x'.repeat(401 * KB))], { expectedVersion: NO_STREAM }), EventTooLargeError, /Event #1 \("MoneyDeposited"\)/],
    ['a commit over 4 MB', () => store.append(stream, Array.from({ length: 11 }, () => deposit('x'.repeat(390 * KB))), { expectedVersion: NO_STREAM }), CommitTooLargeError, /4194304-byte limit/],
    ['an empty stream id', () => store.append('', [deposit()], { expectedVersion: NO_STREAM }), InvalidArgumentError, /non-empty string/],
    ['a stream id over 1 KB', () => store.append('é'.repeat(513), [deposit()], { expectedVersion: NO_STREAM }), InvalidArgumentError, /1026 bytes/],
    ['a stream id that is not a string', () => store.append(7 as never, [deposit()], { expectedVersion: NO_STREAM }), InvalidArgumentError, /got 7/],
    ['a negative expected version', () => store.append(stream, [deposit()], { expectedVersion: -1 }), InvalidArgumentError, /got -1/],
    ['a fractional expected version', () => store.append(stream, [deposit()], { expectedVersion: 1.5 }), InvalidArgumentError, /got 1.5/],
    ['NaN as expected version', () => store.append(stream, [deposit()], { expectedVersion: Number.NaN }), InvalidArgumentError, /got NaN/],
    ['an unknown expected version', () => store.append(stream, [deposit()], { expectedVersion: 'latest' as never }), InvalidArgumentError, /got "latest"/],
    ['no expected version', () => store.append(stream, [deposit()], {} as never), InvalidArgumentError, /required/],
    ['no options', () => store.append(stream, [deposit()], undefined as never), InvalidArgumentError, /required/],
    ['an empty commit id', () => store.append(stream, [deposit()], { expectedVersion: NO_STREAM, commitId: '' }), InvalidArgumentError, /commitId/],
    ['metadata that is not an object', () => store.append(stream, [deposit()], { expectedVersion: NO_STREAM, metadata: 'x' as never }), InvalidArgumentError, /metadata must be a JSON object/],
    ['metadata JSON cannot carry', () => store.append(stream, [deposit()], { expectedVersion: NO_STREAM, metadata: { at: 1n } }), EventNotSerializableError, /commit metadata/],
  ];

  it.each(cases)('%s: typed error, no request sent, nothing stored', async (_label, append, type, message) => {
    const failure = append();
    await expect(failure).rejects.toBeInstanceOf(type);
    await expect(failure).rejects.toThrow(message);
    expect(tap.sent).toEqual([]);
    expect(await collect(store.read(stream))).toEqual([]);
  });

  it('gives each typed error a stable code', async () => {
    await expect(store.append(stream, [], { expectedVersion: NO_STREAM })).rejects.toMatchObject({ code: EventStoreErrorCode.INVALID_EVENT });
    await expect(store.append(stream, [deposit()], { expectedVersion: -2 })).rejects.toMatchObject({
      code: EventStoreErrorCode.INVALID_EXPECTED_VERSION,
    });
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

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventNotSerializableError, EventType, NO_STREAM, SnapshotNotSerializableError } from '../lib/index.js';
import { MAX_JSON_DEPTH } from '../lib/serialization/json-payload.js';
import { collect } from './support/event-store-app.js';
import { FLAVOURS, openFlavour, type StoreFlavour } from './support/store-flavours.js';

/** An event as apps write them: Dates among the fields, nested and in lists. */
@EventType('rt.order-shipped')
class OrderShipped {
  constructor(
    readonly orderId: string,
    readonly shippedAt: Date,
    readonly lines: Array<{ sku: string; due: Date | null }>,
    readonly balanceDelta: number,
    readonly note?: string,
  ) {}
}

/** Anything else, for the refusals. */
@EventType('rt.noted')
class Noted {
  constructor(readonly detail: unknown) {}
}

/** `{ a: { a: ... { leaf: 1 } } }`, `levels` objects deep. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

describe.each(FLAVOURS)('what comes back is what went in (%s)', (flavour) => {
  let app: StoreFlavour;
  let streams = 0;
  const newStream = () => `rt-${++streams}-${Date.now()}`;

  beforeAll(async () => {
    app = await openFlavour(flavour, 'round-trip', [OrderShipped, Noted]);
  });
  afterAll(async () => {
    await app.close();
  });

  /** The error an append fails with, after checking that nothing of it was stored. */
  async function refusedAppend(event: object, metadata?: Record<string, unknown>): Promise<unknown> {
    const stream = newStream();
    const error = await app.store.append(stream, [event], { expectedVersion: NO_STREAM, metadata }).catch((e: unknown) => e);
    expect(await collect(app.store.read(stream))).toEqual([]);
    return error;
  }

  it('reads Dates back as Dates with the same time, and -0 as -0, in the data and in the metadata', async () => {
    const stream = newStream();
    const shipped = new OrderShipped('o-1', new Date('2026-07-01T12:34:56.789Z'), [{ sku: 'a', due: new Date(0) }, { sku: 'b', due: null }], -0);
    await app.store.append(stream, [shipped], { expectedVersion: NO_STREAM, metadata: { delta: -0, list: [0, -0] } });
    const [read] = await collect(app.store.read<OrderShipped>(stream));
    expect(read!.event).toBeInstanceOf(OrderShipped);
    expect(read!.event).toEqual(shipped); // toEqual tells -0 from 0 and compares Dates by time
    expect(read!.event.shippedAt).toBeInstanceOf(Date);
    expect(read!.event.lines[0]!.due).toBeInstanceOf(Date);
    expect(Object.is(read!.event.balanceDelta, -0)).toBe(true);
    expect(Object.is(read!.metadata.delta, -0)).toBe(true);
    expect(read!.metadata.list).toEqual([0, -0]);
    if (app.raw !== undefined) {
      // Stored as JSON any reader understands: the ISO strings in the data, the Dates' paths on the side.
      expect((await app.raw.storedItem(stream, 1)).events).toBe(
        '[{"type":"rt.order-shipped","data":{"orderId":"o-1","shippedAt":"2026-07-01T12:34:56.789Z","lines":[{"sku":"a","due":"1970-01-01T00:00:00.000Z"},' +
          '{"sku":"b","due":null}],"balanceDelta":-0},"dates":[["shippedAt"],["lines",0,"due"]]}]',
      );
    }
  });

  it('leaves out keys whose value is undefined, as JSON does', async () => {
    const stream = newStream();
    await app.store.append(stream, [new OrderShipped('o-2', new Date(1), [], 1, undefined)], { expectedVersion: NO_STREAM, metadata: { gone: undefined } });
    const [read] = await collect(app.store.read<OrderShipped>(stream));
    expect(Object.keys(read!.event)).toEqual(['orderId', 'shippedAt', 'lines', 'balanceDelta']);
    expect(read!.metadata).toEqual({});
  });

  it.each([
    ['an invalid Date', { at: new Date(Number.NaN) }, '$.detail.at', /an invalid Date/],
    ['a Buffer', { file: Buffer.from('pdf') }, '$.detail.file', /a Buffer.*base64.*custom `serializer`/],
    ['a Uint8Array', [new Uint8Array(3)], '$.detail[0]', /typed array \(Uint8Array.*custom `serializer`/],
    ['an object with toJSON()', { money: new (class Money { toJSON() { return '5 EUR'; } })() }, '$.detail.money', /toJSON\(\) method.*custom `serializer`/],
    ['a Map', new Map([['a', 1]]), '$.detail', /a Map.*custom `serializer`/],
    [`${MAX_JSON_DEPTH} levels of nesting below the data`, nested(MAX_JSON_DEPTH), undefined, /nested deeper than 256 levels/],
    ['10,000 levels of nesting', nested(10_000), undefined, /nested deeper than 256 levels/],
  ])('refuses %s in a payload with an EventNotSerializableError naming the path, and stores nothing', async (_label, detail, path, reason) => {
    const error = await refusedAppend(new Noted(detail));
    expect(error).toBeInstanceOf(EventNotSerializableError);
    expect(error).toMatchObject({ code: 'EVENT_NOT_SERIALIZABLE', eventType: 'rt.noted' });
    if (path !== undefined) expect((error as EventNotSerializableError).path).toBe(path);
    expect((error as Error).message).toMatch(reason);
  });

  it(`stores ${MAX_JSON_DEPTH} levels of nesting and reads them back`, async () => {
    const stream = newStream();
    const deep = nested(MAX_JSON_DEPTH - 1); // the event's data is level 1
    await app.store.append(stream, [new Noted(deep)], { expectedVersion: NO_STREAM });
    expect((await collect(app.store.read<Noted>(stream)))[0]!.event.detail).toEqual(deep);
  });

  it.each([
    ['a Date', { at: new Date(0) }, '$.at', /a Date \(JSON turns it into a string; only event payloads get Dates back\)/],
    ['10,000 levels of nesting', { deep: nested(10_000) }, undefined, /nested deeper than 256 levels/],
  ])('refuses %s in the metadata with a typed error, and stores nothing', async (_label, metadata, path, reason) => {
    const error = await refusedAppend(new Noted(1), metadata);
    expect(error).toBeInstanceOf(EventNotSerializableError);
    expect(error).toMatchObject({ code: 'EVENT_NOT_SERIALIZABLE', eventType: '(commit metadata)' });
    if (path !== undefined) expect((error as EventNotSerializableError).path).toBe(path);
    expect((error as Error).message).toMatch(reason);
  });

  it("lets a getter's own error through, and stores nothing", async () => {
    const cause = new Error('not loaded');
    const event = new Noted(Object.defineProperty({}, 'lazy', { enumerable: true, get: () => { throw cause; } }));
    expect(await refusedAppend(event)).toBe(cause);
  });

  describe('snapshot states', () => {
    it('reads -0 back as -0', async () => {
      const stream = newStream();
      await app.snapshots.save(stream, 1, { balance: -0, history: [1, -0] }, { revision: 1 });
      const loaded = await app.snapshots.load<{ balance: number; history: number[] }>(stream);
      expect(Object.is(loaded!.state.balance, -0)).toBe(true);
      expect(loaded!.state.history).toEqual([1, -0]);
    });

    it.each([
      ['a Date', { openedAt: new Date(0) }, '$.openedAt', /a Date \(JSON turns it into a string/],
      ['a Buffer', { photo: Buffer.from('x') }, '$.photo', /a Buffer/],
      ['an object with toJSON()', { id: new (class Id { toJSON() { return 'x'; } })() }, '$.id', /toJSON\(\) method/],
      ['10,000 levels of nesting', nested(10_000), undefined, /nested deeper than 256 levels/],
    ])('refuses %s with a SnapshotNotSerializableError naming the path, and stores nothing', async (_label, state, path, reason) => {
      const stream = newStream();
      const error = await app.snapshots.save(stream, 1, state, { revision: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SnapshotNotSerializableError);
      expect(error).toMatchObject({ code: 'SNAPSHOT_NOT_SERIALIZABLE', streamId: stream, version: 1 });
      if (path !== undefined) expect((error as SnapshotNotSerializableError).path).toBe(path);
      expect((error as Error).message).toMatch(reason);
      expect(await app.snapshots.load(stream)).toBeUndefined();
    });
  });
});

describe('events stored before Dates were kept (DynamoDB)', () => {
  let app: StoreFlavour;
  beforeAll(async () => {
    app = await openFlavour('DynamoDB', 'round-trip-old', [OrderShipped]);
  });
  afterAll(async () => {
    await app.close();
  });

  it('reads an entry without a "dates" field (as 0.3 stored it) exactly as before: the ISO strings stay strings', async () => {
    const stream = `rt-old-${Date.now()}`;
    await app.raw!.putCommit(stream, ['{"type":"rt.order-shipped","data":{"orderId":"o-1","shippedAt":"2026-07-01T12:34:56.789Z","lines":[],"balanceDelta":0}}']);
    const [read] = await collect(app.store.read<OrderShipped>(stream));
    expect(read!.event).toBeInstanceOf(OrderShipped);
    expect(read!.event.shippedAt).toBe('2026-07-01T12:34:56.789Z');
  });

  it('recognizes a commit 0.3 stored (no "dates" field) when it is retried now under its commit id: a duplicate, not a reused id', async () => {
    const stream = `rt-retry-${Date.now()}`;
    const storedBy03 = '{"type":"rt.order-shipped","data":{"orderId":"o-1","shippedAt":"2026-07-01T12:34:56.789Z","lines":[],"balanceDelta":0}}';
    await app.raw!.putCommit(stream, [storedBy03], undefined, 'ship-o-1');
    const retried = await app.store.append(stream, [new OrderShipped('o-1', new Date('2026-07-01T12:34:56.789Z'), [], 0)], { expectedVersion: NO_STREAM, commitId: 'ship-o-1' });
    expect(retried).toMatchObject({ duplicate: true, version: 1 });
    // Other events under that id are still a reused commit id.
    const other = app.store.append(stream, [new OrderShipped('o-1', new Date('2026-07-02T00:00:00.000Z'), [], 0)], { expectedVersion: NO_STREAM, commitId: 'ship-o-1' });
    await expect(other).rejects.toMatchObject({ code: 'COMMIT_ID_REUSED' });
  });
});

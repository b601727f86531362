import { describe, expect, it } from '@jest/globals';
import { EventNotSerializableError } from '../errors/event-not-serializable.error.js';
import { encodeEventPayload, MAX_JSON_DEPTH, toJsonPayload } from './json-payload.js';
import { writeJson } from './json-writer.js';

function rejection(payload: unknown, encode: (payload: never) => unknown = (p) => toJsonPayload('Sample', p)): EventNotSerializableError {
  try {
    encode(payload as never);
  } catch (error) {
    if (error instanceof EventNotSerializableError) return error;
    throw error;
  }
  throw new Error('expected the payload to be rejected');
}
const eventRejection = (payload: unknown) => rejection(payload, (p) => encodeEventPayload('Sample', p));

/** `{ a: { a: ... { leaf } } }`, `levels` objects deep. */
function nested(levels: number, leaf: unknown = 1): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

describe('toJsonPayload and encodeEventPayload', () => {
  it('serialize plain JSON data, nested objects and arrays, exactly as JSON.stringify does', () => {
    const payload = { id: 'a-1', amount: 12.5, tags: ['x', 'y'], nested: { ok: true, none: null }, big: 1e21, small: 5e-7, text: 'é "q" \u2028 \ud83d\ude00' };
    expect(toJsonPayload('Sample', payload)).toBe(JSON.stringify(payload));
    expect(encodeEventPayload('Sample', payload)).toEqual({ json: JSON.stringify(payload), datePaths: undefined });
  });

  it('leave out keys whose value is undefined, as JSON does', () => {
    expect(toJsonPayload('Sample', { a: 1, gone: undefined })).toBe('{"a":1}');
  });

  it('store nested class instances as their own enumerable fields', () => {
    class Money {
      constructor(
        readonly amount: number,
        readonly currency: string,
      ) {}
      format(): string {
        return `${this.amount} ${this.currency}`;
      }
    }
    expect(toJsonPayload('Sample', { price: new Money(5, 'EUR') })).toBe('{"price":{"amount":5,"currency":"EUR"}}');
  });

  describe('Dates', () => {
    it('keep the Dates of an event payload: ISO strings in the JSON, their paths on the side', () => {
      const at = new Date('2026-01-02T03:04:05.006Z');
      const encoded = encodeEventPayload('Sample', { at, lines: [{ shippedAt: at }, { odd: { 'a b': at } }], none: null });
      expect(encoded.json).toBe(JSON.stringify({ at, lines: [{ shippedAt: at }, { odd: { 'a b': at } }], none: null }));
      expect(JSON.parse(encoded.datePaths!)).toEqual([['at'], ['lines', 0, 'shippedAt'], ['lines', 1, 'odd', 'a b']]);
    });

    it('refuse a Date anywhere else (metadata, snapshot states), where nothing would turn it back', () => {
      const error = rejection({ when: { at: new Date(0) } });
      expect(error.path).toBe('$.when.at');
      expect(error.reason).toMatch(/a Date \(JSON turns it into a string; only event payloads get Dates back\); convert it to plain JSON first/);
    });

    it.each([
      ['an invalid Date', { at: new Date(Number.NaN) }, /an invalid Date \(JSON turns it into null\)/],
      ['a Date subclass', { at: new (class Day extends Date {})(0) }, /toJSON\(\) method/],
      ['a Date with its own toJSON', { at: Object.assign(new Date(0), { toJSON: () => 'then' }) }, /toJSON\(\) method/],
    ])('refuse %s, even in an event payload', (_label, payload, reason) => {
      const error = eventRejection(payload);
      expect(error.path).toBe('$.at');
      expect(error.reason).toMatch(reason);
    });
  });

  it('keep -0, which JSON.stringify writes as 0', () => {
    const payload = { delta: -0, list: [0, -0, 1.5], deep: { at: new Date(7), zero: 0 } };
    const json = encodeEventPayload('Sample', payload).json;
    expect(json).toBe('{"delta":-0,"list":[0,-0,1.5],"deep":{"at":"1970-01-01T00:00:00.007Z","zero":0}}');
    const read = JSON.parse(json) as typeof payload;
    expect(Object.is(read.delta, -0)).toBe(true);
    expect(Object.is(read.list[1], -0)).toBe(true);
    expect(Object.is(read.list[0], 0)).toBe(true);
    expect(toJsonPayload('Sample', -0)).toBe('-0');
  });

  it('write exactly what JSON.stringify writes when a -0 makes them use their own writer', () => {
    const varied = {
      s: 'tab\t nl\n quote" back\\ \u0000 \ud800 é',
      n: [0, 1, -1, 1e21, 1e-7, 123.456, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE],
      b: [true, false, null],
      skip: undefined,
      '': { '0': 'zero', z: [[], {}, [{}]] },
      at: new Date(Date.UTC(2026, 6, 1)),
      instance: new (class Point {
        constructor(
          readonly x = 1,
          readonly y = 2,
        ) {}
      })(),
    };
    expect(writeJson(varied)).toBe(JSON.stringify(varied));
    expect(writeJson({ ...varied, z: -0 })).toBe(JSON.stringify({ ...varied, z: 0 }).replace(/"z":0}$/, '"z":-0}'));
  });

  it.each([
    ['a BigInt', { amount: 10n }, '$.amount', /BigInt/],
    ['a function', { fn: () => 1 }, '$.fn', /function/],
    ['a symbol', { s: Symbol('x') }, '$.s', /symbol/],
    ['NaN', { n: Number.NaN }, '$.n', /NaN/],
    ['Infinity', { list: [1, Number.POSITIVE_INFINITY] }, '$.list[1]', /Infinity/],
    ['undefined in an array', { list: [undefined] }, '$.list[0]', /undefined/],
    ['a hole in an array', { list: [1, , 3] }, '$.list[1]', /undefined inside an array/],
    ['a Map', { deep: { m: new Map([[1, 2]]) } }, '$.deep.m', /a Map \(JSON turns it into \{\}\); convert it, or register the event type with a custom `serializer`/],
    ['a Set', { s: new Set([1]) }, '$.s', /Set/],
    ['a RegExp', { r: /x/ }, '$.r', /RegExp/],
    ['an Error', { e: new Error('boom') }, '$.e', /an Error/],
    ['a String object', { s: new String('x') }, '$.s', /String object/],
    ['a Uint8Array', { bytes: new Uint8Array(2) }, '$.bytes', /typed array \(Uint8Array.*base64.*serializer/],
    ['a Float64Array', { values: [new Float64Array(1)] }, '$.values[0]', /typed array \(Float64Array/],
    ['a DataView', { view: new DataView(new ArrayBuffer(2)) }, '$.view', /typed array \(DataView/],
    ['an ArrayBuffer', { raw: new ArrayBuffer(2) }, '$.raw', /an ArrayBuffer/],
    ['a Buffer', { file: Buffer.from('hi') }, '$.file', /a Buffer \(JSON turns it into \{"type":"Buffer".*base64.*serializer/],
    ['an object with toJSON()', { money: { amount: 1, toJSON: undefined, x: new (class M { toJSON() { return 'one'; } })() } }, '$.money.x', /toJSON\(\) method.*serializer/],
    ['a key that needs quoting', { 'odd key': { 'x.y': 1n } }, '$["odd key"]["x.y"]', /BigInt/],
  ])('refuse %s in an event payload and name where it is', (_label, payload, path, reason) => {
    const error = eventRejection(payload);
    expect(error).toMatchObject({ code: 'EVENT_NOT_SERIALIZABLE', eventType: 'Sample', path });
    expect(error.reason).toMatch(reason);
    expect(error.message).toContain('Sample');
  });

  it('refuse an own "__proto__" key at any level (JSON.parse makes one from a request body), naming its path', () => {
    for (const [json, path] of [
      ['{"__proto__":{"isAdmin":true}}', '$.__proto__'],
      ['{"user":{"name":"x","__proto__":{"isAdmin":true}}}', '$.user.__proto__'],
      ['{"list":[{"__proto__":null}]}', '$.list[0].__proto__'],
    ] as const) {
      const error = eventRejection(JSON.parse(json));
      expect(error.path).toBe(path);
      expect(error.reason).toMatch(/own "__proto__" key, which is refused/);
    }
    // An object whose prototype is null or was set with `{ __proto__: ... }` has no such key: it is fine.
    expect(toJsonPayload('Sample', { __proto__: null, a: 1 })).toBe('{"a":1}');
  });

  it('refuse a revoked Proxy inside the payload with a typed error', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(eventRejection({ inner: proxy })).toMatchObject({ path: '$.inner', reason: expect.stringMatching(/revoked Proxy/) });
  });

  it('let the error of a getter that throws reach the caller', () => {
    const cause = new Error('the app failed');
    const payload = Object.defineProperty({ a: 1 }, 'broken', { enumerable: true, get: () => { throw cause; } });
    expect(() => encodeEventPayload('Sample', payload)).toThrow(cause);
  });

  it('refuse a payload with nothing to store', () => {
    expect(rejection(undefined)).toMatchObject({ path: '$', reason: expect.stringMatching(/serialized to nothing/) });
    expect(eventRejection({ toJSON: () => undefined })).toMatchObject({ path: '$.toJSON', reason: 'a function' });
  });

  describe('depth and cycles', () => {
    it(`store up to ${MAX_JSON_DEPTH} levels of objects and arrays, and refuse one more with a typed error naming the path`, () => {
      expect(JSON.parse(toJsonPayload('Sample', nested(MAX_JSON_DEPTH)))).toEqual(nested(MAX_JSON_DEPTH));
      const error = rejection(nested(MAX_JSON_DEPTH + 1));
      expect(error.reason).toMatch(/nested deeper than 256 levels/);
      expect(error.path).toBe(`$${'.a'.repeat(MAX_JSON_DEPTH)}`);
    });

    it.each([10_000, 200_000])('refuse %i levels with a typed error (no RangeError), objects or arrays', (levels) => {
      expect(rejection(nested(levels)).reason).toMatch(/nested deeper/);
      let list: unknown[] = [];
      for (let i = 0; i < levels; i++) list = [list];
      expect(eventRejection({ list }).path).toBe(`$.list${'[0]'.repeat(MAX_JSON_DEPTH - 1)}`);
    });

    it('name a cycle as circular, at the first repeated object', () => {
      const payload: Record<string, unknown> = { a: 1, child: { list: [] as unknown[] } };
      ((payload.child as { list: unknown[] }).list).push(payload);
      expect(rejection(payload)).toMatchObject({ path: '$.child.list[0]', reason: expect.stringMatching(/circular/) });
    });

    it('store an object referenced twice (not a cycle) twice, as JSON does', () => {
      const shared = { x: 1 };
      expect(toJsonPayload('Sample', { a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
    });
  });
});

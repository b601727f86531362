import { describe, expect, it } from '@jest/globals';
import { EventDeserializationError } from '../errors/event-deserialization.error.js';
import { EventNotSerializableError } from '../errors/event-not-serializable.error.js';
import type { EventSerializer } from './interfaces/event-serializer.interface.js';
import { RegisteredEventType } from './registered-event-type.js';
import { UpcasterChain } from './upcaster-chain.js';

class PriceChanged {
  constructor(
    readonly sku: string,
    readonly at: Date,
    readonly prices: Map<string, number>,
  ) {}
}

const serializer: EventSerializer<PriceChanged, { sku: string; at: string; prices: Array<[string, number]> }> = {
  serialize: (event) => ({ sku: event.sku, at: event.at.toISOString(), prices: [...event.prices] }),
  deserialize: (data) => new PriceChanged(data.sku, new Date(data.at), new Map(data.prices)),
};

const typeWith = (options: { serializer?: EventSerializer; revision?: number; upcasters?: ConstructorParameters<typeof UpcasterChain>[2] } = {}) =>
  new RegisteredEventType(
    'shop.price-changed',
    PriceChanged,
    [],
    new UpcasterChain('shop.price-changed', options.revision ?? 1, options.upcasters, 'PriceChanged'),
    options.serializer,
  );

describe('RegisteredEventType', () => {
  const event = new PriceChanged('sku-1', new Date('2026-03-04T05:06:07.008Z'), new Map([['EUR', 10], ['USD', 11]]));

  it('round-trips Dates and Maps through a custom serializer', () => {
    const type = typeWith({ serializer });
    const entry = type.encode(event);
    expect(entry).toBe('{"type":"shop.price-changed","data":{"sku":"sku-1","at":"2026-03-04T05:06:07.008Z","prices":[["EUR",10],["USD",11]]}}');
    const { data } = JSON.parse(entry) as { data: object };
    const read = type.decode(data, undefined, 's', 1) as PriceChanged;
    expect(read).toBeInstanceOf(PriceChanged);
    expect(read.at).toBeInstanceOf(Date);
    expect(read.at.getTime()).toBe(event.at.getTime());
    expect(read.prices).toEqual(event.prices);
  });

  it('refuses an event with a toJSON(): it would be stored as what toJSON() returns and read back as another event', () => {
    class Priced {
      constructor(readonly sku: string) {}
      toJSON(): object {
        return { sku: `${this.sku}@3` };
      }
    }
    const type = new RegisteredEventType('shop.priced', Priced, [], new UpcasterChain('shop.priced', 1, undefined, 'Priced'), undefined);
    expect(() => type.encode(new Priced('a'))).toThrow(EventNotSerializableError);
    expect(() => type.encode(new Priced('a'))).toThrow(/\$ is an object with a toJSON\(\) method.*custom `serializer`/);
  });

  it('stores the Dates of the data as ISO strings listed in a "dates" field, and reads them back as Dates before upcasting', () => {
    class Shipped {
      constructor(
        readonly at: Date,
        readonly lines: Array<{ sku: string; due: Date }>,
      ) {}
    }
    const seen: unknown[] = [];
    const at = new Date('2026-03-04T05:06:07.008Z');
    const type = new RegisteredEventType(
      'shop.shipped',
      Shipped,
      [],
      new UpcasterChain('shop.shipped', 2, { 1: (data) => (seen.push(data.at), data) }, 'Shipped'),
      undefined,
    );
    const entry = type.encode(new Shipped(at, [{ sku: 'a', due: new Date(0) }]));
    expect(entry).toBe('{"type":"shop.shipped","rev":2,"data":{"at":"2026-03-04T05:06:07.008Z","lines":[{"sku":"a","due":"1970-01-01T00:00:00.000Z"}]},"dates":[["at"],["lines",0,"due"]]}');
    const { data, rev, dates } = JSON.parse(entry) as { data: object; rev: number; dates: unknown };
    const read = type.decode(data, rev, 's', 1, dates) as Shipped;
    expect(read).toEqual(new Shipped(at, [{ sku: 'a', due: new Date(0) }]));
    expect(read.at).toBeInstanceOf(Date);
    // An entry stored at revision 1 by 0.3 has no "dates": its strings stay strings, and upcasters see what was stored.
    const old = type.decode({ at: '2026-03-04T05:06:07.008Z', lines: [] }, undefined, 's', 2) as unknown as { at: string };
    expect(old.at).toBe('2026-03-04T05:06:07.008Z');
    expect(seen).toEqual(['2026-03-04T05:06:07.008Z']);
  });

  it('reports a "dates" field that does not fit the data as an EventDeserializationError naming where', () => {
    expect(() => typeWith().decode({ sku: 'a' }, undefined, 's-1', 3, [['at']])).toThrow(EventDeserializationError);
    expect(() => typeWith().decode({ sku: 'a' }, undefined, 's-1', 3, [['at']])).toThrow(/stream "s-1", version 3: the stored entry's "dates" field points at \$\.at/);
  });

  it('rebuilds an instance of the class whatever keys the stored data has: a "__proto__" key stays a field', () => {
    const data = JSON.parse('{"sku":"a","__proto__":{"injected":true}}') as object;
    const read = typeWith().decode(data, undefined, 's', 1);
    expect(read).toBeInstanceOf(PriceChanged);
    expect(Object.getPrototypeOf(read)).toBe(PriceChanged.prototype);
    expect((read as { injected?: unknown }).injected).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(read, '__proto__')?.value).toEqual({ injected: true });
  });

  it('still refuses what plain JSON cannot carry, without a serializer', () => {
    expect(() => typeWith().encode(event)).toThrow(/\$\.prices is a Map/);
  });

  it('upcasts stored data before handing it to the serializer', () => {
    const type = typeWith({ serializer, revision: 2, upcasters: { 1: ({ price, ...rest }) => ({ ...rest, prices: [['EUR', price]] }) } });
    const read = type.decode({ sku: 'a', at: '2026-01-01T00:00:00.000Z', price: 3 }, undefined, 's', 1) as PriceChanged;
    expect(read.prices).toEqual(new Map([['EUR', 3]]));
    expect(type.encode(event)).toMatch(/^\{"type":"shop.price-changed","rev":2,"data":/);
  });

  it('turns a serializer that throws or returns no object into EventNotSerializableError on append', () => {
    const cause = new Error('no sku');
    const throwing = typeWith({ serializer: { serialize: () => { throw cause; }, deserialize: () => event } });
    expect(() => throwing.encode(event)).toThrow(EventNotSerializableError);
    expect(() => throwing.encode(event)).toThrow(/"shop.price-changed" cannot be stored as JSON: \$ is rejected by its serializer \(no sku\)/);
    const returningString = typeWith({ serializer: { serialize: () => 'x' as never, deserialize: () => event } });
    expect(() => returningString.encode(event)).toThrow(/turned by its serializer into x, not a JSON object/);
    const returningMap = typeWith({ serializer: { serialize: () => ({ m: new Map() }), deserialize: () => event } });
    expect(() => returningMap.encode(event)).toThrow(/\$\.m is a Map/);
  });

  it('turns a deserialize() that throws or returns no object into EventDeserializationError naming where', () => {
    const cause = new Error('bad date');
    const throwing = typeWith({ serializer: { serialize: (e) => ({ ...e }), deserialize: () => { throw cause; } } });
    expect(() => throwing.decode({}, undefined, 's-1', 3)).toThrow(EventDeserializationError);
    expect(() => throwing.decode({}, undefined, 's-1', 3)).toThrow(/"shop.price-changed" could not rebuild the event at stream "s-1", version 3: its deserialize\(\) threw: bad date/);
    const returningNothing = typeWith({ serializer: { serialize: (e) => ({ ...e }), deserialize: () => undefined as never } });
    expect(() => returningNothing.decode({}, undefined, 's-1', 3)).toThrow(/returned undefined instead of an event object/);
  });
});

import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  EventDeserializationError,
  InvalidModuleOptionsError,
  NO_STREAM,
  UnknownEventTypeError,
  UnsupportedEventRevisionError,
  UpcastError,
  type EventEnvelope,
  type EventRegistration,
} from '../lib/index.js';
import type { EventSerializer } from '../lib/serialization/interfaces/event-serializer.interface.js';
import { testClientConfig } from './support/dynamodb.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';

// One event type across three releases of an app: revision 1 had `owner`, revision 2 added
// `currency`, revision 3 split `owner` into `holder: { name }`. Each release has its own class.
class OpenedV1 {
  constructor(
    readonly accountId: string,
    readonly owner: string,
  ) {}
}
class OpenedV2 {
  constructor(
    readonly accountId: string,
    readonly owner: string,
    readonly currency: string,
  ) {}
}
class OpenedV3 {
  constructor(
    readonly accountId: string,
    readonly holder: { name: string },
    readonly currency: string,
  ) {}
  describe(): string {
    return `${this.holder.name} (${this.currency})`;
  }
}

const upcasterCalls: string[] = [];
const v1To2 = (data: Record<string, unknown>) => (upcasterCalls.push('1->2'), { ...data, currency: 'EUR' });
const v2To3 = ({ owner, ...rest }: Record<string, unknown>) => (upcasterCalls.push('2->3'), { ...rest, holder: { name: owner } });

const RELEASE_1: EventRegistration[] = [{ name: 'bank.account-opened', type: OpenedV1 }];
const RELEASE_2: EventRegistration[] = [{ name: 'bank.account-opened', type: OpenedV2, revision: 2, upcasters: { 1: v1To2 } }];
const RELEASE_3: EventRegistration[] = [{ name: 'bank.account-opened', type: OpenedV3, revision: 3, upcasters: { 1: v1To2, 2: v2To3 } }];

// A rename: `shop.order-placed` (class OrderPlaced) became `sales.order-submitted` (class OrderSubmitted).
class OrderPlaced {
  constructor(readonly orderId: string) {}
}
// Registered by name, not @EventType: a decorated class is known to every app of this process, and
// the tests below need an app (an older release) that does not know it.
class OrderSubmitted {
  constructor(readonly orderId: string) {}
}

const ORDER_SUBMITTED: EventRegistration = { name: 'sales.order-submitted', type: OrderSubmitted, aliases: ['shop.order-placed'] };

// Plain JSON would turn the Date into a string and the Map into {}: a serializer keeps them.
class PriceListPublished {
  constructor(
    readonly listId: string,
    readonly effectiveFrom: Date,
    readonly prices: Map<string, number>,
  ) {}
}
const priceListSerializer: EventSerializer<PriceListPublished, { listId: string; effectiveFrom: string; prices: Array<[string, number]> }> = {
  serialize: (event) => ({ listId: event.listId, effectiveFrom: event.effectiveFrom.toISOString(), prices: [...event.prices] }),
  deserialize: (data) => new PriceListPublished(data.listId, new Date(data.effectiveFrom), new Map(data.prices)),
};

describe('serialization and upcasting', () => {
  let release1: EventStoreApp; // owns the table
  let release2: EventStoreApp;
  let release3: EventStoreApp;
  let client: DynamoDBClient;
  let streams = 0;
  const newStream = () => `ser-${++streams}-${Date.now()}`;
  /** Another app instance on the same table with other registrations (closed by the test, never deleting the table). */
  const appWith = (label: string, events: EventRegistration[]) =>
    createEventStoreApp(label, { tables: { events: release1.tableName }, tableSetup: 'none', events });
  const storedEntries = async (streamId: string, version: number) => {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: release1.tableName, Key: { streamId: { S: streamId }, version: { N: String(version) } }, ConsistentRead: true }),
    );
    return { events: Item!.events!.S!, metadata: Item!.metadata?.S };
  };

  beforeAll(async () => {
    client = new DynamoDBClient(testClientConfig());
    release1 = await createEventStoreApp('serialization', { events: RELEASE_1 });
    release2 = await appWith('serialization-r2', RELEASE_2);
    release3 = await appWith('serialization-r3', RELEASE_3);
  });
  afterAll(async () => {
    await release3.module.close();
    await release2.module.close();
    await release1.close();
    client.destroy();
  });

  describe('revisions', () => {
    it('stores revision 1 without a "rev" and later revisions with it', async () => {
      const stream = newStream();
      await release1.store.append(stream, [new OpenedV1('a-1', 'ann')], { expectedVersion: NO_STREAM });
      await release2.store.append(stream, [new OpenedV2('a-1', 'ann', 'USD')], { expectedVersion: 1 });
      expect((await storedEntries(stream, 1)).events).toBe('[{"type":"bank.account-opened","data":{"accountId":"a-1","owner":"ann"}}]');
      expect((await storedEntries(stream, 2)).events).toBe('[{"type":"bank.account-opened","rev":2,"data":{"accountId":"a-1","owner":"ann","currency":"USD"}}]');
    });

    it('upcasts events stored at revisions 1 and 2 step by step to the class at revision 3, and only those', async () => {
      const stream = newStream();
      await release1.store.append(stream, [new OpenedV1('a-2', 'ann'), new OpenedV1('a-2', 'ann again')], { expectedVersion: NO_STREAM });
      await release2.store.append(stream, [new OpenedV2('a-2', 'bob', 'USD')], { expectedVersion: 2 });
      await release3.store.append(stream, [new OpenedV3('a-2', { name: 'cy' }, 'GBP')], { expectedVersion: 3 });

      upcasterCalls.length = 0;
      const read = await collect(release3.store.read<OpenedV3>(stream));
      expect(upcasterCalls).toEqual(['1->2', '2->3', '1->2', '2->3', '2->3']); // nothing for the revision-3 event
      expect(read.map((e) => e.event)).toEqual([
        new OpenedV3('a-2', { name: 'ann' }, 'EUR'),
        new OpenedV3('a-2', { name: 'ann again' }, 'EUR'),
        new OpenedV3('a-2', { name: 'bob' }, 'USD'),
        new OpenedV3('a-2', { name: 'cy' }, 'GBP'),
      ]);
      expect(read.every((e) => e.event instanceof OpenedV3)).toBe(true);
      expect(read[2]!.event.describe()).toBe('bob (USD)');
      expect(read.map((e) => e.eventType)).toEqual(Array(4).fill('bank.account-opened'));

      // Backward reads upcast the same way.
      const backward = await collect(release3.store.read<OpenedV3>(stream, { direction: 'backward' }));
      expect(backward.map((e) => e.event)).toEqual([...read.map((e) => e.event)].reverse());
    });

    it('refuses to read an event stored at a newer revision than the class, naming type, revisions, stream and version', async () => {
      const stream = newStream();
      await release1.store.append(stream, [new OpenedV1('a-3', 'ann')], { expectedVersion: NO_STREAM });
      await release3.store.append(stream, [new OpenedV3('a-3', { name: 'ann' }, 'EUR')], { expectedVersion: 1 });
      const error = await collect(release1.store.read(stream)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedEventRevisionError);
      expect(error).toMatchObject({
        code: 'UNSUPPORTED_EVENT_REVISION',
        eventType: 'bank.account-opened',
        storedRevision: 3,
        currentRevision: 1,
        streamId: stream,
        version: 2,
      });
      // What release 1 can read, it reads.
      expect((await collect(release1.store.read(stream, { toVersion: 1 }))).map((e) => e.event)).toEqual([new OpenedV1('a-3', 'ann')]);
    });

    it('turns an upcaster that throws into an UpcastError naming type, revision, stream and version', async () => {
      const stream = newStream();
      await release1.store.append(stream, [new OpenedV1('a-4', 'ann')], { expectedVersion: NO_STREAM });
      await release1.store.append(stream, [new OpenedV1('a-4', '')], { expectedVersion: 1 });
      const cause = new Error('an account needs an owner');
      const strict = await appWith('serialization-strict', [
        {
          name: 'bank.account-opened',
          type: OpenedV2,
          revision: 2,
          upcasters: {
            1: (data) => {
              if (!data.owner) throw cause;
              return { ...data, currency: 'EUR' };
            },
          },
        },
      ]);
      try {
        const seen: EventEnvelope[] = [];
        const error = await (async () => {
          for await (const envelope of strict.store.read(stream)) seen.push(envelope);
        })().catch((e: unknown) => e);
        expect(seen.map((e) => e.event)).toEqual([new OpenedV2('a-4', 'ann', 'EUR')]);
        expect(error).toBeInstanceOf(UpcastError);
        expect(error).toMatchObject({ code: 'UPCAST_FAILED', eventType: 'bank.account-opened', fromRevision: 1, streamId: stream, version: 2, cause });
        expect((error as Error).message).toContain(`"bank.account-opened" (stream "${stream}", version 2) from revision 1 to 2 failed`);
      } finally {
        await strict.module.close();
      }
    });

    it('refuses at start-up a revision with a gap in its upcasters', async () => {
      await expect(appWith('serialization-gap', [{ name: 'bank.account-opened', type: OpenedV3, revision: 3, upcasters: { 2: v2To3 } }])).rejects.toThrow(
        InvalidModuleOptionsError,
      );
      await expect(appWith('serialization-gap', [{ name: 'bank.account-opened', type: OpenedV3, revision: 3, upcasters: { 2: v2To3 } }])).rejects.toThrow(
        /no upcaster from revision 1 to 2.*class OpenedV3/,
      );
    });
  });

  describe('type names', () => {
    it('refuses at start-up a class registered without a stable name', async () => {
      await expect(appWith('serialization-unnamed', [OpenedV1])).rejects.toThrow(/class OpenedV1 without a stable type name\. Decorate it with @EventType/);
    });

    it('reads events stored under a former name as the renamed class, and stores the new name', async () => {
      const stream = newStream();
      const before = await appWith('serialization-before-rename', [{ name: 'shop.order-placed', type: OrderPlaced }]);
      const after = await appWith('serialization-after-rename', [ORDER_SUBMITTED]);
      try {
        await before.store.append(stream, [new OrderPlaced('o-1')], { expectedVersion: NO_STREAM });
        await after.store.append(stream, [new OrderSubmitted('o-2')], { expectedVersion: 1 });
        const read = await collect(after.store.read(stream));
        expect(read.map((e) => [e.eventType, e.event])).toEqual([
          ['sales.order-submitted', new OrderSubmitted('o-1')],
          ['sales.order-submitted', new OrderSubmitted('o-2')],
        ]);
        expect(read[0]!.event).toBeInstanceOf(OrderSubmitted);
        expect((await storedEntries(stream, 2)).events).toBe('[{"type":"sales.order-submitted","data":{"orderId":"o-2"}}]');
        // The old release does not know the new name.
        const error = await collect(before.store.read(stream)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnknownEventTypeError);
        expect(error).toMatchObject({ code: 'UNKNOWN_EVENT_TYPE', eventType: 'sales.order-submitted', streamId: stream, version: 2 });
      } finally {
        await after.module.close();
        await before.module.close();
      }
    });

    it('names a stored type that has no registered class', async () => {
      const stream = newStream();
      await release1.store.append(stream, [new OpenedV1('a-5', 'ann')], { expectedVersion: NO_STREAM });
      const unaware = await appWith('serialization-unaware', [ORDER_SUBMITTED]);
      try {
        await expect(collect(unaware.store.read(stream))).rejects.toThrow(
          new UnknownEventTypeError('bank.account-opened', stream, 1),
        );
      } finally {
        await unaware.module.close();
      }
    });
  });

  describe('custom serializers', () => {
    let app: EventStoreApp;
    let cold: EventStoreApp; // never saw the appended instances
    const registrations: EventRegistration[] = [{ name: 'pricing.list-published', type: PriceListPublished, serializer: priceListSerializer }];

    beforeAll(async () => {
      app = await appWith('serialization-serializer', registrations);
      cold = await appWith('serialization-serializer-cold', registrations);
    });
    afterAll(async () => {
      await cold.module.close();
      await app.module.close();
    });

    it('round-trips Dates and Maps through DynamoDB', async () => {
      const stream = newStream();
      const published = new PriceListPublished('pl-1', new Date('2026-07-01T00:00:00.000Z'), new Map([['sku-1', 9.99], ['sku-2', 20]]));
      const result = await app.store.append(stream, [published], { expectedVersion: NO_STREAM });
      expect(result.envelopes[0]!.event).toBe(published);
      expect((await storedEntries(stream, 1)).events).toBe(
        '[{"type":"pricing.list-published","data":{"listId":"pl-1","effectiveFrom":"2026-07-01T00:00:00.000Z","prices":[["sku-1",9.99],["sku-2",20]]}}]',
      );

      const [read] = await collect(cold.store.read<PriceListPublished>(stream));
      expect(read!.event).toBeInstanceOf(PriceListPublished);
      expect(read!.event.effectiveFrom).toBeInstanceOf(Date);
      expect(read!.event.effectiveFrom.getTime()).toBe(published.effectiveFrom.getTime());
      expect(read!.event.prices).toBeInstanceOf(Map);
      expect([...read!.event.prices]).toEqual([...published.prices]);
    });

    it('turns a deserialize() that throws into an EventDeserializationError naming the stream and version', async () => {
      const stream = newStream();
      await app.store.append(stream, [new PriceListPublished('pl-2', new Date(0), new Map())], { expectedVersion: NO_STREAM });
      const broken = await appWith('serialization-broken', [
        { name: 'pricing.list-published', type: PriceListPublished, serializer: { serialize: priceListSerializer.serialize, deserialize: () => { throw new Error('bad price'); } } },
      ]);
      try {
        const error = await collect(broken.store.read(stream)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EventDeserializationError);
        expect(error).toMatchObject({
          code: 'EVENT_DESERIALIZATION_FAILED',
          eventType: 'pricing.list-published',
          streamId: stream,
          version: 1,
        });
      } finally {
        await broken.module.close();
      }
    });
  });
});

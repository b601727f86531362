import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteItemCommand, DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import {
  DataSubject,
  DynamoEventSourcingModule,
  EventStore,
  EventType,
  everyNEvents,
  FEED_START,
  getAggregateRepositoryToken,
  InvalidArgumentError,
  InvalidModuleOptionsError,
  NO_STREAM,
  PersonalData,
  PersonalDataDisabledError,
  PersonalDataKeyMissingError,
  REDACTED,
  SubjectForgottenError,
  type AggregateRepository,
  type DynamoEventSourcingModuleOptions,
  type EventEnvelope,
} from '../lib/index.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { collect, feedIndexed } from './support/event-store-app.js';

@EventType('pd.customer-registered')
class CustomerRegistered {
  @DataSubject() readonly customerId: string;
  @PersonalData() readonly email: string;
  @PersonalData() readonly address: { street: string; zip: number };
  @PersonalData() readonly birthDate?: Date;
  readonly plan: string;

  constructor(customerId: string, email: string, address: { street: string; zip: number }, plan: string, birthDate?: Date) {
    this.customerId = customerId;
    this.email = email;
    this.address = address;
    this.plan = plan;
    this.birthDate = birthDate;
  }
}

/** Declared in the module's options (personalData.types), with a nested subject and a nested field. */
@EventType('pd.order-placed')
class OrderPlaced {
  constructor(
    readonly orderId: string,
    readonly customer: { id: string; name: string },
    readonly total: number,
  ) {}
}

@EventType('pd.no-subject')
class NewsletterSubscribed {
  @PersonalData() readonly email: string;
  constructor(email: string) {
    this.email = email;
  }
}

/** Stores a client's JSON as it came: nothing personal is declared in it. */
@EventType('pd.webhook-received')
class WebhookReceived {
  constructor(
    readonly source: string,
    readonly payload: unknown,
  ) {}
}

@EventType('pd.ticket-opened')
class TicketOpened {
  @DataSubject() readonly customerId: string;
  @PersonalData() readonly email: string;
  readonly payload: unknown;
  constructor(customerId: string, email: string, payload: unknown) {
    this.customerId = customerId;
    this.email = email;
    this.payload = payload;
  }
}

class Customer extends AggregateRoot {
  email = '';
  plan = '';
  constructor(readonly id: string) {
    super();
  }
  register(email: string): void {
    this.apply(new CustomerRegistered(this.id, email, { street: 'Main St 1', zip: 1000 }, 'gold'));
  }
  onCustomerRegistered(event: CustomerRegistered): void {
    this.email = event.email;
    this.plan = event.plan;
  }
}

const ANN = 'ann@example.com';
const STREET = 'Rue des Secrets 7';
const NAME = 'Ann Example';
const localKey = randomBytes(32).toString('base64');

interface App {
  module: TestingModule;
  store: EventStore;
  customers: AggregateRepository<Customer>;
}

describe('Crypto-shredding (DynamoDB Local)', () => {
  const tables = { events: uniqueTableName('pd-ev'), snapshots: uniqueTableName('pd-snap'), keys: uniqueTableName('pd-keys') };
  const client = new DynamoDBClient(testClientConfig());
  const apps: App[] = [];
  let first: App;
  let second: App;

  const options = (extra: Partial<DynamoEventSourcingModuleOptions> = {}): DynamoEventSourcingModuleOptions => ({
    clientConfig: testClientConfig(),
    tableSetup: 'create',
    tables: { events: tables.events, snapshots: tables.snapshots },
    snapshots: {},
    feed: {},
    personalData: {
      keysTable: tables.keys,
      wrapping: { localKey },
      types: { 'pd.order-placed': { subject: 'customer.id', fields: ['customer.name'] } },
    },
    ...extra,
  });

  async function createApp(extra: Partial<DynamoEventSourcingModuleOptions> = {}): Promise<App> {
    const module = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot(options(extra)),
        DynamoEventSourcingModule.forFeature({
          aggregates: [{ type: Customer, name: 'customer', snapshots: { policy: everyNEvents(1), subject: (state) => state.id as string } }],
        }),
      ],
    }).compile();
    await module.init();
    const app = { module, store: module.get(EventStore), customers: module.get<AggregateRepository<Customer>>(getAggregateRepositoryToken(Customer)) };
    apps.push(app);
    return app;
  }

  /** Every item of a table, as one JSON text: what an attacker with a table export would see. */
  async function rawText(tableName: string): Promise<string> {
    const items: Array<Record<string, AttributeValue>> = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return JSON.stringify(items, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value));
  }

  const events = async (store: EventStore, streamId: string) => (await collect(store.read(streamId))).map((envelope: EventEnvelope) => envelope.event);

  beforeAll(async () => {
    first = await createApp();
    second = await createApp(); // another process: its own key cache
  });

  afterAll(async () => {
    for (const app of apps) await app.module.close();
    client.destroy();
    await deleteTables(tables.events, tables.snapshots, tables.keys);
  });

  it('stores personal fields sealed, reads them back plain, and recognizes a retried append (byte-identical)', async () => {
    const birthDate = new Date('1990-02-03T00:00:00.000Z');
    const registered = new CustomerRegistered('c-1', ANN, { street: STREET, zip: 75002 }, 'gold', birthDate);
    const result = await first.store.append('customer-c1', [registered, new OrderPlaced('o-1', { id: 'c-1', name: NAME }, 42)], { expectedVersion: NO_STREAM, commitId: 'register-c1' });
    const retried = await first.store.append('customer-c1', [registered, new OrderPlaced('o-1', { id: 'c-1', name: NAME }, 42)], { expectedVersion: NO_STREAM, commitId: 'register-c1' });
    expect(retried).toMatchObject({ duplicate: true, version: result.version });

    for (const app of [first, second]) {
      const [customer, order] = await events(app.store, 'customer-c1');
      expect(customer).toBeInstanceOf(CustomerRegistered);
      expect(customer).toMatchObject({ customerId: 'c-1', email: ANN, address: { street: STREET, zip: 75002 }, plan: 'gold' });
      expect((customer as CustomerRegistered).birthDate).toEqual(birthDate);
      expect(order).toMatchObject({ orderId: 'o-1', customer: { id: 'c-1', name: NAME }, total: 42 });
    }

    const raw = await rawText(tables.events);
    for (const plaintext of [ANN, STREET, '75002', NAME, '1990-02-03']) expect(raw).not.toContain(plaintext);
    expect(raw).toContain('gold'); // not personal: stored as it was
    expect(raw).toMatch(/\{\\"\$pd\\":1,\\"s\\":\\"c-1\\",\\"c\\":\\"[A-Za-z0-9_-]+\\"\}/);
    // The keys table holds a wrapped key, never a plain one.
    expect(await rawText(tables.keys)).toContain('"wrappedBy":{"S":"local:');
  });

  it('forgets a subject: its fields read as REDACTED in every process, the feed and aggregates, and nothing is stored in clear', async () => {
    const customer = new Customer('c-2');
    customer.register('bob@example.com');
    await first.customers.save(customer); // and a snapshot, sealed whole (everyNEvents(1))
    await first.store.append('orders-c2', [new OrderPlaced('o-2', { id: 'c-2', name: 'Bob Example' }, 7)], { expectedVersion: NO_STREAM });
    expect(await rawText(tables.snapshots)).not.toContain('bob@example.com');
    // The second process reads first: its key cache is warm.
    expect(await events(second.store, 'customer-c-2')).toMatchObject([{ email: 'bob@example.com' }]);
    expect((await second.customers.load('c-2'))?.email).toBe('bob@example.com');

    const report = await first.store.forgetSubject('c-2');
    expect(report).toMatchObject({ operation: 'subject.forget', subject: 'c-2', actions: [{ what: 'data-key-deleted', where: tables.keys, count: 1 }, { what: 'fields-unreadable' }] });
    expect(report.notes.join(' ')).toMatch(/Backups/);
    // It says what it made unreadable, and what it cannot reach: snapshots stored in clear, read models.
    expect(report.actions[1]).toMatchObject({ where: tables.events, detail: expect.stringMatching(/snapshots sealed under this subject/) });
    expect(report.notes.join(' ')).toMatch(/aggregates registered without snapshots\.subject are stored in clear/);
    expect(report.notes.join(' ')).toMatch(/Read models/);

    for (const app of [first, second]) {
      expect(await events(app.store, 'customer-c-2')).toMatchObject([{ customerId: 'c-2', email: REDACTED, address: REDACTED, plan: 'gold' }]);
      expect(await events(app.store, 'orders-c2')).toMatchObject([{ customer: { id: 'c-2', name: REDACTED }, total: 7 }]);
      // The snapshot cannot be opened any more: the aggregate loads from its (redacted) events.
      expect(await app.customers.load('c-2')).toMatchObject({ id: 'c-2', email: REDACTED, plan: 'gold' });
    }
    // Another subject is untouched.
    expect(await events(second.store, 'customer-c1')).toMatchObject([{ email: ANN }, { customer: { name: NAME } }]);

    // The feed (what a projection rebuilt now reads): redacted too.
    await feedIndexed(tables.events);
    const fed: object[] = [];
    await second.store.replayAll(({ event }) => void fed.push(event), { from: FEED_START, pageSize: 100 });
    expect(fed).toContainEqual(expect.objectContaining({ customerId: 'c-2', email: REDACTED }));
    expect(fed).toContainEqual(expect.objectContaining({ customerId: 'c-1', email: ANN }));

    const raw = await rawText(tables.events);
    for (const plaintext of ['bob@example.com', 'Bob Example', ANN]) expect(raw).not.toContain(plaintext);
    const keys = await rawText(tables.keys);
    expect(keys).toMatch(/"subjectId":\{"S":"c-2"\}/);
    expect(keys).toMatch(/"forgottenAt"/);

    // Nothing new can be sealed for a forgotten subject.
    await expect(second.store.append('customer-c-2', [new CustomerRegistered('c-2', 'again@example.com', { street: 'x', zip: 1 }, 'gold')], { expectedVersion: 1 })).rejects.toBeInstanceOf(SubjectForgottenError);
    expect(await events(first.store, 'customer-c-2')).toHaveLength(1);
    // Forgetting again is harmless.
    expect((await first.store.forgetSubject('c-2')).actions[0]).toMatchObject({ count: 0, detail: 'the subject was forgotten already' });
  });

  it('opens only declared personal fields: client JSON shaped like a sealed value is stored and read back as it is, with and without personalData', async () => {
    // Look-alikes naming a subject without a key, one about to be forgotten, and one with a key.
    const payload = { top: { $pd: 1, s: 'nobody', c: 'AA' }, list: [{ $pd: 1, s: 'c-t', c: 'AAAA' }], deep: { x: { $pd: 1, s: 'c-1', c: 'Zm9v' } } };
    await first.store.append('hook-1', [new WebhookReceived('crm', payload)], { expectedVersion: NO_STREAM });
    await first.store.append('hook-2', [new TicketOpened('c-t', 'tess@example.com', payload)], { expectedVersion: NO_STREAM });
    expect(await rawText(tables.events)).not.toContain('tess@example.com');
    expect(await events(second.store, 'hook-1')).toEqual([new WebhookReceived('crm', payload)]);
    expect(await events(second.store, 'hook-2')).toEqual([new TicketOpened('c-t', 'tess@example.com', payload)]); // the declared field still opens
    await first.store.forgetSubject('c-t');
    expect(await events(second.store, 'hook-2')).toEqual([new TicketOpened('c-t', REDACTED, payload)]);

    const module = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), DynamoEventSourcingModule.forRoot(options({ personalData: undefined, feed: { indexer: false } }))],
    }).compile();
    await module.init();
    try {
      const plain = module.get(EventStore); // no personalData: nothing is ever opened
      await plain.append('hook-3', [new WebhookReceived('erp', payload)], { expectedVersion: NO_STREAM });
      expect(await events(plain, 'hook-1')).toEqual([new WebhookReceived('crm', payload)]);
      expect(await events(first.store, 'hook-3')).toEqual([new WebhookReceived('erp', payload)]);

      await feedIndexed(tables.events);
      for (const store of [first.store, plain]) {
        const fed: object[] = [];
        await store.replayAll(({ event }) => void fed.push(event), { from: FEED_START, pageSize: 100, streamPrefix: 'hook-', eventTypes: [WebhookReceived] });
        expect(fed).toEqual([new WebhookReceived('crm', payload), new WebhookReceived('erp', payload)]);
      }
      const fed: object[] = [];
      await first.store.replayAll(({ event }) => void fed.push(event), { from: FEED_START, pageSize: 100, streamPrefix: 'hook-2' });
      expect(fed).toEqual([new TicketOpened('c-t', REDACTED, payload)]);
    } finally {
      await module.close();
    }
  });

  it('refuses to pass a lost key off as an erasure: PersonalDataKeyMissingError', async () => {
    await first.store.append('customer-c3', [new CustomerRegistered('c-3', 'cy@example.com', { street: 'y', zip: 2 }, 'basic')], { expectedVersion: NO_STREAM });
    await client.send(new DeleteItemCommand({ TableName: tables.keys, Key: { subjectId: { S: 'c-3' } } }));
    for (const app of [first, second]) {
      const error = await collect(app.store.read('customer-c3')).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PersonalDataKeyMissingError);
      expect(error).toMatchObject({ code: 'PERSONAL_DATA_KEY_MISSING', subjectId: 'c-3', keysTable: tables.keys });
    }
  });

  it('refuses bad input before anything is written', async () => {
    for (const subjectId of ['', '   ', 42, undefined]) {
      await expect(first.store.forgetSubject(subjectId as string)).rejects.toMatchObject({ code: 'INVALID_SUBJECT_ID' });
    }
    // A personal field, but no subject: the class is named.
    const noSubject = first.store.append('newsletter-1', [new NewsletterSubscribed('n@example.com')], { expectedVersion: NO_STREAM });
    await expect(noSubject).rejects.toBeInstanceOf(InvalidModuleOptionsError);
    await expect(noSubject).rejects.toThrow(/class NewsletterSubscribed \("pd.no-subject"\) has personal data \(email\) but no data subject/);
    // An event whose subject id is empty.
    const emptySubject = first.store.append('customer-empty', [new CustomerRegistered('', 'e@example.com', { street: 'z', zip: 3 }, 'basic')], { expectedVersion: NO_STREAM });
    await expect(emptySubject).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(emptySubject).rejects.toMatchObject({ code: 'INVALID_SUBJECT_ID' });
    expect(await collect(first.store.read('newsletter-1'))).toEqual([]);
    expect(await collect(first.store.read('customer-empty'))).toEqual([]);

    // Bad options, at start-up.
    const bad = [
      { keysTable: tables.keys, wrapping: { localKey: randomBytes(16).toString('base64') } },
      { keysTable: tables.keys, wrapping: { localKey: 'not base64!' } },
      { keysTable: tables.keys, wrapping: { kmsKeyId: '' } },
      { keysTable: tables.keys, wrapping: { kmsKeyId: 'alias/x', localKey } },
      { keysTable: tables.events, wrapping: { localKey } },
      { keysTable: tables.keys, wrapping: { localKey }, types: { 'pd.x': { subject: 'id', fields: [] } } },
      { keysTable: tables.keys, wrapping: { localKey }, types: { 'pd.x': { subject: 'id', fields: ['id'] } } },
      { keysTable: tables.keys, wrapping: { localKey }, colour: 'red' },
    ];
    for (const personalData of bad) {
      await expect(
        Test.createTestingModule({ imports: [CqrsModule.forRoot(), DynamoEventSourcingModule.forRoot(options({ personalData: personalData as never }))] }).compile(),
      ).rejects.toBeInstanceOf(InvalidModuleOptionsError);
    }
  });

  it('without the personalData option: forgetSubject and appends of personal data are refused (never stored in clear)', async () => {
    const module = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), DynamoEventSourcingModule.forRoot(options({ personalData: undefined, feed: { indexer: false } }))],
    }).compile();
    await module.init();
    try {
      const store = module.get(EventStore);
      await expect(store.forgetSubject('c-1')).rejects.toBeInstanceOf(PersonalDataDisabledError);
      await expect(store.append('customer-c9', [new CustomerRegistered('c-9', 'x@example.com', { street: 'q', zip: 4 }, 'basic')], { expectedVersion: NO_STREAM })).rejects.toBeInstanceOf(
        PersonalDataDisabledError,
      );
      // Sealed events cannot be read without the keys: refused, not handed out as markers.
      await expect(collect(store.read('customer-c1'))).rejects.toBeInstanceOf(PersonalDataDisabledError);
      expect(await collect(first.store.read('customer-c9'))).toEqual([]);
    } finally {
      await module.close();
    }
  });
});

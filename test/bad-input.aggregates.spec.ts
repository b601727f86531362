import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  DynamoEventSourcingModule,
  EventNotSerializableError,
  EventStore,
  EventStoreError,
  EventStoreErrorCode,
  getAggregateRepositoryToken,
  InvalidArgumentError,
  type AggregateRepository,
} from '../lib/index.js';
import { InMemoryEventSourcingModule } from '../lib/testing/index.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { collect } from './support/event-store-app.js';
import { RequestTap } from './support/fault-injection.js';

class Deposited {
  constructor(readonly walletId: string, readonly cents: number) {}
}
const EVENTS = [{ name: 'bad-save.deposited', type: Deposited }];

class Wallet extends AggregateRoot {
  constructor(readonly id: string) {
    super();
  }
  deposit(cents: number, extra: object = {}): this {
    this.apply(Object.assign(new Deposited(this.id, cents), extra));
    return this;
  }
}

/** A wallet with one uncommitted deposit, under an id no other case uses. */
let next = 0;
const wallet = () => new Wallet(`w${Date.now()}-${next++}`).deposit(5);

const { INVALID_APPEND_OPTIONS, INVALID_COMMIT_ID, INVALID_METADATA, INVALID_STREAM_ID, INVALID_EVENT } = EventStoreErrorCode;

/**
 * [what is passed, the save (given the repository and a wallet), the typed error, its code
 * (undefined: the repository's to choose), what the message says].
 */
const saves: Array<[string, (wallets: AggregateRepository<Wallet>, aggregate: Wallet) => Promise<unknown>, Function, string | undefined, RegExp]> = [
  ['null as the aggregate', (r) => r.save(null as never), EventStoreError, undefined, /Wallet/],
  ['a plain object as the aggregate', (r) => r.save({ id: 'w-1' } as never), EventStoreError, undefined, /Wallet/],
  ['null as the save options', (r, w) => r.save(w, null as never), InvalidArgumentError, INVALID_APPEND_OPTIONS, /got null/],
  ['a string as the save options', (r, w) => r.save(w, 'c-1' as never), InvalidArgumentError, INVALID_APPEND_OPTIONS, /got "c-1"/],
  ['a misspelt save option (commitID)', (r, w) => r.save(w, { commitID: 'c-1' } as never), InvalidArgumentError, INVALID_APPEND_OPTIONS, /"commitID"/],
  ['an expected version among the save options', (r, w) => r.save(w, { expectedVersion: 'any' } as never), InvalidArgumentError, INVALID_APPEND_OPTIONS, /"expectedVersion"/],
  ['a commit id that is not a string', (r, w) => r.save(w, { commitId: 7 as never }), InvalidArgumentError, INVALID_COMMIT_ID, /got 7/],
  ['metadata that is a Date', (r, w) => r.save(w, { metadata: new Date() as never }), InvalidArgumentError, INVALID_METADATA, /instance of Date/],
  ['an id with a lone surrogate', (r) => r.save(new Wallet('w-\uD800').deposit(1)), InvalidArgumentError, INVALID_STREAM_ID, /lone surrogate/],
  ['uncommitted events with a hole', (r, w) => {
    const events = [...w.getUncommittedEvents()];
    w.getUncommittedEvents = () => [events[0]!, , events[0]!] as never; // an implementation handing out a sparse copy
    return r.save(w);
  }, InvalidArgumentError, INVALID_EVENT, /Event #1/],
  ['an event holding a BigInt', (r, w) => r.save(w.deposit(1, { big: 1n })), EventNotSerializableError, 'EVENT_NOT_SERIALIZABLE', /\$\.big is a BigInt/],
];

/** The same app on DynamoDB Local (with a RequestTap on its client) and in memory: both build repositories through forFeature. */
describe.each(['DynamoDB', 'in memory'] as const)('AggregateRepository.save with bad input (%s)', (backend) => {
  const table = uniqueTableName('bad-save');
  const client = new DynamoDBClient(testClientConfig());
  const tap = new RequestTap(client);
  let module: TestingModule;
  let wallets: AggregateRepository<Wallet>;
  let store: EventStore;

  beforeAll(async () => {
    const root =
      backend === 'DynamoDB' ? DynamoEventSourcingModule.forRoot({ client, tableSetup: 'create', tables: { events: table } }) : InMemoryEventSourcingModule.forRoot();
    module = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), root, DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Wallet, name: 'wallet' }], events: EVENTS })],
    }).compile();
    await module.init();
    wallets = module.get(getAggregateRepositoryToken(Wallet));
    store = module.get(EventStore);
  });
  beforeEach(() => tap.reset());
  afterAll(async () => {
    await module.close();
    client.destroy();
    if (backend === 'DynamoDB') await deleteTables(table);
  });

  it.each(saves)('%s is a typed error; no request sent, nothing stored, the events stay uncommitted', async (_label, save, type, code, message) => {
    const aggregate = wallet();
    const failure = save(wallets, aggregate);
    await expect(failure).rejects.toBeInstanceOf(type);
    await expect(failure).rejects.toMatchObject({ ...(code === undefined ? {} : { code }), message: expect.stringMatching(message) });
    expect(tap.sent).toEqual([]);
    expect(await collect(store.read(`wallet-${aggregate.id}`))).toEqual([]);
    expect(aggregate.getUncommittedEvents()).not.toHaveLength(0);
  });
});

import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  AggregateRepository,
  DynamoEventSourcingModule,
  EventStoreErrorCode,
  getAggregateRepositoryToken,
  InvalidArgumentError,
  InvalidModuleOptionsError,
  type AggregateRegistration,
} from '../lib/index.js';
import { InMemoryEventSourcingModule } from '../lib/testing/index.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { RequestTap } from './support/fault-injection.js';

class LedgerOpened {
  constructor(readonly ledgerId: string) {}
}
class EntryPosted {
  constructor(readonly ledgerId: string, readonly cents: number) {}
}
const EVENTS = [
  { name: 'ids.ledger-opened', type: LedgerOpened },
  { name: 'ids.entry-posted', type: EntryPosted },
];

/** Keeps the id it is built with as `ledgerId`, and has no `id`: without idOf, every save would go to "ledger-undefined". */
class Ledger extends AggregateRoot {
  total = 0;
  constructor(readonly ledgerId: string) {
    super();
  }
  open(): void {
    this.apply(new LedgerOpened(this.ledgerId));
  }
  post(cents: number): void {
    this.apply(new EntryPosted(this.ledgerId, cents));
  }
  onEntryPosted(event: EntryPosted): void {
    this.total += event.cents;
  }
}

/**
 * Keeps its id as `journalId`, learnt from its first event, and has no `id` (nor idOf): the mistake
 * that used to save to "journal-undefined". Nothing at start-up can tell (its constructor takes no id).
 */
class Journal extends AggregateRoot {
  journalId?: string;
  open(id: string): void {
    this.apply(new LedgerOpened(id));
  }
  onLedgerOpened(event: LedgerOpened): void {
    this.journalId = event.ledgerId;
  }
}

/** Has an `id`, whose value the app may change (a bug the repository must not turn into a write elsewhere). */
class Account extends AggregateRoot {
  constructor(public id: string) {
    super();
  }
  post(cents: number): void {
    this.apply(new EntryPosted(this.id, cents));
  }
}

const startApp = async (table: string, aggregates: AggregateRegistration[], tableSetup: 'create' | 'none' = 'create', client?: DynamoDBClient): Promise<TestingModule> => {
  const module = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({ ...(client ? { client } : { clientConfig: testClientConfig() }), tableSetup, tables: { events: table }, feed: { indexer: false } }),
      DynamoEventSourcingModule.forFeature({ aggregates, events: EVENTS }),
    ],
  }).compile();
  await module.init();
  return module;
};

/** Every item of the table, read straight from it. */
async function storedItems(table: string): Promise<Array<Record<string, unknown>>> {
  const client = new DynamoDBClient(testClientConfig());
  try {
    return (await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
  } finally {
    client.destroy();
  }
}

describe('aggregate ids: never a stream named after undefined', () => {
  const table = uniqueTableName('aggregate-ids');
  afterAll(() => deleteTables(table));

  it('refuses at start-up a class that keeps its id under another name and has no idOf, naming idOf and the property', async () => {
    const start = startApp(table, [{ type: Ledger, name: 'ledger' }], 'none');
    await expect(start).rejects.toBeInstanceOf(InvalidModuleOptionsError);
    await expect(start).rejects.toThrow(/`aggregates \(ledger\)\.idOf` is needed: Ledger keeps its id in `ledgerId` and has no `id`.*idOf: \(aggregate\) => aggregate\.ledgerId/);
  });

  it('refuses it the same way in InMemoryEventSourcingModule, which builds repositories through the same forFeature', async () => {
    const start = Test.createTestingModule({
      imports: [CqrsModule.forRoot(), InMemoryEventSourcingModule.forRoot(), DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Ledger, name: 'ledger' }], events: EVENTS })],
    }).compile();
    await expect(start).rejects.toThrow(/`aggregates \(ledger\)\.idOf` is needed/);
  });

  describe('on DynamoDB Local', () => {
    let module: TestingModule;
    let ledgers: AggregateRepository<Ledger>;
    let journals: AggregateRepository<Journal>;
    let accounts: AggregateRepository<Account>;
    let tap: RequestTap;
    const client = new DynamoDBClient(testClientConfig());

    beforeAll(async () => {
      tap = new RequestTap(client);
      module = await startApp(table, [
        { type: Ledger, name: 'ledger', idOf: (ledger: Ledger) => ledger.ledgerId },
        { type: Journal, name: 'journal' },
        { type: Account, name: 'account' },
      ], 'create', client);
      ledgers = module.get(getAggregateRepositoryToken(Ledger));
      journals = module.get(getAggregateRepositoryToken(Journal));
      accounts = module.get(getAggregateRepositoryToken(Account));
    });
    afterAll(async () => {
      await module.close();
      client.destroy();
    });

    it('with idOf, a class that keeps its id as ledgerId saves to and loads from "ledger-<id>"', async () => {
      const ledger = new Ledger('l-1');
      ledger.open();
      ledger.post(250);
      await ledgers.save(ledger);
      expect((await ledgers.load('l-1'))!.total).toBe(250);
      expect((await storedItems(table)).map((item) => (item.streamId as { S: string }).S)).toContain('ledger-l-1');
    });

    it('refuses to save an aggregate whose id is undefined, naming idOf; nothing is written and its events stay uncommitted', async () => {
      const before = await storedItems(table);
      const journal = new Journal();
      journal.open('j-1');
      expect(journal.journalId).toBe('j-1');
      const save = journals.save(journal);
      await expect(save).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(save).rejects.toMatchObject({ code: EventStoreErrorCode.INVALID_AGGREGATE_ID });
      await expect(save).rejects.toThrow(/Cannot save Journal \(aggregate "journal"\): its id, read from its `id` property, is undefined\. .*idOf/);
      expect(journal.getUncommittedEvents()).toHaveLength(1);
      expect(await storedItems(table)).toEqual(before);
      expect(await journals.load('undefined')).toBeNull();
    });

    it('refuses ids that are not non-empty strings from idOf: a number, null, an empty string', async () => {
      const before = await storedItems(table);
      for (const id of [42, null, ''] as unknown[]) {
        const ledger = new Ledger(id as string);
        ledger.open();
        await expect(ledgers.save(ledger)).rejects.toMatchObject({ code: EventStoreErrorCode.INVALID_AGGREGATE_ID, message: expect.stringContaining("read from its registration's idOf") });
      }
      expect(await storedItems(table)).toEqual(before);
    });

    it('refuses to load by an id that is not a non-empty string, before any request', async () => {
      const sent = tap.sent.length;
      for (const id of [undefined, null, '', 7] as unknown[]) {
        await expect(accounts.load(id as string)).rejects.toMatchObject({ code: EventStoreErrorCode.INVALID_AGGREGATE_ID, message: expect.stringContaining('loads by id, a non-empty string') });
      }
      expect(tap.sent.length).toBe(sent);
    });

    it('refuses to save an aggregate under another id than the one it was loaded as: its version belongs to the other stream', async () => {
      const account = new Account('a-1');
      account.post(1);
      await accounts.save(account);
      const loaded = (await accounts.load('a-1'))!;
      loaded.id = 'a-2';
      loaded.post(2);
      await expect(accounts.save(loaded)).rejects.toThrow(/loaded or last saved as stream "account-a-1", but its id now reads "account-a-2"/);
      expect((await storedItems(table)).map((item) => (item.streamId as { S: string }).S)).not.toContain('account-a-2');
    });
  });
});

import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  waitUntilTableExists,
  type StreamViewType,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { createServer } from 'node:net';
import {
  type AggregateRepository,
  DynamoDbUnreachableError,
  getAggregateRepositoryToken,
  DynamoEventSourcingModule,
  eventsTableDefinition,
  EventStore,
  FEED_INDEX,
  InvalidModuleOptionsError,
  NO_STREAM,
  Projection,
  ProjectionHandler,
  RootModuleMissingError,
  TableMismatchError,
  type DynamoEventSourcingModuleOptions,
} from '../lib/index.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { collect } from './support/event-store-app.js';
import { AccountOpened, deposits, TEST_EVENTS } from './support/events.js';

const created: string[] = [];
const tableName = (label: string) => {
  const name = uniqueTableName(label);
  created.push(name);
  return name;
};

async function boot(...dynamoModules: Array<ReturnType<typeof DynamoEventSourcingModule.forRoot>>) {
  const module = await Test.createTestingModule({ imports: [CqrsModule.forRoot(), ...dynamoModules] }).compile();
  await module.init();
  return module;
}

/** Appends and reads through the injected EventStore: proof that the wiring works end to end. */
async function roundTrip(store: EventStore) {
  const stream = `wiring-${Date.now()}-${Math.random()}`;
  await store.append(stream, deposits(stream, 2), { expectedVersion: NO_STREAM });
  expect((await collect(store.read(stream))).map((e) => e.version)).toEqual([1, 2]);
}

@Injectable()
class EventStoreSettings {
  readonly events = tableName('async-factory');
}
@Module({ providers: [EventStoreSettings], exports: [EventStoreSettings] })
class SettingsModule {}

@Injectable()
class OptionsFactory {
  readonly table = tableName('async-class');
  createDynamoEventSourcingOptions(): DynamoEventSourcingModuleOptions {
    return { clientConfig: testClientConfig(), tableSetup: 'create', tables: { events: this.table }, events: TEST_EVENTS };
  }
}
@Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
class OptionsFactoryModule {}

class Wallet extends AggregateRoot {
  constructor(readonly id: string) {
    super();
  }
}

@Projection('wiring-wallets')
class WalletsProjection {
  @ProjectionHandler(AccountOpened)
  on(): void {}
}

/** A feature module of the app's own, as a Nest app splits itself: forFeature inside, forRoot elsewhere (or nowhere). */
@Module({ imports: [DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Wallet, name: 'wallet' }] })] })
class WalletsModule {}

/** A local port nothing listens on: bound, then freed. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('DynamoEventSourcingModule', () => {
  afterAll(() => deleteTables(...created));

  it('forRoot creates the table, waits until it is ACTIVE and provides a working EventStore', async () => {
    const events = tableName('for-root');
    const module = await boot(DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'create', tables: { events }, events: TEST_EVENTS }));
    const client = new DynamoDBClient(testClientConfig());
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: events }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual(eventsTableDefinition(events).KeySchema);
      expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
      expect(Table?.GlobalSecondaryIndexes).toBeUndefined();
      await roundTrip(module.get(EventStore));
    } finally {
      client.destroy();
      await module.close();
    }
  });

  it('forRoot uses a given client and leaves it open on shutdown', async () => {
    const client = new DynamoDBClient(testClientConfig());
    const module = await boot(DynamoEventSourcingModule.forRoot({ client, tableSetup: 'create', tablePrefix: 'es-test-', tables: { events: `prefixed-${Date.now()}` }, events: TEST_EVENTS }));
    await roundTrip(module.get(EventStore));
    await module.close();
    const { TableNames } = await client.send(new ListTablesCommand({}));
    const prefixed = TableNames!.filter((name) => name.startsWith('es-test-prefixed-'));
    expect(prefixed.length).toBeGreaterThan(0);
    created.push(...prefixed);
    client.destroy();
  });

  it('forRootAsync with useFactory, imports and inject', async () => {
    const module = await boot(
      DynamoEventSourcingModule.forRootAsync({
        imports: [SettingsModule],
        inject: [EventStoreSettings],
        useFactory: async (settings: EventStoreSettings) => ({
          clientConfig: testClientConfig(),
          tableSetup: 'create' as const,
          tables: { events: settings.events },
          events: TEST_EVENTS,
        }),
      }),
    );
    await roundTrip(module.get(EventStore));
    await module.close();
  });

  it('forRootAsync with useClass', async () => {
    const module = await boot(DynamoEventSourcingModule.forRootAsync({ useClass: OptionsFactory }));
    await roundTrip(module.get(EventStore));
    await module.close();
  });

  it('forRootAsync with useExisting', async () => {
    const module = await boot(DynamoEventSourcingModule.forRootAsync({ imports: [OptionsFactoryModule], useExisting: OptionsFactory }));
    await roundTrip(module.get(EventStore));
    await module.close();
  });

  it("tableSetup 'verify' fails start-up for a missing table, naming it", async () => {
    const events = tableName('missing');
    const start = boot(DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'verify', tables: { events } }));
    await expect(start).rejects.toBeInstanceOf(TableMismatchError);
    await expect(start).rejects.toThrow(new RegExp(`Table "${events}".*does not exist`));
  });

  it("tableSetup 'verify' fails start-up for a table with other keys, naming the difference", async () => {
    const events = tableName('wrong-keys');
    const client = new DynamoDBClient(testClientConfig());
    try {
      await client.send(
        new CreateTableCommand({
          TableName: events,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: events });
    } finally {
      client.destroy();
    }
    for (const tableSetup of ['verify', 'create'] as const) {
      const start = boot(DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup, tables: { events } }));
      await expect(start).rejects.toThrow(/key schema is \[pk \(HASH, S\), sk \(RANGE, S\)\], expected \[streamId \(HASH, S\), version \(RANGE, N\)\]/);
    }
  });

  describe("the events table's DynamoDB Stream at start-up", () => {
    /** Creates a table with the module's keys, optionally a stream and 0.3's feed GSI, and waits until it is ACTIVE. */
    async function createEventsTable(label: string, { stream, legacyIndex = false }: { stream?: StreamViewType; legacyIndex?: boolean }): Promise<string> {
      const events = tableName(label);
      const definition = eventsTableDefinition(events, { feed: false });
      const client = new DynamoDBClient(testClientConfig());
      try {
        await client.send(
          new CreateTableCommand({
            ...definition,
            ...(stream === undefined ? {} : { StreamSpecification: { StreamEnabled: true, StreamViewType: stream } }),
            ...(legacyIndex
              ? {
                  AttributeDefinitions: [...definition.AttributeDefinitions!, { AttributeName: 'feedShard', AttributeType: 'N' }, { AttributeName: 'committedAt', AttributeType: 'N' }],
                  GlobalSecondaryIndexes: [
                    {
                      IndexName: FEED_INDEX,
                      KeySchema: [
                        { AttributeName: 'feedShard', KeyType: 'HASH' },
                        { AttributeName: 'committedAt', KeyType: 'RANGE' },
                      ],
                      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['lastVersion', 'commitLastVersion'] },
                    },
                  ],
                }
              : {}),
          }),
        );
        await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: events });
      } finally {
        client.destroy();
      }
      return events;
    }

    async function describeEvents(events: string) {
      const client = new DynamoDBClient(testClientConfig());
      try {
        return (await client.send(new DescribeTableCommand({ TableName: events }))).Table!;
      } finally {
        client.destroy();
      }
    }

    const forRoot = (events: string, tableSetup: 'create' | 'verify', feed?: false) =>
      DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup, tables: { events }, events: TEST_EVENTS, ...(feed === false ? { feed } : {}) });

    it("'verify' fails for a table without a stream, naming the fixes; with feed: false it starts", async () => {
      const events = await createEventsTable('no-stream', {});
      const start = boot(forRoot(events, 'verify'));
      await expect(start).rejects.toBeInstanceOf(TableMismatchError);
      await expect(start).rejects.toThrow(/it has no DynamoDB Stream, which the feed reads \(view type NEW_IMAGE\): use tableSetup: 'create'/);
      const module = await boot(forRoot(events, 'verify', false));
      await roundTrip(module.get(EventStore));
      await module.close();
    });

    it("'create' turns the stream on in an existing table without one, and waits for its ARN", async () => {
      const events = await createEventsTable('stream-enabled', {});
      const module = await boot(forRoot(events, 'create'));
      try {
        const table = await describeEvents(events);
        expect(table).toMatchObject({ TableStatus: 'ACTIVE', StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' }, LatestStreamArn: expect.any(String) });
        await roundTrip(module.get(EventStore));
      } finally {
        await module.close();
      }
      // Verified as it is now, by another instance.
      const again = await boot(forRoot(events, 'verify'));
      await again.close();
    });

    it("a table of version 0.3 fails with 'verify' and 'create' alike, naming `feed migrate`, and is left as it was", async () => {
      const events = await createEventsTable('legacy', { legacyIndex: true });
      for (const tableSetup of ['verify', 'create'] as const) {
        const start = boot(forRoot(events, tableSetup));
        await expect(start).rejects.toBeInstanceOf(TableMismatchError);
        await expect(start).rejects.toThrow(/it is a table of version 0\.3 \(it has 0\.3's feed index "feed" and no DynamoDB Stream\): run `nestjs-dynamo-es feed migrate` once/);
      }
      expect((await describeEvents(events)).StreamSpecification?.StreamEnabled).not.toBe(true);
    });

    it("a stream of a view type without the new item fails with 'verify' and 'create' alike, naming the steps; NEW_AND_OLD_IMAGES serves", async () => {
      const keysOnly = await createEventsTable('keys-only', { stream: 'KEYS_ONLY' });
      for (const tableSetup of ['verify', 'create'] as const) {
        const start = boot(forRoot(keysOnly, tableSetup));
        await expect(start).rejects.toBeInstanceOf(TableMismatchError);
        await expect(start).rejects.toThrow(/its DynamoDB Stream has view type KEYS_ONLY, but the feed reads the new item: NEW_IMAGE or NEW_AND_OLD_IMAGES\..*disabling it drops the records it holds.*StreamEnabled=false.*StreamEnabled=true,StreamViewType=NEW_IMAGE/);
      }
      expect((await describeEvents(keysOnly)).StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'KEYS_ONLY' });

      const newAndOld = await createEventsTable('new-and-old', { stream: 'NEW_AND_OLD_IMAGES' });
      const module = await boot(forRoot(newAndOld, 'verify'));
      await roundTrip(module.get(EventStore));
      await module.close();
    });

    it("a 0.3 table that `feed migrate` gave a stream is verified with its GSI still there", async () => {
      const events = await createEventsTable('migrated', { stream: 'NEW_IMAGE', legacyIndex: true });
      const module = await boot(forRoot(events, 'verify'));
      await roundTrip(module.get(EventStore));
      await module.close();
    });
  });

  it("tableSetup 'none' starts without touching DynamoDB", async () => {
    const module = await boot(
      DynamoEventSourcingModule.forRoot({
        clientConfig: { ...testClientConfig(), endpoint: 'http://127.0.0.1:9' }, // nothing listens there
        tableSetup: 'none',
      }),
    );
    expect(module.get(EventStore)).toBeInstanceOf(EventStore);
    await module.close();
  });

  it('invalid options fail start-up with a message naming the option', async () => {
    const start = boot(DynamoEventSourcingModule.forRoot({ tableSetup: 'maybe' as never }));
    await expect(start).rejects.toBeInstanceOf(InvalidModuleOptionsError);
    await expect(start).rejects.toThrow(/`tableSetup` must be one of 'create', 'verify', 'none'; got "maybe"/);
  });

  it('exports the table definition as a CreateTableInput that DynamoDB accepts as it is', async () => {
    const events = tableName('definition');
    const client = new DynamoDBClient(testClientConfig());
    try {
      await client.send(new CreateTableCommand(eventsTableDefinition(events)));
      await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: events });
    } finally {
      client.destroy();
    }
    const module = await boot(DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'verify', tables: { events }, events: TEST_EVENTS }));
    await roundTrip(module.get(EventStore));
    await module.close();
  });

  describe('forFeature() without forRoot()', () => {
    it('fails start-up naming the module to import, not an injection token', async () => {
      const start = Test.createTestingModule({ imports: [CqrsModule.forRoot(), WalletsModule] }).compile();
      await expect(start).rejects.toBeInstanceOf(RootModuleMissingError);
      await expect(start).rejects.toMatchObject({ code: 'ROOT_MODULE_MISSING' });
      await expect(start).rejects.toThrow(
        /^DynamoEventSourcingModule\.forFeature\(\{ aggregates: \[Wallet\] \}\) needs DynamoEventSourcingModule\.forRoot\(\) or forRootAsync\(\) imported once in the app/,
      );
      await expect(start).rejects.not.toThrow(/Symbol|can't resolve/i);
    });

    it('says so as well for a feature of projections or of event classes only', async () => {
      for (const feature of [{ projections: [WalletsProjection] }, { events: TEST_EVENTS }]) {
        const start = Test.createTestingModule({ imports: [CqrsModule.forRoot(), DynamoEventSourcingModule.forFeature(feature)] }).compile();
        await expect(start).rejects.toThrow(/needs DynamoEventSourcingModule\.forRoot\(\) or forRootAsync\(\)/);
      }
    });

    it('says so when forRoot({ isGlobal: false }) is imported elsewhere, where the feature cannot see it', async () => {
      const start = Test.createTestingModule({
        imports: [
          CqrsModule.forRoot(),
          DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'none', isGlobal: false }),
          WalletsModule,
        ],
      }).compile();
      await expect(start).rejects.toThrow(/needs DynamoEventSourcingModule\.forRoot\(\).*with isGlobal: false, pass that same forRoot\(\) module to forFeature\(\{ imports: \[\.\.\.\] \}\)/);
    });

    it('with forRoot({ isGlobal: false }), works once that module is among the feature\'s imports, as the message says', async () => {
      const root = DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'create', tables: { events: tableName('not-global') }, events: TEST_EVENTS, isGlobal: false });
      const module = await boot(root, DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Wallet, name: 'wallet' }], imports: [root] }));
      try {
        const wallets = module.get<AggregateRepository<Wallet>>(getAggregateRepositoryToken(Wallet));
        const wallet = new Wallet('w-1');
        wallet.apply(new AccountOpened('w-1', 'wanda'));
        await wallets.save(wallet);
        expect(await wallets.load('w-1')).toBeInstanceOf(Wallet);
      } finally {
        await module.close();
      }
    });
  });

  describe('a DynamoDB that cannot be reached at start-up', () => {
    for (const tableSetup of ['create', 'verify'] as const) {
      it(`fails with tableSetup '${tableSetup}' saying where it could not reach DynamoDB, soon, with the network error as cause`, async () => {
        const endpoint = `http://127.0.0.1:${await closedPort()}`;
        const started = Date.now();
        const start = boot(DynamoEventSourcingModule.forRoot({ clientConfig: { ...testClientConfig(), endpoint }, tableSetup, tables: { events: 'unreachable' } }));
        const error = await start.then(
          () => undefined,
          (failure: unknown) => failure,
        );
        const elapsed = Date.now() - started;
        expect(error).toBeInstanceOf(DynamoDbUnreachableError);
        expect(error).toMatchObject({ code: 'DYNAMODB_UNREACHABLE', endpoint, tableSetup, tableName: 'unreachable' });
        expect((error as Error).message).toMatch(
          new RegExp(`^Cannot reach DynamoDB at ${endpoint.replace(/\./g, '\\.')} \\(tableSetup '${tableSetup}', table "unreachable"\\): connect ECONNREFUSED .*Check that DynamoDB`),
        );
        expect(String(((error as Error).cause as Error).message)).toContain('ECONNREFUSED');
        // The SDK's own retries of a refused connection back off for milliseconds; one of its
        // backoffs is capped at 20 s. Failing before that shows no slow retry loop (about 0.1 s measured).
        expect(elapsed).toBeLessThan(20_000);
        console.log(`tableSetup '${tableSetup}' on a closed port failed after ${elapsed} ms: ${(error as Error).message}`);
      });
    }
  });
});

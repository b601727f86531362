import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import {
  DynamoEventSourcingModule,
  eventsTableDefinition,
  EventStore,
  InvalidModuleOptionsError,
  NO_STREAM,
  TableMismatchError,
  type DynamoEventSourcingModuleOptions,
} from '../lib/index.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { collect } from './support/event-store-app.js';
import { deposits, TEST_EVENTS } from './support/events.js';

const created: string[] = [];
const tableName = (label: string) => {
  const name = uniqueTableName(label);
  created.push(name);
  return name;
};

async function boot(dynamoModule: ReturnType<typeof DynamoEventSourcingModule.forRoot>) {
  const module = await Test.createTestingModule({ imports: [CqrsModule.forRoot(), dynamoModule] }).compile();
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
});

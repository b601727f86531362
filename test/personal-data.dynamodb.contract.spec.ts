import { DeleteItemCommand, DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { DynamoEventSourcingModule, EventStore, getAggregateRepositoryToken, SnapshotRepository, type AggregateRepository, type DynamoEventSourcingModuleOptions } from '../lib/index.js';
import {
  describePersonalDataContract,
  PERSONAL_DATA_CONTRACT_EVENTS,
  PERSONAL_DATA_CONTRACT_FEATURE,
  PERSONAL_DATA_CONTRACT_TYPES,
  type ContractCustomer,
} from './contract/personal-data.contract.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { feedIndexed } from './support/event-store-app.js';

/** Every item of the tables, as one text: what an export of them would show. */
async function rawText(client: DynamoDBClient, tableNames: string[]): Promise<string> {
  const items: Array<Record<string, AttributeValue>> = [];
  for (const tableName of tableNames) {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }
  return JSON.stringify(items, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value));
}

// One app with the in-app feed indexer (`settle` waits until the index lists every commit) and a local wrapping key.
describePersonalDataContract('DynamoDB', async () => {
  const tables = { events: uniqueTableName('pdc-ev'), snapshots: uniqueTableName('pdc-snap'), keys: uniqueTableName('pdc-keys') };
  const client = new DynamoDBClient(testClientConfig());
  const options: DynamoEventSourcingModuleOptions = {
    clientConfig: testClientConfig(),
    tableSetup: 'create',
    tables: { events: tables.events, snapshots: tables.snapshots },
    events: PERSONAL_DATA_CONTRACT_EVENTS,
    snapshots: {},
    feed: {},
    personalData: { keysTable: tables.keys, wrapping: { localKey: randomBytes(32).toString('base64') }, types: PERSONAL_DATA_CONTRACT_TYPES },
  };
  const start = async (moduleOptions: DynamoEventSourcingModuleOptions): Promise<TestingModule> => {
    const module = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), DynamoEventSourcingModule.forRoot(moduleOptions), DynamoEventSourcingModule.forFeature(PERSONAL_DATA_CONTRACT_FEATURE)],
    }).compile();
    await module.init();
    return module;
  };
  const module = await start(options);
  return {
    store: module.get(EventStore),
    customers: module.get<AggregateRepository<ContractCustomer>>(getAggregateRepositoryToken(PERSONAL_DATA_CONTRACT_FEATURE.aggregates![0]!.type)),
    snapshots: module.get(SnapshotRepository),
    settle: () => feedIndexed(tables.events),
    rawText: () => rawText(client, [tables.events, tables.snapshots, tables.keys]),
    loseKey: async (subjectId) => void (await client.send(new DeleteItemCommand({ TableName: tables.keys, Key: { subjectId: { S: subjectId } } }))),
    openWithoutPersonalData: async () => {
      // The same tables, no indexer of its own.
      const plain = await start({ ...options, personalData: undefined, feed: { indexer: false } });
      return { store: plain.get(EventStore), close: () => plain.close() };
    },
    close: async () => {
      await module.close();
      client.destroy();
      await deleteTables(tables.events, tables.snapshots, tables.keys);
    },
  };
});

import { DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Provider } from '@nestjs/common';
import { CqrsModule, EventBus } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { DynamoEventSourcingModule, EventStore, SnapshotRepository, type EventRegistration } from '../../lib/index.js';
import { newEventId } from '../../lib/serialization/event-id.js';
import { packSnapshot } from '../../lib/snapshots/snapshot-packer.js';
import { InMemoryEventSourcingModule } from '../../lib/testing/index.js';
import { deleteTables, testClientConfig, uniqueTableName } from './dynamodb.js';

/** What a test writes past the module, as another writer (0.3, a script with the raw SDK) would. */
export interface RawTables {
  /** The stored `events` and `metadata` attributes of the item at (stream, version). */
  storedItem(streamId: string, version: number): Promise<{ events: string; metadata?: string }>;
  /** Puts a one-commit item holding these entries (JSON text of each) at version 1.. of a new stream. */
  putCommit(streamId: string, entries: string[], metadataJson?: string, commitId?: string): Promise<void>;
  /** Puts a snapshot whose state is this JSON text, as SnapshotRepository lays it out. */
  putSnapshot(streamId: string, version: number, stateJson: string, revision?: number): Promise<void>;
}

/** An app on one of the two stores, the way users get each: through its Nest module. */
export interface StoreFlavour {
  readonly module: TestingModule;
  readonly store: EventStore;
  readonly snapshots: SnapshotRepository;
  readonly eventBus: EventBus;
  /** DynamoDB only: the tables, reached past the module. */
  readonly raw?: RawTables;
  close(): Promise<void>;
}

export type FlavourName = 'DynamoDB' | 'in memory';
export const FLAVOURS: FlavourName[] = ['DynamoDB', 'in memory'];

/** A Nest app with CqrsModule and the event-sourcing module of the flavour (snapshots on), plus the given feature and providers. */
export async function openFlavour(
  flavour: FlavourName,
  label: string,
  events: EventRegistration[],
  feature: { aggregates?: Parameters<typeof DynamoEventSourcingModule.forFeature>[0]['aggregates']; providers?: Provider[] } = {},
): Promise<StoreFlavour> {
  const tables = { events: uniqueTableName(`${label}-ev`), snapshots: uniqueTableName(`${label}-snap`) };
  const root =
    flavour === 'DynamoDB'
      ? DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'create', tables, snapshots: {}, events })
      : InMemoryEventSourcingModule.forRoot({ events, snapshots: {} });
  const imports = [CqrsModule.forRoot(), root];
  if (feature.aggregates !== undefined) imports.push(DynamoEventSourcingModule.forFeature({ aggregates: feature.aggregates }));
  const module = await Test.createTestingModule({ imports, providers: feature.providers ?? [] }).compile();
  await module.init();
  const client = flavour === 'DynamoDB' ? new DynamoDBClient(testClientConfig()) : undefined;
  return {
    module,
    store: module.get(EventStore),
    snapshots: module.get(SnapshotRepository),
    eventBus: module.get(EventBus),
    raw: client && rawTables(client, tables),
    async close() {
      await module.close();
      if (client !== undefined) {
        client.destroy();
        await deleteTables(tables.events, tables.snapshots);
      }
    },
  };
}

function rawTables(client: DynamoDBClient, tables: { events: string; snapshots: string }): RawTables {
  return {
    async storedItem(streamId, version) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tables.events, Key: { streamId: { S: streamId }, version: { N: String(version) } }, ConsistentRead: true }),
      );
      return { events: Item!.events!.S!, metadata: Item!.metadata?.S };
    },
    async putCommit(streamId, entries, metadataJson, commitId = newEventId(Date.now())) {
      const item: Record<string, AttributeValue> = {
        streamId: { S: streamId },
        version: { N: '1' },
        lastVersion: { N: String(entries.length) },
        commitId: { S: commitId },
        committedAt: { N: String(Date.now()) },
        events: { S: `[${entries.join(',')}]` },
      };
      if (metadataJson !== undefined) item.metadata = { S: metadataJson };
      await client.send(new PutItemCommand({ TableName: tables.events, Item: item }));
    },
    async putSnapshot(streamId, version, stateJson, revision = 1) {
      const packed = await packSnapshot({ streamId, version, revision, takenAt: Date.now() }, stateJson);
      for (const item of [...packed.parts, packed.snapshot]) await client.send(new PutItemCommand({ TableName: tables.snapshots, Item: item }));
    },
  };
}

import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CqrsModule, EventBus } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { FeedIndexTable } from '../../lib/feed/index/feed-index-table.js';
import { DynamoEventSourcingModule, EventStore, type DynamoEventSourcingModuleOptions } from '../../lib/index.js';
import { EventItemAttribute as A } from '../../lib/tables/events-table.js';
import { DEFAULT_RETRY } from '../../lib/event-store/retry-policy.js';
import { deleteTables, testClientConfig, uniqueTableName } from './dynamodb.js';
import { TEST_EVENTS } from './events.js';

export interface EventStoreApp {
  readonly module: TestingModule;
  readonly store: EventStore;
  readonly eventBus: EventBus;
  readonly tableName: string;
  /** Resolves once the feed index lists every commit the events table holds (see {@link feedIndexed}). */
  feedIndexed(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Nest testing module with CqrsModule and DynamoEventSourcingModule on a fresh table. Without a
 * `feed` option the feed is on but no in-app indexer runs (`feed: { indexer: false }`): most tests
 * fault and count the requests of the app's client, which an indexer would share. Tests that read
 * the feed end to end pass `feed: {}` (or indexer options), and wait with `feedIndexed()`.
 */
export async function createEventStoreApp(
  label: string,
  options: Partial<DynamoEventSourcingModuleOptions> = {},
  providers: Parameters<typeof Test.createTestingModule>[0]['providers'] = [],
): Promise<EventStoreApp> {
  const tableName = options.tables?.events ?? uniqueTableName(label);
  const module = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({
        clientConfig: testClientConfig(),
        tableSetup: 'create',
        events: TEST_EVENTS,
        feed: { indexer: false },
        ...options,
        // Other tables (snapshots) only by the names given: the defaults are shared by every test file.
        tables: { ...options.tables, events: tableName },
      }),
    ],
    providers,
  }).compile();
  await module.init();
  return {
    module,
    store: module.get(EventStore),
    eventBus: module.get(EventBus),
    tableName,
    feedIndexed: () => feedIndexed(tableName),
    async close() {
      await module.close();
      await deleteTables(tableName, ...Object.values({ ...options.tables, events: undefined }).filter((name): name is string => name !== undefined));
    },
  };
}

/** Everything a read yields, as an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/**
 * Resolves once the feed index of the table lists every commit the table holds as of the call
 * (each stream up to its last version): what a feed reader started afterwards then delivers. The
 * indexer (in-app, in this process or another) works on its own; this only watches the table and
 * the index, strongly consistent, until they agree, and fails after `timeoutMs` naming what is missing.
 */
export async function feedIndexed(tableName: string, timeoutMs = 30_000): Promise<void> {
  const client = new DynamoDBClient(testClientConfig());
  try {
    const expected = await streamEnds(client, tableName);
    const index = new FeedIndexTable(client, tableName, DEFAULT_RETRY);
    const indexed = new Map<string, number>();
    let next = 1;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let batches = await index.batchesFrom(next, 100, true); batches.length > 0; batches = await index.batchesFrom(next, 100, true)) {
        for (const batch of batches) for (const commit of batch.commits) indexed.set(commit.streamId, Math.max(indexed.get(commit.streamId) ?? 0, commit.commitEnd));
        next = batches.at(-1)!.lastPosition + 1;
      }
      const missing = [...expected].filter(([streamId, end]) => (indexed.get(streamId) ?? 0) < end);
      if (missing.length === 0) return;
      if (Date.now() > deadline) {
        const some = missing.slice(0, 5).map(([streamId, end]) => `${streamId} to ${end} (indexed to ${indexed.get(streamId) ?? 0})`);
        throw new Error(`The feed index of ${tableName} did not list ${missing.length} stream(s) in ${timeoutMs} ms: ${some.join(', ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    client.destroy();
  }
}

/** Each stream's last version in the table (the module's own `$$` items left out). */
async function streamEnds(client: DynamoDBClient, tableName: string): Promise<Map<string, number>> {
  const ends = new Map<string, number>();
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ProjectionExpression: '#s, #l', ExpressionAttributeNames: { '#s': A.streamId, '#l': A.lastVersion }, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) {
      const streamId = item[A.streamId]!.S!;
      if (streamId.startsWith('$$')) continue;
      ends.set(streamId, Math.max(ends.get(streamId) ?? 0, Number(item[A.lastVersion]!.N)));
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return ends;
}

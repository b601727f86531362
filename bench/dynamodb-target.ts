import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  waitUntilTableExists,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { eventsTableDefinition, snapshotsTableDefinition } from '../lib/index.js';
import { EmbeddedDynamoDb, localClientConfig } from '../lib/testing/index.js';

/** Where the benchmark runs: a DynamoDB given by DYNAMODB_ENDPOINT, or DynamoDB Local started here. */
export interface DynamoDbTarget {
  readonly description: string;
  readonly clientConfig: DynamoDBClientConfig;
  stop(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', 'dynamodb-local']);

export async function openDynamoDbTarget(): Promise<DynamoDbTarget> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (endpoint) {
    // Local endpoints take any credentials; anything else uses the default credential chain.
    const local = LOCAL_HOSTS.has(new URL(endpoint).hostname);
    const clientConfig = local ? localClientConfig(endpoint) : { endpoint, region: process.env.AWS_REGION };
    return { description: `${endpoint} (DYNAMODB_ENDPOINT)`, clientConfig, stop: async () => undefined };
  }
  const embedded = await EmbeddedDynamoDb.start();
  return { description: `DynamoDB Local on ${embedded.endpoint} (embedded)`, clientConfig: embedded.clientConfig(), stop: () => embedded.stop() };
}

/** Table names of one run: unique, so a shared endpoint is never confused with an earlier run. */
export function benchTableName(role: 'module' | 'baseline' | 'feed' | 'memory' | 'paced' | 'latency'): string {
  return `bench-${role}-${randomBytes(4).toString('hex')}`;
}

/**
 * Creates the module's events tables (with their DynamoDB Stream) before anything is written, and
 * puts one item in each (`$$bench-start`, a reserved key the module ignores), so that each stream
 * gets its shard at once. DynamoDB Local makes every write to a table whose stream received its
 * first record after other streams had many records slower, in proportion to those records (its
 * SQLite lookup of the table's active shard: 40,000 records in another table's stream made each
 * PutItem to a newer stream ~29 ms instead of ~2 ms, one at a time in its single SQLite thread);
 * started together first, every table writes at the same speed whatever ran before it.
 */
export async function createEventsTables(client: DynamoDBClient, tableNames: readonly string[]): Promise<void> {
  await Promise.all(
    tableNames.map(async (tableName) => {
      await client.send(new CreateTableCommand(eventsTableDefinition(tableName)));
      await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: tableName });
      await client.send(new PutItemCommand({ TableName: tableName, Item: { streamId: { S: '$$bench-start' }, version: { N: '0' } } }));
    }),
  );
}

/**
 * The baseline's table: the module's key schema (streamId HASH, version RANGE), created with the raw
 * SDK, without the DynamoDB Stream (a plain table: the baseline has no feed).
 */
export async function createBaselineTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(eventsTableDefinition(tableName, { feed: false })));
  await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: tableName });
}

/** The baseline's snapshots table: the module's snapshots key schema (streamId HASH, sortKey RANGE), created with the raw SDK. */
export async function createBaselineSnapshotsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(snapshotsTableDefinition(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: tableName });
}

/** Best effort: a real account should not keep benchmark tables. */
export async function deleteTables(client: DynamoDBClient, tableNames: readonly string[]): Promise<void> {
  await Promise.all(tableNames.map((TableName) => client.send(new DeleteTableCommand({ TableName })).catch(() => undefined)));
}

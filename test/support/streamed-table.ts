import {
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type StreamViewType,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { eventsTableDefinition, EventItemAttribute as A } from '../../lib/tables/events-table.js';
import { uniqueTableName } from './dynamodb.js';

/** An events table with a DynamoDB Stream, and the stream's ARN. */
export interface StreamedTable {
  readonly tableName: string;
  readonly streamArn: string;
}

/** Creates an events table (no feed GSI) with a stream of the given view type. */
export async function createStreamedTable(client: DynamoDBClient, label: string, viewType: StreamViewType = 'NEW_IMAGE'): Promise<StreamedTable> {
  const tableName = uniqueTableName(label);
  await client.send(new CreateTableCommand({ ...eventsTableDefinition(tableName, { feed: false }), StreamSpecification: { StreamEnabled: true, StreamViewType: viewType } }));
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return { tableName, streamArn: Table!.LatestStreamArn! };
}

type Item = Record<string, AttributeValue>;

/**
 * The items of one commit in the events table's layout (lib/tables/events-table.ts): `events` events
 * from `version` on, over `slices` items (a split commit when more than one: each item then carries
 * `commitLastVersion`).
 */
export function commitItems(streamId: string, version: number, events = 1, slices = 1, committedAt = Date.now()): Item[] {
  const commitId = randomUUID();
  const perSlice = Math.ceil(events / slices);
  const last = version + events - 1;
  const items: Item[] = [];
  for (let first = version; first <= last; first += perSlice) {
    const lastOfSlice = Math.min(last, first + perSlice - 1);
    const entries = Array.from({ length: lastOfSlice - first + 1 }, (_, i) => ({ type: 'TestEvent', data: { n: first + i } }));
    const item: Item = {
      [A.streamId]: { S: streamId },
      [A.version]: { N: String(first) },
      [A.lastVersion]: { N: String(lastOfSlice) },
      [A.commitId]: { S: commitId },
      [A.committedAt]: { N: String(committedAt) },
      [A.events]: { S: JSON.stringify(entries) },
    };
    if (slices > 1) item[A.commitLastVersion] = { N: String(last) };
    items.push(item);
  }
  return items;
}

/** Writes a commit as the event store does: one conditional PutItem, or one transaction for a split commit. */
export async function writeCommit(client: DynamoDBClient, tableName: string, streamId: string, version: number, events = 1, slices = 1): Promise<void> {
  const items = commitItems(streamId, version, events, slices);
  const condition = { ConditionExpression: 'attribute_not_exists(#v)', ExpressionAttributeNames: { '#v': A.version } };
  if (items.length === 1) {
    await client.send(new PutItemCommand({ TableName: tableName, Item: items[0]!, ...condition }));
    return;
  }
  await client.send(new TransactWriteItemsCommand({ TransactItems: items.map((Item) => ({ Put: { TableName: tableName, Item, ...condition } })) }));
}

/** Writes an item under a reserved stream id (`$$...`), as the module does for the feed index and the indexer's lease. */
export async function writeReservedItem(client: DynamoDBClient, tableName: string, streamId: string, version: number): Promise<void> {
  await client.send(new PutItemCommand({ TableName: tableName, Item: { [A.streamId]: { S: streamId }, [A.version]: { N: String(version) }, note: { S: 'module item' } } }));
}

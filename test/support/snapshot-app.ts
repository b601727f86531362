import { DynamoDBClient, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createEventSourcingRuntime, type EventSourcingRuntime } from '../../lib/event-sourcing-runtime.js';
import type { DynamoEventSourcingModuleOptions } from '../../lib/interfaces/dynamo-event-sourcing-module-options.interface.js';
import { SnapshotRepository } from '../../lib/snapshots/snapshot-repository.js';
import { deleteTables, testClientConfig, uniqueTableName } from './dynamodb.js';
import { RequestTap } from './fault-injection.js';

export interface SnapshotApp {
  readonly runtime: EventSourcingRuntime;
  readonly snapshots: SnapshotRepository;
  readonly client: DynamoDBClient;
  readonly tap: RequestTap;
  readonly tableName: string;
  /** Every stored item of a stream, by sort key, read straight from the table. */
  rawItems(streamId: string): Promise<Array<Record<string, AttributeValue>>>;
  close(): Promise<void>;
}

/**
 * A SnapshotRepository on fresh tables, built the way the module builds it (through the runtime,
 * which sets the tables up), with a RequestTap on its client for counting and injecting faults.
 */
export async function createSnapshotApp(label: string, options: Partial<DynamoEventSourcingModuleOptions> = {}): Promise<SnapshotApp> {
  const client = new DynamoDBClient(testClientConfig());
  const tap = new RequestTap(client);
  const tables = { events: uniqueTableName(`${label}-ev`), snapshots: uniqueTableName(`${label}-snap`) };
  const runtime = await createEventSourcingRuntime({
    client,
    tableSetup: 'create',
    snapshots: {},
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
    tables,
  });
  return {
    runtime,
    snapshots: new SnapshotRepository(runtime),
    client,
    tap,
    tableName: tables.snapshots,
    async rawItems(streamId) {
      const items: Array<Record<string, AttributeValue>> = [];
      let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tables.snapshots,
            KeyConditionExpression: 'streamId = :s',
            ExpressionAttributeValues: { ':s': { S: streamId } },
            ConsistentRead: true,
            ExclusiveStartKey,
          }),
        );
        items.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey !== undefined);
      return items;
    },
    async close() {
      client.destroy();
      await deleteTables(tables.events, tables.snapshots);
    },
  };
}

/** The sort keys of raw items, in table order. */
export const sortKeys = (items: Array<Record<string, AttributeValue>>): string[] => items.map((item) => item.sortKey!.S!);

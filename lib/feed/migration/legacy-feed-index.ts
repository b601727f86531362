import { DeleteItemCommand, UpdateTableCommand, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { withRetries } from '../../event-store/request-retry.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { EventItemAttribute as E, FEED_INDEX } from '../../tables/events-table.js';
import { describeTable, waitForTable } from '../../tables/table-wait.js';

/** The item where 0.3's writers recorded their feed shard count (lib/feed/feed-shard-count.ts of 0.3). */
export const LEGACY_FEED_SHARDS_STREAM = '$$feed-shards';

/** What became of 0.3's GSI. */
export type LegacyIndexOutcome = 'dropped' | 'absent';

/**
 * Deletes 0.3's feed GSI (`feed`) and its shard-count item, and waits until the GSI is gone.
 * Only once no 0.3 process runs: 0.3 writers stamp `feedShard` for it and 0.3 readers query it.
 * Resolves to 'absent' when there was no GSI (a second run, or a table that never had it); the
 * `feedShard` attributes of existing items stay (a few bytes each: rewriting every item would cost more).
 */
export async function dropLegacyFeedIndex(client: DynamoDBClient, tableName: string, retry: Required<RetryOptions>): Promise<LegacyIndexOutcome> {
  const legacyIndexOf = (table: TableDescription | undefined) => table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === FEED_INDEX);
  let table = await describeTable(client, tableName);
  const outcome: LegacyIndexOutcome = legacyIndexOf(table) === undefined ? 'absent' : 'dropped';
  if (legacyIndexOf(table) !== undefined && legacyIndexOf(table)!.IndexStatus !== 'DELETING') {
    // A table takes one change at a time: wait out another one (the stream being enabled, the index still being built).
    table = await waitForTable(client, tableName, 'a change of the table', (t) => t.TableStatus === 'ACTIVE' && ['ACTIVE', 'DELETING', undefined].includes(legacyIndexOf(t)?.IndexStatus));
    if (legacyIndexOf(table)?.IndexStatus === 'ACTIVE') {
      try {
        await client.send(new UpdateTableCommand({ TableName: tableName, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: FEED_INDEX } }] }));
      } catch (error) {
        // Another run deleting it at the same moment ("Index is being deleted") is fine; anything else is not.
        if (legacyIndexOf(await describeTable(client, tableName))?.IndexStatus === 'ACTIVE') throw error;
      }
    }
  }
  if (outcome === 'dropped') {
    await waitForTable(client, tableName, `deleting the global secondary index "${FEED_INDEX}"`, (t) => legacyIndexOf(t) === undefined);
  }
  await withRetries({ operation: `Deleting the item "${LEGACY_FEED_SHARDS_STREAM}"`, retry, kind: 'idempotent-write', advice: 'Run the command again: deleting it twice is harmless.' }, () =>
    client.send(new DeleteItemCommand({ TableName: tableName, Key: { [E.streamId]: { S: LEGACY_FEED_SHARDS_STREAM }, [E.version]: { N: '0' } } })),
  );
  return outcome;
}

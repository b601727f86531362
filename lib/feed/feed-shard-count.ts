import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { withRetries } from '../event-store/request-retry.js';
import type { RetryOptions } from '../event-store/retry-policy.js';
import { EventItemAttribute as A } from '../tables/events-table.js';

/**
 * The events table's record of the most feed shards any writer has used: an item under a reserved
 * stream id (user stream ids may not start with `$$`) at version 0, outside the feed index.
 *
 * Writers raise it before their first commit; readers read it before each read and query that
 * many shards at least. So raising `feed.shards` in a rolling deploy loses nothing: an instance
 * still configured with fewer shards reads the new ones too, instead of moving its checkpoint past
 * commits it never saw.
 */
export const FEED_SHARDS_STREAM = '$$feed-shards';
const SHARDS = 'shards';
const KEY = { [A.streamId]: { S: FEED_SHARDS_STREAM }, [A.version]: { N: '0' } };

/** Records that a writer uses `shards` shards (a conditional PutItem that only ever raises the count). */
export async function recordFeedShards(client: DynamoDBClient, tableName: string, shards: number, retry: Required<RetryOptions>): Promise<void> {
  // Raising the count to the same value twice is harmless: an unanswered attempt is simply sent again.
  const advice = 'Nothing else was written; the next append records it again.';
  await withRetries({ operation: 'Recording the feed shard count', retry, kind: 'idempotent-write', advice }, () => putShardCount(client, tableName, shards));
}

async function putShardCount(client: DynamoDBClient, tableName: string, shards: number): Promise<void> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...KEY, [SHARDS]: { N: String(shards) } },
        ConditionExpression: 'attribute_not_exists(#shards) OR #shards < :shards',
        ExpressionAttributeNames: { '#shards': SHARDS },
        ExpressionAttributeValues: { ':shards': { N: String(shards) } },
      }),
    );
  } catch (error) {
    // Another writer already recorded as many shards or more: nothing to raise.
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/** The most shards any writer has recorded (0 when none has). Strongly consistent: it is read once per feed read. */
export async function recordedFeedShards(client: DynamoDBClient, tableName: string): Promise<number> {
  const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: KEY, ConsistentRead: true }));
  return Item?.[SHARDS]?.N === undefined ? 0 : Number(Item[SHARDS].N);
}

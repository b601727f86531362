import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { withRetries } from '../../event-store/request-retry.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { EventItemAttribute as E } from '../../tables/events-table.js';
import { FEED_INDEX_META_VERSION, FEED_INDEX_STREAM, FeedIndexAttribute as F } from '../index/feed-index-keys.js';

const META_KEY = { [E.streamId]: { S: FEED_INDEX_STREAM }, [E.version]: { N: String(FEED_INDEX_META_VERSION) } };

/** What the feed index's meta item says of a migration from 0.3. */
export interface MigrationMarker {
  readonly indexId: string;
  /** Positions 1 to this are in 0.3's order; undefined when no migration built the index from its start. */
  readonly migratedThrough?: number;
}

/** The index's id and `migratedThrough`, or undefined before the index exists. Strongly consistent. */
export async function readMigrationMarker(client: DynamoDBClient, tableName: string, retry: Required<RetryOptions>): Promise<MigrationMarker | undefined> {
  const { Item } = await withRetries({ operation: 'GetItem of the feed index meta item', retry, kind: 'read', advice: 'Nothing was changed; running the command again is safe.' }, () =>
    client.send(new GetItemCommand({ TableName: tableName, Key: META_KEY, ConsistentRead: true })),
  );
  const indexId = Item?.[F.indexId]?.S;
  if (indexId === undefined) return undefined;
  const through = Item![F.migratedThrough]?.N;
  return { indexId, migratedThrough: through === undefined ? undefined : Number(through) };
}

/**
 * Records on the meta item that positions 1 to `position` are in 0.3's order. Written once: on
 * the condition that the meta item exists and has no `migratedThrough` yet (a second migration
 * appends after commits indexed meanwhile, so its part is not in that order with what precedes it).
 * Resolves to false when it was already recorded.
 */
export async function recordMigratedThrough(client: DynamoDBClient, tableName: string, position: number, retry: Required<RetryOptions>): Promise<boolean> {
  try {
    await withRetries(
      { operation: 'Recording migratedThrough on the feed index meta item', retry, kind: 'idempotent-write', advice: 'Run `feed migrate` again: it records it if it is missing.' },
      () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: META_KEY,
            UpdateExpression: 'SET #through = :through',
            ConditionExpression: 'attribute_exists(#id) AND (attribute_not_exists(#through) OR #through = :through)',
            ExpressionAttributeNames: { '#id': F.indexId, '#through': F.migratedThrough },
            ExpressionAttributeValues: { ':through': { N: String(position) } },
          }),
        ),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

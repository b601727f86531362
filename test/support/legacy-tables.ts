import { CreateTableCommand, PutItemCommand, waitUntilTableExists, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { newEventId } from '../../lib/serialization/event-id.js';

/**
 * Tables exactly as version 0.3 wrote them, built with the raw SDK (0.4 has none of 0.3's feed
 * code): for the tests of `feed migrate`.
 */

/** 0.3's feed shard count (its default). */
export const LEGACY_SHARDS = 4;

/** 0.3's feed shard of a stream: FNV-1a of its id modulo the shard count (lib/feed/feed-shard.ts of 0.3). */
export function feedShardOf(streamId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < streamId.length; i++) {
    hash ^= streamId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** A commit of MoneyDeposited events, as a test describes it. */
export interface LegacyCommit {
  readonly streamId: string;
  readonly version: number;
  readonly events: number;
  readonly at: number;
  /** Versions starting each item after the first, for a commit split over several items. */
  readonly slices?: readonly number[];
}

/** The items of a commit as 0.3 stored them. */
export function legacyItems(commit: LegacyCommit, shards = LEGACY_SHARDS): Record<string, AttributeValue>[] {
  const commitId = newEventId(commit.at);
  const last = commit.version + commit.events - 1;
  const starts = [commit.version, ...(commit.slices ?? [])];
  return starts.map((start, i) => {
    const end = (starts[i + 1] ?? last + 1) - 1;
    const entries = Array.from({ length: end - start + 1 }, (_, k) => JSON.stringify({ type: 'MoneyDeposited', data: { accountId: commit.streamId, amount: start + k, note: '' } }));
    const item: Record<string, AttributeValue> = {
      streamId: { S: commit.streamId },
      version: { N: String(start) },
      lastVersion: { N: String(end) },
      commitId: { S: commitId },
      committedAt: { N: String(commit.at) },
      events: { S: `[${entries.join(',')}]` },
    };
    if (start !== commit.version) item.firstEventId = { S: bump(commitId, start - commit.version) };
    if (starts.length > 1) item.commitLastVersion = { N: String(last) };
    if (i === 0) item.feedShard = { N: String(feedShardOf(commit.streamId, shards)) };
    return item;
  });
}

/** A UUIDv7 plus `offset` in its last 48 bits, as 0.3 derived the ids of a commit's later events. */
const bump = (id: string, offset: number) => id.slice(0, 24) + (parseInt(id.slice(24), 16) + offset).toString(16).padStart(12, '0');

/** The events table of 0.3: keys, its GSI `feed` on (feedShard, committedAt) projecting lastVersion and commitLastVersion; no stream. */
export async function createLegacyEventsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'streamId', AttributeType: 'S' },
        { AttributeName: 'version', AttributeType: 'N' },
        { AttributeName: 'feedShard', AttributeType: 'N' },
        { AttributeName: 'committedAt', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'streamId', KeyType: 'HASH' },
        { AttributeName: 'version', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'feed',
          KeySchema: [
            { AttributeName: 'feedShard', KeyType: 'HASH' },
            { AttributeName: 'committedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['lastVersion', 'commitLastVersion'] },
        },
      ],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: tableName });
}

/** Writes commits as 0.3 did, and its `$$feed-shards` item (the most shards any writer used). */
export async function writeLegacyCommits(client: DynamoDBClient, tableName: string, commits: readonly LegacyCommit[], shards = LEGACY_SHARDS): Promise<void> {
  for (const commit of commits) for (const Item of legacyItems(commit, shards)) await client.send(new PutItemCommand({ TableName: tableName, Item }));
  await client.send(new PutItemCommand({ TableName: tableName, Item: { streamId: { S: '$$feed-shards' }, version: { N: '0' }, shards: { N: String(shards) } } }));
}

import { BatchGetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { backoffDelay, sleep, type RetryOptions } from '../event-store/retry-policy.js';
import { withRetries } from '../event-store/request-retry.js';
import { recordedFeedShards } from './feed-shard-count.js';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import { decodeEventItem, type StoredEventItem } from '../event-store/event-item.codec.js';
import { EventItemAttribute as A, FEED_INDEX } from '../tables/events-table.js';

type Item = Record<string, AttributeValue>;

/** One commit as the feed index shows it: where its first item is and how many events it holds. */
export interface FeedEntry {
  readonly streamId: string;
  /** Sort key of the commit's first item: the commit's first version. */
  readonly version: number;
  /** Last version of the commit (of its whole, for a commit split over items). */
  readonly commitEnd: number;
  readonly at: number;
}

export interface FeedEntryPage {
  readonly entries: FeedEntry[];
  /** Where the next page starts; undefined after the last one. */
  readonly next?: Item;
}

/** BatchGetItem takes at most 100 keys per request. */
const BATCH_GET_KEYS = 100;

/** The requests of the feed: Queries of one index shard, and batched gets of the commits they name. */
export class FeedIndex {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retry: Required<RetryOptions>,
  ) {}

  /** How many shards to read: as many as any writer has recorded, and at least this reader's own count. */
  async shardsToRead(configured: number): Promise<number> {
    return Math.max(configured, await this.withRetries('GetItem of the feed shard count', () => recordedFeedShards(this.client, this.tableName)));
  }

  /** One page of a shard's entries with commit times in [from, to], oldest first. */
  async page(shard: number, from: number, to: number, limit: number, streamPrefix?: string, start?: Item): Promise<FeedEntryPage> {
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: FEED_INDEX,
      KeyConditionExpression: '#shard = :shard AND #at BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#shard': A.feedShard, '#at': A.committedAt },
      ExpressionAttributeValues: { ':shard': { N: String(shard) }, ':from': { N: String(from) }, ':to': { N: String(to) } },
      Limit: limit,
      ExclusiveStartKey: start,
    };
    if (streamPrefix !== undefined) {
      // Saves decoding and fetching other streams' commits; DynamoDB still bills the entries it skips.
      input.FilterExpression = 'begins_with(#stream, :prefix)';
      input.ExpressionAttributeNames!['#stream'] = A.streamId;
      input.ExpressionAttributeValues![':prefix'] = { S: streamPrefix };
    }
    const { Items = [], LastEvaluatedKey } = await this.withRetries(`Query of feed shard ${shard}`, () => this.client.send(new QueryCommand(input)));
    const entries = Items.map((item) => {
      const last = Number(item[A.lastVersion]!.N);
      return {
        streamId: item[A.streamId]!.S!,
        version: Number(item[A.version]!.N),
        commitEnd: item[A.commitLastVersion] === undefined ? last : Number(item[A.commitLastVersion].N),
        at: Number(item[A.committedAt]!.N),
      };
    });
    return { entries, next: LastEvaluatedKey };
  }

  /**
   * The first items of the given commits, keyed `streamId\0version`. Eventually consistent (half
   * the price); a key the replica does not show yet, although the index named it, is read again strongly.
   */
  async firstItems(entries: readonly FeedEntry[]): Promise<Map<string, StoredEventItem>> {
    const found = new Map<string, StoredEventItem>();
    for (let i = 0; i < entries.length; i += BATCH_GET_KEYS) {
      const keys = entries.slice(i, i + BATCH_GET_KEYS).map((entry) => ({ [A.streamId]: { S: entry.streamId }, [A.version]: { N: String(entry.version) } }));
      await this.batchGet(keys, false, found);
      const missing = keys.filter((key) => !found.has(itemKey(key[A.streamId]!.S!, Number(key[A.version]!.N))));
      if (missing.length > 0) await this.batchGet(missing, true, found);
    }
    return found;
  }

  private async batchGet(keys: Item[], consistent: boolean, found: Map<string, StoredEventItem>): Promise<void> {
    let pending: Item[] = keys;
    for (let attempt = 1; pending.length > 0; ) {
      const { Responses, UnprocessedKeys } = await this.withRetries('BatchGetItem of feed commits', () =>
        this.client.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: consistent } } })),
      );
      for (const raw of Responses?.[this.tableName] ?? []) {
        const item = decodeEventItem(raw);
        found.set(itemKey(item.streamId, item.version), item);
      }
      const unprocessed = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (unprocessed.length === 0) return;
      // A response stops at 16 MB: keys left over from a batch that made progress are simply asked for again.
      // None processed is DynamoDB throttling the batch: back off as for any throttle.
      if (unprocessed.length === pending.length) {
        if (attempt >= this.retry.maxAttempts) throw new RetriesExhaustedError('BatchGetItem of feed commits', attempt, 'UnprocessedKeys');
        await sleep(backoffDelay(attempt++, this.retry));
      }
      pending = unprocessed;
    }
  }

  private withRetries<T>(what: string, send: () => Promise<T>): Promise<T> {
    return withRetries({ operation: what, retry: this.retry, kind: 'read', advice: 'Nothing was changed; reading the feed again from the last checkpoint is safe.' }, send);
  }
}

export const itemKey = (streamId: string, version: number): string => `${streamId}\0${version}`;

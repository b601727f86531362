import { randomBytes } from 'node:crypto';
import { GetItemCommand, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { withRetries } from '../../event-store/request-retry.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { EventItemAttribute as E } from '../../tables/events-table.js';
import type { FeedIndexMeta, IndexBatch } from './index-batch.js';
import { FEED_INDEX_FORMAT, decodeBatch, decodeMeta, encodeBatch, encodeMeta } from './index-batch.codec.js';
import { FEED_INDEX_CHECKPOINT_VERSION, FEED_INDEX_META_VERSION, FEED_INDEX_STREAM, FeedIndexAttribute as F } from './feed-index-keys.js';
import type { IndexerCheckpoint } from './indexer-checkpoint.js';

const KEY_CONDITION_NAMES = { '#s': E.streamId, '#v': E.version };

/**
 * The requests on the feed index: the `$$feed` partition of the events table. Batches are immutable
 * once written; the only write is a PutItem on the condition that its position is still free.
 */
export class FeedIndexTable {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    private readonly retry: Required<RetryOptions>,
  ) {}

  /** The index's identity, or undefined before the first indexer created it. */
  async meta(): Promise<FeedIndexMeta | undefined> {
    const { Item } = await this.read('GetItem of the feed index meta item', () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: metaKey(), ConsistentRead: true })),
    );
    return Item === undefined ? undefined : decodeMeta(Item);
  }

  /** The index's identity, created on first use (one conditional PutItem; whoever loses the race reads the winner's). */
  async ensureMeta(): Promise<FeedIndexMeta> {
    const existing = await this.meta();
    if (existing !== undefined) return existing;
    const meta: FeedIndexMeta = { indexId: newIndexId(), createdAt: Date.now(), format: FEED_INDEX_FORMAT };
    const written = await this.putIfAbsent('Creating the feed index meta item', encodeMeta(meta));
    return written ? meta : (await this.meta())!;
  }

  /** The last batch (strongly consistent), or undefined while the index is empty. */
  async head(): Promise<IndexBatch | undefined> {
    const { Items = [] } = await this.read('Query of the feed index head', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#s = :s AND #v >= :first',
          ExpressionAttributeNames: KEY_CONDITION_NAMES,
          ExpressionAttributeValues: { ':s': { S: FEED_INDEX_STREAM }, ':first': { N: '1' } },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      ),
    );
    return Items.length === 0 ? undefined : decodeBatch(Items[0]!);
  }

  /**
   * The indexer's checkpoint: the saved one if it was saved after the head batch (at the same head),
   * else the head batch's. `head` is the last batch (null while the index is empty).
   */
  async state(): Promise<{ head: IndexBatch | null; checkpoint?: IndexerCheckpoint }> {
    const [head, saved] = await Promise.all([this.head(), this.savedCheckpoint()]);
    const at = head?.lastPosition ?? 0;
    if (saved !== undefined && saved.afterPosition === at) return { head: head ?? null, checkpoint: saved.checkpoint };
    return { head: head ?? null, checkpoint: head?.checkpoint };
  }

  /** Saves a checkpoint without a batch: it counts only while the index head stays at `afterPosition`. */
  async saveCheckpoint(afterPosition: number, checkpoint: IndexerCheckpoint): Promise<void> {
    const advice = 'The indexer reads the stream again from its previous checkpoint; what it took in is dropped as duplicates.';
    await withRetries({ operation: 'Saving the feed indexer checkpoint', retry: this.retry, kind: 'idempotent-write', advice }, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [E.streamId]: { S: FEED_INDEX_STREAM },
            [E.version]: { N: String(FEED_INDEX_CHECKPOINT_VERSION) },
            [E.lastVersion]: { N: String(afterPosition) },
            [F.checkpoint]: { S: JSON.stringify(checkpoint) },
            [F.writtenAt]: { N: String(Date.now()) },
          },
        }),
      ),
    );
  }

  private async savedCheckpoint(): Promise<{ afterPosition: number; checkpoint: IndexerCheckpoint } | undefined> {
    const { Item } = await this.read('GetItem of the feed indexer checkpoint', () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { [E.streamId]: { S: FEED_INDEX_STREAM }, [E.version]: { N: String(FEED_INDEX_CHECKPOINT_VERSION) } }, ConsistentRead: true })),
    );
    if (Item === undefined) return undefined;
    return { afterPosition: Number(Item[E.lastVersion]!.N), checkpoint: JSON.parse(Item[F.checkpoint]!.S!) as IndexerCheckpoint };
  }

  /** The batch holding `position` (strongly consistent), or undefined when the index does not reach it. */
  async batchHolding(position: number): Promise<IndexBatch | undefined> {
    const { Items = [] } = await this.read('Query of the feed index', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#s = :s AND #v BETWEEN :first AND :p',
          ExpressionAttributeNames: KEY_CONDITION_NAMES,
          ExpressionAttributeValues: { ':s': { S: FEED_INDEX_STREAM }, ':first': { N: '1' }, ':p': { N: String(position) } },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      ),
    );
    const batch = Items.length === 0 ? undefined : decodeBatch(Items[0]!);
    return batch !== undefined && batch.lastPosition >= position ? batch : undefined;
  }

  /**
   * Batches whose first position is `start` or later, in position order, at most `limit`. An
   * eventually consistent read may lag: callers check that the first batch starts exactly where they
   * expect, and read again strongly when it does not.
   */
  async batchesFrom(start: number, limit: number, consistent: boolean): Promise<IndexBatch[]> {
    const { Items = [] } = await this.read('Query of the feed index', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#s = :s AND #v >= :start',
          ExpressionAttributeNames: KEY_CONDITION_NAMES,
          ExpressionAttributeValues: { ':s': { S: FEED_INDEX_STREAM }, ':start': { N: String(Math.max(1, start)) } },
          Limit: limit,
          ConsistentRead: consistent,
        }),
      ),
    );
    return Items.map(decodeBatch);
  }

  /**
   * Writes a batch at its position if that position is free: true when written, false when another
   * indexer wrote there first. An unanswered attempt is sent again; if that one finds the position
   * taken, the batch there may be this one: the caller reads it back and compares (see FeedIndexer).
   */
  async append(batch: IndexBatch): Promise<boolean> {
    return this.putIfAbsent(`Writing feed index batch at position ${batch.position}`, encodeBatch(batch));
  }

  private async putIfAbsent(operation: string, item: ReturnType<typeof encodeBatch>): Promise<boolean> {
    try {
      await withRetries({ operation, retry: this.retry, kind: 'idempotent-write', advice: 'The indexer reads the index head again and goes on from there.' }, () =>
        this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(#v)', ExpressionAttributeNames: { '#v': E.version } })),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  private read<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return withRetries({ operation, retry: this.retry, kind: 'read', advice: 'Nothing was changed; reading again is safe.' }, send);
  }
}

const metaKey = () => ({ [E.streamId]: { S: FEED_INDEX_STREAM }, [E.version]: { N: String(FEED_INDEX_META_VERSION) } });

/** `f` and 8 hex digits: starts with a letter, so it never reads as a 0.3 (time-based) checkpoint. */
const newIndexId = (): string => `f${randomBytes(4).toString('hex')}`;

import { GetItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RetriesExhaustedError } from '../../errors/retries-exhausted.error.js';
import { withRetries } from '../../event-store/request-retry.js';
import { DEFAULT_RETRY, type RetryOptions } from '../../event-store/retry-policy.js';
import { decodeStreamMetadataItem, STREAM_METADATA_VERSION } from '../../lifecycle/stream-metadata-item.codec.js';
import { EventItemAttribute as E } from '../../tables/events-table.js';
import { ERASED_ENTRY } from './erased-entry.js';
import { FEED_INDEX_STREAM, FeedIndexAttribute as F } from './feed-index-keys.js';
import { encodeCommits } from './index-batch.codec.js';
import type { IndexedCommit } from './indexed-commit.js';

type Item = Record<string, AttributeValue>;
type StoredEntry = [string, number, number, number[]?];

/** Batches per Query page (a page stops at 1 MB anyway). */
const BATCHES_PER_QUERY = 100;
/** Rewrites of one batch lost to concurrent erasures (of other streams) before giving up. */
const MAX_REWRITES = 20;

/** What {@link FeedIndexEraser.eraseStream} did. */
export interface FeedIndexErasure {
  /** Entries of the stream replaced by erased placeholders. */
  readonly entriesErased: number;
  /** Index batches rewritten: one conditional UpdateItem each, billed on the whole batch item (1 write unit per KB). */
  readonly batchesRewritten: number;
  /** Index batches read: the whole index (1 MB of it costs 128 read units, eventually consistent). */
  readonly batchesRead: number;
  /**
   * The position of the entry kept (the stream's tombstone), or undefined when the index does not
   * hold it (yet): the indexer indexes a stream's commits in version order, so once the tombstone's
   * entry is in, no entry of the stream's erased commits can come after the erasure; while it is
   * not, one still may, and the erasure should be run again later (`streams purge` does).
   */
  readonly keptPosition?: number;
}

/** Options of {@link FeedIndexEraser.eraseStream}. */
export interface EraseStreamFromIndexOptions {
  /**
   * The version of the one entry of the stream to keep: its deletion's tombstone (the deleted
   * version + 1), so that the feed still delivers `StreamDeleted` there. By default it is read from
   * the stream's metadata item (`deleted.version + 1`); none is kept for a stream not deleted.
   */
  readonly keepVersion?: number;
}

/**
 * Erases a stream from the feed index (the last step of a hard delete): every entry naming it is
 * replaced by the erased placeholder `["", 0, 0]` (see erased-entry.ts), which keeps its position,
 * so that the positions of every other commit, and every checkpoint handed out, stay as they were.
 * The tombstone's entry stays: the deletion notice stays in the feed (it holds no personal data
 * but the stream id).
 *
 * It reads the whole index (Query of the `$$feed` partition, eventually consistent, page by page;
 * the tail once more strongly, for batches a lagging replica did not show) and rewrites each batch
 * holding entries of the stream with an UpdateItem on the condition that its entries are still
 * those read: a batch changed meanwhile (another stream's erasure) is read again strongly and
 * rewritten. Idempotent: running it again erases what is left (nothing, or entries indexed late).
 */
export class FeedIndexEraser {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retry: Required<RetryOptions> = DEFAULT_RETRY,
  ) {}

  async eraseStream(streamId: string, options: EraseStreamFromIndexOptions = {}): Promise<FeedIndexErasure> {
    const keep = options.keepVersion ?? (await this.tombstoneVersion(streamId));
    // A cheap test on the raw JSON before parsing: every entry of the stream starts like this.
    const marker = `[${JSON.stringify(streamId)},`;
    let entriesErased = 0;
    let batchesRewritten = 0;
    let batchesRead = 0;
    let keptPosition: number | undefined;
    let next = 1;
    const take = async (item: Item): Promise<void> => {
      batchesRead++;
      const position = Number(item[E.version]!.N);
      next = Math.max(next, Number(item[E.lastVersion]!.N) + 1);
      const stored = item[F.commits]?.S;
      if (stored === undefined || !stored.includes(marker)) return;
      const result = await this.eraseFromBatch(position, stored, streamId, keep);
      entriesErased += result.erased;
      if (result.erased > 0) batchesRewritten++;
      if (result.kept !== undefined) keptPosition = result.kept;
    };
    for await (const item of this.batches(1, false)) await take(item);
    // A replica that lags shows the latest batches late: read the tail again strongly.
    for await (const item of this.batches(next, true)) await take(item);
    return { entriesErased, batchesRewritten, batchesRead, keptPosition };
  }

  /** The version of the stream's tombstone, from its metadata item; undefined for a stream not deleted. */
  private async tombstoneVersion(streamId: string): Promise<number | undefined> {
    const { Item } = await this.read(`GetItem of the metadata of stream "${streamId}"`, () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { [E.streamId]: { S: streamId }, [E.version]: { N: String(STREAM_METADATA_VERSION) } },
          ConsistentRead: true,
        }),
      ),
    );
    const deleted = decodeStreamMetadataItem(streamId, Item).meta.deleted;
    return deleted === undefined ? undefined : deleted.version + 1;
  }

  /** The index's batches from `start` on, in position order, page by page. */
  private async *batches(start: number, consistent: boolean): AsyncGenerator<Item> {
    let startKey: Item | undefined;
    do {
      const page = await this.read('Query of the feed index', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#s = :s AND #v >= :start',
            ProjectionExpression: '#v, #l, #c',
            ExpressionAttributeNames: { '#s': E.streamId, '#v': E.version, '#l': E.lastVersion, '#c': F.commits },
            ExpressionAttributeValues: { ':s': { S: FEED_INDEX_STREAM }, ':start': { N: String(start) } },
            Limit: BATCHES_PER_QUERY,
            ConsistentRead: consistent,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      yield* page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  /** Replaces the stream's entries in one batch (all but the kept one), on the condition that the batch is as read. */
  private async eraseFromBatch(position: number, stored: string, streamId: string, keep: number | undefined): Promise<{ erased: number; kept?: number }> {
    for (let attempt = 1; ; attempt++) {
      const entries = JSON.parse(stored) as StoredEntry[];
      let erased = 0;
      let kept: number | undefined;
      const rewritten = entries.map((entry, offset): IndexedCommit => {
        const [id, version, commitEnd, slices] = entry;
        if (id !== streamId) return slices === undefined ? { streamId: id, version, commitEnd } : { streamId: id, version, commitEnd, slices };
        if (version === keep) {
          kept = position + offset;
          return slices === undefined ? { streamId: id, version, commitEnd } : { streamId: id, version, commitEnd, slices };
        }
        erased++;
        return ERASED_ENTRY;
      });
      if (erased === 0) return { erased, kept };
      if (await this.rewrite(position, stored, encodeCommits(rewritten))) return { erased, kept };
      if (attempt >= MAX_REWRITES) {
        throw new RetriesExhaustedError(`Erasing stream "${streamId}" from feed index batch ${position}`, attempt, 'ConditionalCheckFailedException', {
          advice: 'Other erasures kept changing the batch. Run the erasure again: it is idempotent.',
        });
      }
      const fresh = await this.readBatch(position);
      if (fresh === undefined) return { erased: 0 };
      stored = fresh;
    }
  }

  /** True when written; false when the batch no longer holds `expected` (changed meanwhile). */
  private async rewrite(position: number, expected: string, replacement: string): Promise<boolean> {
    try {
      await withRetries(
        { operation: `Erasing entries from feed index batch ${position}`, retry: this.retry, kind: 'idempotent-write', advice: 'Run the erasure again: it is idempotent.' },
        () =>
          this.client.send(
            new UpdateItemCommand({
              TableName: this.tableName,
              Key: { [E.streamId]: { S: FEED_INDEX_STREAM }, [E.version]: { N: String(position) } },
              UpdateExpression: 'SET #c = :new',
              ConditionExpression: '#c = :old',
              ExpressionAttributeNames: { '#c': F.commits },
              ExpressionAttributeValues: { ':new': { S: replacement }, ':old': { S: expected } },
            }),
          ),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  private async readBatch(position: number): Promise<string | undefined> {
    const { Item } = await this.read(`GetItem of feed index batch ${position}`, () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { [E.streamId]: { S: FEED_INDEX_STREAM }, [E.version]: { N: String(position) } },
          ProjectionExpression: '#c',
          ExpressionAttributeNames: { '#c': F.commits },
          ConsistentRead: true,
        }),
      ),
    );
    return Item?.[F.commits]?.S;
  }

  private read<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return withRetries({ operation, retry: this.retry, kind: 'read', advice: 'Nothing was changed; run the erasure again.' }, send);
  }
}

/**
 * Erases `streamId` from the feed index of `tableName` (see {@link FeedIndexEraser}): every entry
 * but its tombstone's becomes an erased placeholder, at the same position.
 */
export function eraseStreamFromIndex(
  client: DynamoDBClient,
  tableName: string,
  streamId: string,
  options: EraseStreamFromIndexOptions & { readonly retry?: Required<RetryOptions> } = {},
): Promise<FeedIndexErasure> {
  return new FeedIndexEraser(client, tableName, options.retry).eraseStream(streamId, options);
}

import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { FinalizeRequestMiddleware, MiddlewareStack } from '@smithy/types';
import { createHash } from 'node:crypto';
import { EventItemAttribute as A } from '../tables/events-table.js';
import { withRetries } from './request-retry.js';
import { withPersonalDataKeys } from '../personal-data/personal-data-links.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry-policy.js';

const READ_ADVICE = 'Nothing was written; reading again is safe.';
import { commitEnd, decodeEventItem, decodeItemHeader, type EventItemHeader, type StoredEventItem } from './event-item.codec.js';

type Item = Record<string, AttributeValue>;

/** What a write runs around each attempt the SDK makes, its own retries included. */
export interface AttemptHooks {
  /** Before each attempt; may stop the SDK's retries by throwing. */
  readonly beforeEach?: () => void;
  /** After each attempt that failed, with its error: the SDK retries some failures unseen by the caller. */
  readonly afterFailed?: (error: unknown) => void;
}

/** A stream's last item and the version the stream is at (0 when it has no events). */
export interface StreamHead {
  readonly version: number;
  readonly item?: EventItemHeader;
}

export interface ItemRange {
  /** Lowest sort key (first version of an item) to return. */
  readonly lower?: number;
  /** Highest sort key to return. */
  readonly upper?: number;
  readonly forward: boolean;
  readonly pageSize?: number;
  /**
   * Also reads the stream's metadata item (sort key 0, first in a forward read from the start)
   * in the same Query, and hands it here (or undefined: the stream has none) instead of among the items.
   */
  readonly metadata?: (item: Item | undefined) => void;
}

const HEADER_NAMES = {
  '#stream': A.streamId,
  '#version': A.version,
  '#last': A.lastVersion,
  '#commit': A.commitId,
  '#at': A.committedAt,
  '#commitLast': A.commitLastVersion,
  '#deleted': A.deleted,
  '#purged': A.purged,
};
const HEADER_PROJECTION = '#stream, #version, #last, #commit, #at, #commitLast, #deleted, #purged';

// Every write is conditional on the key being free: this is the whole concurrency check.
const KEY_IS_FREE = `attribute_not_exists(${A.version})`;

/** The DynamoDB requests of the event store, on one events table. Every read is strongly consistent. */
export class EventStreamTable {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    private readonly retry: Required<RetryOptions> = DEFAULT_RETRY,
  ) {}

  /** A read, retried on throttling, 5xx answers and lost connections; it changes nothing, so that is always safe. */
  private read<T>(operation: string, streamId: string, send: () => Promise<T>): Promise<T> {
    return withRetries({ operation: `${operation} of stream "${streamId}"`, retry: this.retry, kind: 'read', advice: READ_ADVICE }, send);
  }

  /**
   * The stream's newest item, without its events: one strongly consistent Query. (DynamoDB bills
   * the whole item whatever the projection; projecting only saves the bytes on the wire.)
   */
  async head(streamId: string): Promise<StreamHead> {
    const [item] = await this.newestHeaders('Reading the head', streamId, undefined, 1);
    if (item === undefined) return { version: 0 };
    // A split commit is committed as a whole, so its last version is the head even if a
    // read-committed Query saw only its first slice.
    return { version: commitEnd(item), item };
  }

  async get(streamId: string, version: number): Promise<StoredEventItem | undefined> {
    const { Item } = await this.read('Reading an item', streamId, () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { [A.streamId]: { S: streamId }, [A.version]: { N: String(version) } },
          ConsistentRead: true,
        }),
      ),
    );
    // Personal data: the keys of the item's sealed fields, fetched for its decoding.
    return Item === undefined ? undefined : (await withPersonalDataKeys(this.client, this.tableName, [decodeEventItem(Item)]))[0];
  }

  /**
   * Writes one commit: a conditional PutItem when it is one item (1 write unit per KB), a
   * TransactWriteItems otherwise (2 per KB, but atomic). A failed condition returns the
   * existing item, so that a retried commit is recognized without another read.
   */
  async write(items: Item[], requestToken: string, attempts: AttemptHooks = {}): Promise<void> {
    const command =
      items.length === 1
        ? new PutItemCommand({
            TableName: this.tableName,
            Item: items[0],
            ConditionExpression: KEY_IS_FREE,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          })
        : new TransactWriteItemsCommand({
            TransactItems: items.map((Item) => ({
              Put: { TableName: this.tableName, Item, ConditionExpression: KEY_IS_FREE, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
            })),
            ClientRequestToken: requestToken,
          });
    const { beforeEach, afterFailed } = attempts;
    if (beforeEach !== undefined || afterFailed !== undefined) {
      // On this command only (a client the app passed in is left alone), inside the SDK's retry loop: it runs
      // around the first attempt and each of the SDK's own retries; `beforeEach` may stop them by throwing.
      const guard: FinalizeRequestMiddleware<object, object> = (next) => async (args) => {
        beforeEach?.();
        try {
          return await next(args);
        } catch (error) {
          afterFailed?.(error);
          throw error;
        }
      };
      (command.middlewareStack as MiddlewareStack<object, object>).add(guard, { step: 'finalizeRequest', priority: 'low', name: 'attemptHooks' });
    }
    await this.client.send(command as PutItemCommand);
  }

  /** Items with sort keys in [lower, upper], page by page, following LastEvaluatedKey past 1 MB. */
  async *pages(streamId: string, range: ItemRange): AsyncGenerator<StoredEventItem[]> {
    if (range.upper !== undefined && range.upper < Math.max(range.lower ?? 1, 1)) return; // an empty range: DynamoDB refuses BETWEEN 1 AND 0
    const withMetadata = range.metadata !== undefined && range.forward && (range.lower ?? 1) <= 1;
    const input: QueryCommandInput = {
      ...this.keyCondition(streamId, range, withMetadata ? 0 : 1),
      ScanIndexForward: range.forward,
      ConsistentRead: true,
    };
    let startKey: Item | undefined;
    let first = true;
    do {
      const page = await this.read('Reading', streamId, () =>
        this.client.send(new QueryCommand({ ...input, Limit: range.pageSize, ExclusiveStartKey: startKey })),
      );
      let items = page.Items ?? [];
      if (withMetadata && first) {
        const metadata = items[0]?.[A.version]?.N === '0' ? items[0] : undefined;
        range.metadata!(metadata);
        if (metadata !== undefined) items = items.slice(1);
      }
      first = false;
      // Personal data: one read of the keys table per page, for the subjects whose sealed fields it holds.
      yield await withPersonalDataKeys(this.client, this.tableName, items.map(decodeEventItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  /**
   * The item holding `version` (the last one starting at or before it) and the item before that,
   * newest first, without their events: one Query, so that a read starting mid-stream also checks
   * that its first item follows on from the one before.
   */
  async itemsHolding(streamId: string, version: number): Promise<EventItemHeader[]> {
    return this.newestHeaders('Reading', streamId, version, 2);
  }

  /** The headers of the `limit` items with the highest sort keys at or below `upper` (or at all), newest first. */
  private async newestHeaders(operation: string, streamId: string, upper: number | undefined, limit: number): Promise<EventItemHeader[]> {
    if (upper !== undefined && upper < 1) return [];
    const condition = this.keyCondition(streamId, { upper });
    const { Items } = await this.read(operation, streamId, () =>
      this.client.send(
        new QueryCommand({
          ...condition,
          ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, ...HEADER_NAMES },
          ProjectionExpression: HEADER_PROJECTION,
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      ),
    );
    return (Items ?? []).map(decodeItemHeader);
  }

  private keyCondition(streamId: string, range: { lower?: number; upper?: number }, lowest = 1) {
    // Versions start at 1: sort key 0 is the stream's metadata item (lib/lifecycle), read only when asked for.
    const lower = Math.max(range.lower ?? lowest, lowest);
    const upper = range.upper;
    const values: Item = { ':stream': { S: streamId } };
    const names: Record<string, string> = { '#stream': A.streamId, '#version': A.version };
    const condition = upper === undefined ? '#stream = :stream AND #version >= :lower' : '#stream = :stream AND #version BETWEEN :lower AND :upper';
    values[':lower'] = { N: String(lower) };
    if (upper !== undefined) values[':upper'] = { N: String(upper) };
    return {
      TableName: this.tableName,
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }
}

/**
 * DynamoDB's idempotency token for a transaction (at most 36 characters). It stands for one
 * request exactly (stream, commit, this call's first event id, position, commit time), so the SDK's own retries
 * of a transaction that did commit are answered without a second write, while a later call that
 * retries the commit elsewhere is never refused as a token reused with other parameters.
 */
export function transactionToken(streamId: string, commitId: string, firstEventId: string, startVersion: number, committedAt: number): string {
  return createHash('sha256')
    .update(`${streamId}\0${commitId}\0${firstEventId}\0${startVersion}\0${committedAt}`)
    .digest('base64url')
    .slice(0, 36);
}

import {
  BatchWriteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { RetryOptions } from '../event-store/retry-policy.js';
import { backoffDelay, sleep } from '../event-store/retry-policy.js';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import { SnapshotItemAttribute as A } from '../tables/snapshots-table.js';
import { snapshotKeyRange } from './snapshot-keys.js';
import { withRetries } from '../event-store/request-retry.js';

const SAVE_ADVICE = 'A snapshot is visible only once all its items are written, so saving again is safe.';
const READ_ADVICE = 'Nothing was changed; reading again is safe.';
const DELETE_ADVICE = 'Deleting snapshot items again is safe.';

type Item = Record<string, AttributeValue>;

/** BatchWriteItem takes at most 25 requests. */
const BATCH_SIZE = 25;

/** What pruning needs of a snapshot item: its key and where its parts are. */
export interface SnapshotKeys {
  readonly sortKey: string;
  readonly version: number;
  readonly partsId?: string;
  readonly parts?: number;
}

/** The DynamoDB requests of the snapshot repository, on one snapshots table. Throttling is retried. */
export class SnapshotTableClient {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    private readonly retry: Required<RetryOptions>,
  ) {}

  /** One PutItem; resolves to the item it replaced, if any (same stream, version and revision). */
  async put(item: Item, operation: string): Promise<Item | undefined> {
    const { Attributes } = await withRetries({ operation, retry: this.retry, kind: 'idempotent-write', advice: SAVE_ADVICE }, () =>
      this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item, ReturnValues: 'ALL_OLD' })),
    );
    return Attributes;
  }

  async get(streamId: string, sortKey: string, operation: string): Promise<Item | undefined> {
    const { Item } = await withRetries({ operation, retry: this.retry, kind: 'read', advice: READ_ADVICE }, () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(streamId, sortKey), ConsistentRead: true })),
    );
    return Item;
  }

  /**
   * Snapshot items at or below `atOrBelowVersion`, newest first, strongly consistent. The first page
   * holds one item, since the newest usually is the one wanted and a Query bills every item it reads;
   * a revision is filtered on the server, so other revisions' states are not sent.
   */
  async *newestFirst(streamId: string, atOrBelowVersion: number | undefined, revision: number | undefined): AsyncGenerator<Item> {
    const { lower, upper } = snapshotKeyRange(atOrBelowVersion);
    const values: Item = { ':stream': { S: streamId }, ':lower': { S: lower }, ':upper': { S: upper } };
    const names: Record<string, string> = { '#stream': A.streamId, '#key': A.sortKey };
    if (revision !== undefined) {
      names['#revision'] = A.revision;
      values[':revision'] = { N: String(revision) };
    }
    let startKey: Item | undefined;
    let limit = 1;
    do {
      const page = await withRetries({ operation: `Snapshot load of stream "${streamId}"`, retry: this.retry, kind: 'read', advice: READ_ADVICE }, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#stream = :stream AND #key BETWEEN :lower AND :upper',
            FilterExpression: revision === undefined ? undefined : '#revision = :revision',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: limit,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) yield item;
      startKey = page.LastEvaluatedKey;
      limit = 10;
    } while (startKey !== undefined);
  }

  /**
   * The keys of the stream's snapshot items, newest first, strongly consistent (so that the snapshot
   * just saved counts among those kept). A Query bills the items' full size whatever the projection.
   */
  async snapshotKeys(streamId: string): Promise<SnapshotKeys[]> {
    const { lower, upper } = snapshotKeyRange();
    const items = await this.queryAll(streamId, {
      KeyConditionExpression: '#stream = :stream AND #key BETWEEN :lower AND :upper',
      ExpressionAttributeNames: { '#stream': A.streamId, '#key': A.sortKey, '#version': A.version, '#partsId': A.partsId, '#parts': A.parts },
      ExpressionAttributeValues: { ':stream': { S: streamId }, ':lower': { S: lower }, ':upper': { S: upper } },
      ProjectionExpression: '#key, #version, #partsId, #parts',
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    return items.map((item) => ({
      sortKey: item[A.sortKey]!.S!,
      version: Number(item[A.version]!.N),
      partsId: item[A.partsId]?.S,
      parts: item[A.parts] === undefined ? undefined : Number(item[A.parts].N),
    }));
  }

  /** The sort keys of every item of the stream (snapshots, their parts and any orphaned parts), strongly consistent. */
  async allSortKeys(streamId: string): Promise<string[]> {
    const items = await this.queryAll(streamId, {
      KeyConditionExpression: '#stream = :stream',
      ExpressionAttributeNames: { '#stream': A.streamId, '#key': A.sortKey },
      ExpressionAttributeValues: { ':stream': { S: streamId } },
      ProjectionExpression: '#key',
      ConsistentRead: true,
    });
    return items.map((item) => item[A.sortKey]!.S!);
  }

  /** Deletes items in batches of 25, in the order given, re-sending what DynamoDB leaves unprocessed. */
  async delete(streamId: string, sortKeys: readonly string[], operation: string): Promise<void> {
    for (let start = 0; start < sortKeys.length; start += BATCH_SIZE) {
      let requests: WriteRequest[] = sortKeys.slice(start, start + BATCH_SIZE).map((sortKey) => ({ DeleteRequest: { Key: key(streamId, sortKey) } }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > this.retry.maxAttempts) {
          throw new RetriesExhaustedError(operation, attempt - 1, 'UnprocessedItems', {
            advice: 'Some snapshot items were not deleted; deleting again is safe.',
          });
        }
        if (attempt > 1) await sleep(backoffDelay(attempt - 1, this.retry));
        const { UnprocessedItems } = await withRetries({ operation, retry: this.retry, kind: 'idempotent-write', advice: DELETE_ADVICE }, () =>
          this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } })),
        );
        requests = UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }

  private async queryAll(streamId: string, input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await withRetries({ operation: `Snapshot query of stream "${streamId}"`, retry: this.retry, kind: 'read', advice: READ_ADVICE }, () =>
        this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: startKey })),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }
}

function key(streamId: string, sortKey: string): Item {
  return { [A.streamId]: { S: streamId }, [A.sortKey]: { S: sortKey } };
}

import {
  BatchWriteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { createHash, randomUUID } from 'node:crypto';
import { decodeItemHeader, type EventItemHeader } from '../event-store/event-item.codec.js';
import { withRetries } from '../event-store/request-retry.js';
import { backoffDelay, sleep, type RetryOptions } from '../event-store/retry-policy.js';
import { EventItemAttribute as A } from '../tables/events-table.js';
import type { StreamDeletionMode } from './interfaces/stream-metadata.interface.js';
import {
  STREAM_METADATA_VERSION,
  decodeStreamMetadataItem,
  encodeStreamMetadataItem,
  purgeStubItem,
  tombstoneItem,
  type StoredStreamMeta,
  type StreamMetadataItem,
} from './stream-metadata-item.codec.js';

type Item = Record<string, AttributeValue>;

/**
 * The reserved partition that lists the streams with a metadata item, so that a purge finds them
 * with a Query instead of scanning the events table. Sort key: a hash of the stream id; attribute
 * `streams`: a string set (hash collisions simply share an item).
 */
export const LIFECYCLE_REGISTRY_STREAM = '$$lifecycle';
const REGISTRY_STREAMS = 'streams';
/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_ITEMS = 25;

/** What a conditional lifecycle write found. */
export type LifecycleWriteOutcome = 'written' | 'stream-moved' | 'metadata-moved';

/** The DynamoDB requests of stream deletion, truncation, retention and purging, on the events table. */
export class StreamLifecycleTable {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    private readonly retry: Required<RetryOptions>,
  ) {}

  /** The stream's metadata (strongly consistent; revision 0 and no limits when it has none). */
  async metadata(streamId: string): Promise<StreamMetadataItem> {
    const { Item } = await this.read(`Reading the metadata of stream "${streamId}"`, () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(streamId, STREAM_METADATA_VERSION), ConsistentRead: true })),
    );
    return decodeStreamMetadataItem(streamId, Item);
  }

  /** Writes the stream's metadata if it is still at `revision` (and lists the stream for purges). */
  async writeMetadata(streamId: string, meta: StoredStreamMeta, revision: number, now: number): Promise<LifecycleWriteOutcome> {
    return this.transact(`Writing the metadata of stream "${streamId}"`, [this.metadataPut(streamId, meta, revision, now), this.registryUpdate(streamId)]);
  }

  /**
   * Writes a deletion: the tombstone at `deletedVersion + 1` (only if that key is free: the
   * expected-version check) and the metadata (only if still at `revision`), atomically.
   */
  async writeDeletion(streamId: string, deletedVersion: number, mode: StreamDeletionMode, meta: StoredStreamMeta, revision: number, now: number): Promise<LifecycleWriteOutcome> {
    const tombstone: TransactWriteItem = {
      Put: { TableName: this.tableName, Item: tombstoneItem(streamId, deletedVersion, mode, now), ConditionExpression: `attribute_not_exists(${A.version})` },
    };
    return this.transact(`Deleting stream "${streamId}"`, [tombstone, this.metadataPut(streamId, meta, revision, now), this.registryUpdate(streamId)]);
  }

  /** The headers of the stream's items with sort keys `from` (default 1) to `upTo`, oldest first. */
  async itemHeaders(streamId: string, upTo: number, from = 1): Promise<EventItemHeader[]> {
    const headers: EventItemHeader[] = [];
    if (upTo < from) return headers;
    let startKey: Item | undefined;
    do {
      const page = await this.read(`Listing the items of stream "${streamId}"`, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#s = :s AND #v BETWEEN :one AND :upTo',
            ExpressionAttributeNames: { '#s': A.streamId, '#v': A.version, '#l': A.lastVersion, '#c': A.commitId, '#a': A.committedAt, '#cl': A.commitLastVersion, '#d': A.deleted, '#p': A.purged },
            ExpressionAttributeValues: { ':s': { S: streamId }, ':one': { N: String(Math.max(from, 1)) }, ':upTo': { N: String(upTo) } },
            ProjectionExpression: '#s, #v, #l, #c, #a, #cl, #d, #p',
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) headers.push(decodeItemHeader(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return headers;
  }

  /**
   * Replaces the item at `version` (the first of a run of purged items) by a purge stub standing
   * for versions `version` to `lastVersion`, unless a stub there already reaches as far (a purge
   * running at the same time): a stub never moves back.
   */
  async putPurgeStub(streamId: string, version: number, lastVersion: number, now: number): Promise<void> {
    try {
      await this.write(`Purging stream "${streamId}"`, () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: purgeStubItem(streamId, version, lastVersion, now),
            ConditionExpression: 'attribute_not_exists(#p) OR #l < :l',
            ExpressionAttributeNames: { '#p': A.purged, '#l': A.lastVersion },
            ExpressionAttributeValues: { ':l': { N: String(lastVersion) } },
          }),
        ),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  /** The header of the stream's last item (strongly consistent), if it has any events. */
  async lastItem(streamId: string): Promise<EventItemHeader | undefined> {
    const { Items } = await this.read(`Reading the head of stream "${streamId}"`, () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#s = :s AND #v >= :one',
          ExpressionAttributeNames: { '#s': A.streamId, '#v': A.version, '#l': A.lastVersion, '#c': A.commitId, '#a': A.committedAt, '#cl': A.commitLastVersion, '#d': A.deleted, '#p': A.purged },
          ExpressionAttributeValues: { ':s': { S: streamId }, ':one': { N: '1' } },
          ProjectionExpression: '#s, #v, #l, #c, #a, #cl, #d, #p',
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      ),
    );
    return Items?.[0] === undefined ? undefined : decodeItemHeader(Items[0]);
  }

  /** Deletes the stream's items at these sort keys (BatchWriteItem, unprocessed ones sent again). */
  async deleteItems(streamId: string, versions: readonly number[]): Promise<void> {
    for (let i = 0; i < versions.length; i += BATCH_WRITE_ITEMS) {
      let requests = versions.slice(i, i + BATCH_WRITE_ITEMS).map((version) => ({ DeleteRequest: { Key: key(streamId, version) } }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        const sent = requests;
        const { UnprocessedItems } = await this.write(`Purging stream "${streamId}"`, () =>
          this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: sent } })),
        );
        requests = (UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        if (requests.length > 0) await sleep(backoffDelay(Math.min(attempt, 6), this.retry));
      }
    }
  }

  /** Every stream that ever had a metadata item (deleted, truncated or with retention limits). */
  async registeredStreams(): Promise<string[]> {
    const streams = new Set<string>();
    let startKey: Item | undefined;
    do {
      const page = await this.read('Listing the streams with metadata', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#s = :s',
            ExpressionAttributeNames: { '#s': A.streamId },
            ExpressionAttributeValues: { ':s': { S: LIFECYCLE_REGISTRY_STREAM } },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) for (const streamId of item[REGISTRY_STREAMS]?.SS ?? []) streams.add(streamId);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return [...streams].sort();
  }

  private metadataPut(streamId: string, meta: StoredStreamMeta, revision: number, now: number): TransactWriteItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: encodeStreamMetadataItem(streamId, meta, revision + 1, now),
        ConditionExpression: revision === 0 ? `attribute_not_exists(${A.version})` : '#rev = :rev',
        ...(revision === 0 ? {} : { ExpressionAttributeNames: { '#rev': A.metaRevision }, ExpressionAttributeValues: { ':rev': { N: String(revision) } } }),
      },
    };
  }

  private registryUpdate(streamId: string): TransactWriteItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: key(LIFECYCLE_REGISTRY_STREAM, registrySortKey(streamId)),
        UpdateExpression: 'ADD #streams :stream',
        ExpressionAttributeNames: { '#streams': REGISTRY_STREAMS },
        ExpressionAttributeValues: { ':stream': { SS: [streamId] } },
      },
    };
  }

  /**
   * One transaction, retried on throttling and conflicts; the token makes the SDK's and these
   * retries of a transaction that did commit succeed without a second write.
   */
  private async transact(operation: string, items: TransactWriteItem[]): Promise<LifecycleWriteOutcome> {
    const token = randomUUID();
    try {
      await this.write(operation, () => this.client.send(new TransactWriteItemsCommand({ TransactItems: items, ClientRequestToken: token })));
      return 'written';
    } catch (error) {
      if ((error as { name?: string }).name !== 'TransactionCanceledException') throw error;
      const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
      const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
      if (failed < 0) throw error;
      // The metadata is always the second-to-last request, the registry update the last.
      return failed === items.length - 2 ? 'metadata-moved' : 'stream-moved';
    }
  }

  private read<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return withRetries({ operation, retry: this.retry, kind: 'read', advice: 'Nothing was written; reading again is safe.' }, send);
  }

  private write<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return withRetries({ operation, retry: this.retry, kind: 'idempotent-write', advice: 'Running the same operation again is safe: it picks up where it stopped.' }, send);
  }
}

function key(streamId: string, version: number): Item {
  return { [A.streamId]: { S: streamId }, [A.version]: { N: String(version) } };
}

/** A stable 48-bit number from the stream id: the registry item listing it. */
function registrySortKey(streamId: string): number {
  return createHash('sha256').update(streamId).digest().readUIntBE(0, 6);
}

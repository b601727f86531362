import type { CreateTableInput, StreamSpecification, StreamViewType } from '@aws-sdk/client-dynamodb';

/**
 * Attributes of one item of the events table. One item holds one commit (or, for a commit over
 * 400 KB, one slice of it): the events with versions `version` to `lastVersion`, as a JSON array.
 * Per-event overhead is a few bytes of JSON; per-item overhead is about 120 bytes.
 *
 * Besides the users' streams, the table holds the module's own items under reserved partition keys
 * starting with `$$` (which stream ids may not): the feed index (`$$feed`, see
 * lib/feed/index/feed-index-keys.ts) and the indexer's lease (`$$feed-indexer`).
 */
export const EventItemAttribute = {
  /** Partition key (S): the stream id. */
  streamId: 'streamId',
  /** Sort key (N): version of the first event in the item. */
  version: 'version',
  /** (N) version of the last event in the item. */
  lastVersion: 'lastVersion',
  /** (S) id of the commit the item belongs to. */
  commitId: 'commitId',
  /** (N) commit time, Unix milliseconds, by the writer's clock (shown to users; no order depends on it). */
  committedAt: 'committedAt',
  /** (S) UUIDv7 of the item's first event; the others follow it (see event-id.ts). Omitted when equal to commitId. */
  firstEventId: 'firstEventId',
  /** (S) JSON array of `{ "type": string, "rev"?: number, "data": object }`, one per event, in version order (`rev` only above 1). */
  events: 'events',
  /** (S, optional) JSON object of commit metadata; correlation and causation ids under `$corr` and `$cause`. */
  metadata: 'metadata',
  /** (N, only on commits split over several items) version of the commit's last event. */
  commitLastVersion: 'commitLastVersion',
  /**
   * (N, only on a commit's first item, written by version 0.3 only) the stream's shard of 0.3's
   * feed index {@link FEED_INDEX}. 0.4 neither writes nor reads it; items written by 0.3 keep it
   * (a few bytes), and so do those of 0.3 writers still running during a rolling upgrade.
   */
  feedShard: 'feedShard',
  /**
   * (S, only on a stream's metadata item, sort key 0) JSON of the stream's retention and deletion
   * state (see lib/lifecycle/stream-metadata-item.codec.ts). The metadata item has no events and is
   * never a commit.
   */
  streamMeta: 'streamMeta',
  /** (N, metadata item) bumped on every change of `streamMeta`: the optimistic-concurrency check of metadata writes. */
  metaRevision: 'metaRevision',
  /** (N, metadata item) when `streamMeta` last changed, Unix milliseconds. */
  updatedAt: 'updatedAt',
  /** (S, only on a deletion's tombstone item) `soft` or `hard`: the head read of an append tells a deleted stream by it. */
  deleted: 'deleted',
  /** (BOOL, only on a purge stub: the item that replaced a purged stream's first item, so that key 1 stays taken) true. */
  purged: 'purged',
} as const;

/**
 * The global secondary index behind version 0.3's feed (partition key `feedShard`, sort key
 * `committedAt`). 0.4's feed reads the table's DynamoDB Stream instead, so 0.4 tables have no GSI;
 * a 0.3 table keeps it until `nestjs-dynamo-es feed migrate --drop-gsi` deletes it (once no 0.3
 * writer or reader runs any more).
 * @deprecated Only for migrating from 0.3.
 */
export const FEED_INDEX = 'feed';

/**
 * The events table's DynamoDB Stream, which the feed's indexer reads. `NEW_IMAGE`: the indexer needs
 * each new item's versions and commit id, which `KEYS_ONLY` would make it read back from the table
 * (a read per commit); stream reads are billed per request whatever the records' size.
 */
export const EVENTS_STREAM_VIEW_TYPE: StreamViewType = 'NEW_IMAGE';

/** View types the feed can read: both carry the new item. */
export const FEED_STREAM_VIEW_TYPES: readonly StreamViewType[] = ['NEW_IMAGE', 'NEW_AND_OLD_IMAGES'];

export const EVENTS_STREAM_SPECIFICATION: StreamSpecification = { StreamEnabled: true, StreamViewType: EVENTS_STREAM_VIEW_TYPE };

export interface EventsTableDefinitionOptions {
  /** Include the DynamoDB Stream the feed reads (default true); false for apps that turn the feed off. */
  feed?: boolean;
}

/**
 * The events table as a `CreateTableInput`, for `tableSetup: 'create'` and for carrying into
 * CloudFormation, CDK or Terraform: keys `streamId` and `version`, on-demand billing, and (unless
 * `feed: false`) a DynamoDB Stream of view type `NEW_IMAGE`.
 */
export function eventsTableDefinition(tableName: string, options: EventsTableDefinitionOptions = {}): CreateTableInput {
  const table: CreateTableInput = {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: EventItemAttribute.streamId, AttributeType: 'S' },
      { AttributeName: EventItemAttribute.version, AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: EventItemAttribute.streamId, KeyType: 'HASH' },
      { AttributeName: EventItemAttribute.version, KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
  if (options.feed !== false) table.StreamSpecification = { ...EVENTS_STREAM_SPECIFICATION };
  return table;
}

import type { CreateTableInput } from '@aws-sdk/client-dynamodb';

/**
 * Attributes of one item of the events table. One item holds one commit (or, for a commit over
 * 400 KB, one slice of it): the events with versions `version` to `lastVersion`, as a JSON array.
 * Per-event overhead is a few bytes of JSON; per-item overhead is about 120 bytes.
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
  /** (N) commit time, Unix milliseconds. */
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
   * (N, only on a commit's first item, when the feed is on) the feed index shard of the stream:
   * the partition key of the {@link FEED_INDEX}, whose sort key is `committedAt`.
   */
  feedShard: 'feedShard',
} as const;

/**
 * The global secondary index behind the feed: partition key `feedShard`, sort key `committedAt`.
 * It projects the table's keys plus `lastVersion` and `commitLastVersion` (so that a reader knows
 * how many events an entry holds before fetching them): about 170 bytes plus the stream id per
 * entry, 1 write unit per commit for stream ids up to 850 bytes.
 */
export const FEED_INDEX = 'feed';

export interface EventsTableDefinitionOptions {
  /** Include the feed index (default true); false for apps that turn the feed off. */
  feed?: boolean;
}

/**
 * The events table as a `CreateTableInput`, for `tableSetup: 'create'` and for carrying into
 * CloudFormation, CDK or Terraform. On-demand billing by default (an on-demand table's indexes
 * are on-demand too).
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
  if (options.feed === false) return table;
  table.AttributeDefinitions!.push(
    { AttributeName: EventItemAttribute.feedShard, AttributeType: 'N' },
    { AttributeName: EventItemAttribute.committedAt, AttributeType: 'N' },
  );
  table.GlobalSecondaryIndexes = [
    {
      IndexName: FEED_INDEX,
      KeySchema: [
        { AttributeName: EventItemAttribute.feedShard, KeyType: 'HASH' },
        { AttributeName: EventItemAttribute.committedAt, KeyType: 'RANGE' },
      ],
      Projection: {
        ProjectionType: 'INCLUDE',
        NonKeyAttributes: [EventItemAttribute.lastVersion, EventItemAttribute.commitLastVersion],
      },
    },
  ];
  return table;
}

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
} as const;

/**
 * The events table as a `CreateTableInput`, for `tableSetup: 'create'` and for carrying into
 * CloudFormation, CDK or Terraform. On-demand billing by default.
 */
export function eventsTableDefinition(tableName: string): CreateTableInput {
  return {
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
}

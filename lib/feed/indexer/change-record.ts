import type { EventItemHeader } from '../../event-store/event-item.codec.js';

/**
 * One record of the events table's DynamoDB Stream, as the indexer needs it: where it is in its
 * shard, and the header of the item it inserted. Built from the SDK's GetRecords output or from a
 * Lambda event (see stream-records.ts); records of the module's own items (`$$...`), of
 * modifications and of removals are not ChangeRecords.
 */
export interface ChangeRecord {
  /** The shard the record was read from; undefined in a Lambda event, which does not say. */
  readonly shardId?: string;
  readonly sequenceNumber: string;
  /** The inserted item's keys and commit header (from the record's NewImage). */
  readonly item: EventItemHeader;
}

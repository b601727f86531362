import { FeedStreamViewTypeError } from '../errors/feed-stream-view-type.error.js';
import { FEED_INDEX_STREAM, FeedIndexAttribute as F } from '../feed/index/feed-index-keys.js';
import type { DynamoDBRecord } from '../feed/indexer/stream-records.js';
import { EventItemAttribute as E } from '../tables/events-table.js';

/**
 * The event source mapping filter of a function made with `createProjectionsHandler` or
 * `createEventHandlersHandler` (`FilterCriteria` of AWS::Lambda::EventSourceMapping): only the
 * insertions of feed index batches reach the function. A batch is the one `$$feed` item with a
 * `commits` attribute (the index's meta item, at sort key 0, and its saved checkpoint, at -1, have
 * none), and it is only ever written once, by a conditional PutItem (an INSERT). Matching on the
 * attribute's presence avoids a numeric match on the sort key, which DynamoDB's JSON carries as a
 * string.
 */
export const FEED_INDEX_BATCH_FILTER = {
  eventName: ['INSERT'],
  dynamodb: {
    Keys: { [E.streamId]: { S: [FEED_INDEX_STREAM] } },
    NewImage: { [F.commits]: { S: [{ exists: true }] } },
  },
} as const;

/** {@link FEED_INDEX_BATCH_FILTER} as the `FilterCriteria` value of an event source mapping (the pattern is a JSON string). */
export const FEED_INDEX_BATCH_FILTER_CRITERIA = { Filters: [{ Pattern: JSON.stringify(FEED_INDEX_BATCH_FILTER) }] } as const;

/** A record of a feed index batch, and the index position of the batch's last commit. */
export interface IndexBatchRecord {
  readonly record: DynamoDBRecord;
  /** Position of the batch's first commit (the item's sort key). */
  readonly position: number;
  /** Position of the batch's last commit (`lastVersion`). */
  readonly lastPosition: number;
}

/**
 * Whether a record is the insertion of a feed index batch: the same selection as
 * {@link FEED_INDEX_BATCH_FILTER}, checked in code, so that a function whose mapping has no filter
 * (or a wider one) still reads only what it should.
 */
export function isIndexBatchRecord(record: DynamoDBRecord): boolean {
  return record.eventName === 'INSERT' && record.dynamodb?.Keys?.[E.streamId]?.S === FEED_INDEX_STREAM && Number(record.dynamodb.Keys[E.version]?.N) >= 1;
}

/**
 * The batch records of a Lambda event, in event order (other records are left out).
 * @throws FeedStreamViewTypeError for a batch record without its new image (a KEYS_ONLY stream): its last position is unknown.
 */
export function indexBatchRecordsOf(records: readonly DynamoDBRecord[]): IndexBatchRecord[] {
  const batches: IndexBatchRecord[] = [];
  for (const record of records) {
    if (!isIndexBatchRecord(record)) continue;
    const image = record.dynamodb?.NewImage;
    if (image === undefined) throw FeedStreamViewTypeError.withoutNewImage(record.dynamodb?.StreamViewType, record.eventSourceARN);
    const position = Number(record.dynamodb!.Keys![E.version]!.N);
    batches.push({ record, position, lastPosition: Number(image[E.lastVersion]?.N ?? position) });
  }
  return batches;
}

/** Lambda's partial batch response (the mapping needs `FunctionResponseTypes: ['ReportBatchItemFailures']`). */
export interface BatchItemFailuresResponse {
  /** The records to deliver again, by sequence number; Lambda resumes from the lowest one. */
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/**
 * The partial batch response once every consumer got as far as `reached` (the lowest position all
 * of them handled everything up to): the first batch record past it and every record after it, in
 * event order. Records at or below `reached` are not named: were they delivered again, their
 * positions would be under every checkpoint, and nothing would be read for them.
 */
export function batchItemFailuresAfter(records: readonly DynamoDBRecord[], batches: readonly IndexBatchRecord[], reached: number): BatchItemFailuresResponse {
  const first = batches.find((batch) => batch.lastPosition > reached);
  if (first === undefined) return { batchItemFailures: [] };
  const from = records.indexOf(first.record);
  return {
    batchItemFailures: records
      .slice(from)
      .map((record) => record.dynamodb?.SequenceNumber)
      .filter((sequenceNumber): sequenceNumber is string => sequenceNumber !== undefined)
      .map((itemIdentifier) => ({ itemIdentifier })),
  };
}

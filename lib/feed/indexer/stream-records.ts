import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { FeedStreamViewTypeError } from '../../errors/feed-stream-view-type.error.js';
import { decodeItemHeader } from '../../event-store/event-item.codec.js';
import { RESERVED_STREAM_PREFIX } from '../../event-store/input-validation.js';
import { STREAM_METADATA_VERSION } from '../../lifecycle/stream-metadata-item.codec.js';
import { EventItemAttribute as A } from '../../tables/events-table.js';
import type { ChangeRecord } from './change-record.js';

/**
 * An attribute value as a record carries it. Only strings and numbers are read (both as strings:
 * JSON has no exact decimal type), so the SDK's values and the JSON of a Lambda event both fit.
 */
interface RecordAttribute {
  readonly S?: string;
  readonly N?: string;
}

type RecordImage = Readonly<Record<string, RecordAttribute | undefined>>;

/**
 * One record of a DynamoDB Streams event as Lambda delivers it (the JSON; the fields the indexer
 * reads, plus the usual ones). A minimal local type, so that the module does not depend on
 * `@types/aws-lambda`; that package's `DynamoDBRecord` can be passed as it is.
 */
export interface DynamoDBRecord {
  readonly eventID?: string;
  /** `INSERT`, `MODIFY` or `REMOVE`. */
  readonly eventName?: string;
  readonly eventVersion?: string;
  readonly eventSource?: string;
  readonly awsRegion?: string;
  /** The ARN of the DynamoDB Stream the record was read from. */
  readonly eventSourceARN?: string;
  readonly dynamodb?: {
    readonly Keys?: RecordImage;
    readonly NewImage?: RecordImage;
    readonly OldImage?: RecordImage;
    /** Decimal string, unique and increasing within a shard; Lambda's partial batch response names records by it. */
    readonly SequenceNumber?: string;
    readonly SizeBytes?: number;
    readonly StreamViewType?: string;
    /** Seconds since the epoch (a number in Lambda's JSON, where the SDK has a Date). */
    readonly ApproximateCreationDateTime?: number;
  };
}

/** A DynamoDB Streams event for Lambda: what the event source mapping invokes the function with. */
export interface DynamoDBStreamEvent {
  readonly Records: readonly DynamoDBRecord[];
}

/** The attributes of an events table item the indexer needs, with their types (see EventItemAttribute). */
const HEADER_ATTRIBUTES = [
  [A.streamId, 'S'],
  [A.version, 'N'],
  [A.lastVersion, 'N'],
  [A.commitId, 'S'],
  [A.committedAt, 'N'],
] as const;

/**
 * The ChangeRecord of a record read with GetRecords from shard `shardId`, or undefined for a record
 * the feed does not index (see {@link toChangeRecord}).
 */
export function changeRecordFromStream(record: _Record, shardId: string): ChangeRecord | undefined {
  const stream = record.dynamodb;
  return toChangeRecord(
    {
      eventName: record.eventName,
      keys: stream?.Keys as RecordImage | undefined,
      newImage: stream?.NewImage as RecordImage | undefined,
      sequenceNumber: stream?.SequenceNumber,
      viewType: stream?.StreamViewType,
      source: `shard ${shardId}`,
    },
    shardId,
  );
}

/** The ChangeRecord of a record of a Lambda event (it has no shard id), or undefined (see {@link toChangeRecord}). */
export function changeRecordFromLambda(record: DynamoDBRecord): ChangeRecord | undefined {
  const stream = record.dynamodb;
  return toChangeRecord(
    {
      eventName: record.eventName,
      keys: stream?.Keys,
      newImage: stream?.NewImage,
      sequenceNumber: stream?.SequenceNumber,
      viewType: stream?.StreamViewType,
      source: record.eventSourceARN,
    },
    undefined,
  );
}

interface RecordParts {
  readonly eventName: string | undefined;
  readonly keys: RecordImage | undefined;
  readonly newImage: RecordImage | undefined;
  readonly sequenceNumber: string | undefined;
  readonly viewType: string | undefined;
  readonly source: string | undefined;
}

/**
 * Undefined for what the feed does not index:
 * - MODIFY and REMOVE records. The module never modifies or deletes an event item (every write is a
 *   PutItem or transaction on the condition that the key is free), so a commit is always an INSERT;
 *   modifications are of the module's own items (the indexer's lease), and removals are of items
 *   someone deleted by hand or by TTL, which the index never needs to hear of.
 * - Records of the module's own items (stream ids starting with `$$`: index batches, the lease).
 * - A stream's metadata item (sort key 0: retention and deletion state, never a commit), and a purge
 *   stub (the item that takes a purged stream's key 1; written over item 1, so normally a MODIFY,
 *   but an INSERT where item 1 was already gone). A deletion's tombstone is a commit like any other.
 * An INSERT without its new image is a FeedStreamViewTypeError (the stream's view type is wrong);
 * one without the events table's attributes is one too (the wrong table's stream).
 */
function toChangeRecord(parts: RecordParts, shardId: string | undefined): ChangeRecord | undefined {
  if (parts.eventName !== 'INSERT') return undefined;
  const streamId = parts.keys?.[A.streamId]?.S;
  if (streamId === undefined) throw FeedStreamViewTypeError.notAnEventItem(`its keys have no string "${A.streamId}"`, parts.source);
  if (streamId.startsWith(RESERVED_STREAM_PREFIX)) return undefined;
  if (parts.keys?.[A.version]?.N === String(STREAM_METADATA_VERSION)) return undefined;
  if (parts.sequenceNumber === undefined) throw FeedStreamViewTypeError.notAnEventItem('it has no SequenceNumber', parts.source);
  if (parts.newImage === undefined) throw FeedStreamViewTypeError.withoutNewImage(parts.viewType, parts.source);
  if ((parts.newImage as Record<string, { BOOL?: boolean }>)[A.purged]?.BOOL === true) return undefined; // a purge stub: no commit
  const item = headerOf(parts.newImage, parts.source);
  return { shardId, sequenceNumber: parts.sequenceNumber, item };
}

/** The item header, through the codec the event store reads items with (so both agree on the layout). */
function headerOf(image: RecordImage, source: string | undefined) {
  const item: Record<string, AttributeValue> = {};
  for (const [name, type] of HEADER_ATTRIBUTES) {
    const value = image[name]?.[type];
    if (typeof value !== 'string') throw FeedStreamViewTypeError.notAnEventItem(`its image has no ${type === 'S' ? 'string' : 'number'} "${name}"`, source);
    item[name] = type === 'S' ? { S: value } : { N: value };
  }
  const commitLast = image[A.commitLastVersion]?.N;
  if (commitLast !== undefined) item[A.commitLastVersion] = { N: commitLast };
  return decodeItemHeader(item);
}

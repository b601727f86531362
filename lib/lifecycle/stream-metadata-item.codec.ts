import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { newEventId } from '../serialization/event-id.js';
import { EventItemAttribute as A } from '../tables/events-table.js';
import type { StreamDeletionMode, StreamMetadata } from './interfaces/stream-metadata.interface.js';

type Item = Record<string, AttributeValue>;

/** Sort key of a stream's metadata item: below every event (versions start at 1). */
export const STREAM_METADATA_VERSION = 0;
/** The stored type name of a deletion's tombstone event; delivered by the feed as `StreamDeleted`. */
export const STREAM_DELETED_TYPE = '$streamDeleted';
/** The commit id of a purge stub (for people reading the table: stubs are told by their `purged` attribute). */
export const PURGED_COMMIT_ID = '$purged';

/** The metadata as stored: times in Unix milliseconds. */
export interface StoredStreamMeta {
  maxAge?: number;
  maxCount?: number;
  truncateBefore?: number;
  /** When `truncateBefore` last rose (items below it may be deleted a purge fence after that). */
  truncatedAt?: number;
  /** `erasedAt`: when a hard delete's erasure completed (a purge has nothing left to do for the stream). */
  deleted?: { mode: StreamDeletionMode; version: number; at: number; erasedAt?: number };
}

/** A stream's metadata item, decoded. */
export interface StreamMetadataItem {
  readonly streamId: string;
  readonly meta: StoredStreamMeta;
  /** 0 when the stream has no metadata item. */
  readonly revision: number;
  readonly updatedAt?: number;
}

/** The data of a tombstone's one event. */
export interface TombstoneData {
  readonly mode: StreamDeletionMode;
  readonly deletedVersion: number;
}

export function encodeStreamMetadataItem(streamId: string, meta: StoredStreamMeta, revision: number, updatedAt: number): Item {
  return {
    [A.streamId]: { S: streamId },
    [A.version]: { N: String(STREAM_METADATA_VERSION) },
    [A.lastVersion]: { N: String(STREAM_METADATA_VERSION) },
    [A.streamMeta]: { S: JSON.stringify(meta) },
    [A.metaRevision]: { N: String(revision) },
    [A.updatedAt]: { N: String(updatedAt) },
  };
}

/** The metadata of `streamId` from its item (or its absence: no limits, revision 0). */
export function decodeStreamMetadataItem(streamId: string, item: Item | undefined): StreamMetadataItem {
  if (item === undefined) return { streamId, meta: {}, revision: 0 };
  return {
    streamId,
    meta: JSON.parse(item[A.streamMeta]?.S ?? '{}') as StoredStreamMeta,
    revision: Number(item[A.metaRevision]?.N ?? '0'),
    updatedAt: item[A.updatedAt] === undefined ? undefined : Number(item[A.updatedAt].N),
  };
}

/** Whether a raw item of the events table is a stream's metadata item rather than events. */
export function isStreamMetadataItem(item: Item): boolean {
  return item[A.version]?.N === String(STREAM_METADATA_VERSION) && item[A.streamMeta] !== undefined;
}

/** The public form of stored metadata. */
export function toStreamMetadata(meta: StoredStreamMeta): StreamMetadata {
  const result: { -readonly [K in keyof StreamMetadata]: StreamMetadata[K] } = {};
  if (meta.maxAge !== undefined) result.maxAge = meta.maxAge;
  if (meta.maxCount !== undefined) result.maxCount = meta.maxCount;
  if (meta.truncateBefore !== undefined) result.truncateBefore = meta.truncateBefore;
  if (meta.deleted !== undefined) result.deleted = { mode: meta.deleted.mode, version: meta.deleted.version, at: new Date(meta.deleted.at) };
  return result;
}

/**
 * A deletion's tombstone: an ordinary one-event item at `deletedVersion + 1`, which takes the key a
 * writer with a stale cache would write next, and which the feed delivers as `StreamDeleted`.
 */
export function tombstoneItem(streamId: string, deletedVersion: number, mode: StreamDeletionMode, committedAt: number): Item {
  const eventId = newEventId(committedAt);
  const data: TombstoneData = { mode, deletedVersion };
  return {
    [A.streamId]: { S: streamId },
    [A.version]: { N: String(deletedVersion + 1) },
    [A.lastVersion]: { N: String(deletedVersion + 1) },
    [A.commitId]: { S: eventId },
    [A.committedAt]: { N: String(committedAt) },
    [A.events]: { S: JSON.stringify([{ type: STREAM_DELETED_TYPE, data }]) },
    [A.deleted]: { S: mode },
  };
}

/**
 * What replaces the first item of a run of purged items: no events, the versions `version` to
 * `lastVersion` it stands for (so the chain of items stays contiguous), and its key kept taken (at
 * key 1, a `NO_STREAM` append writes without reading first, and must collide).
 */
export function purgeStubItem(streamId: string, version: number, lastVersion: number, purgedAt: number): Item {
  return {
    [A.streamId]: { S: streamId },
    [A.version]: { N: String(version) },
    [A.lastVersion]: { N: String(lastVersion) },
    [A.commitId]: { S: PURGED_COMMIT_ID },
    [A.committedAt]: { N: String(purgedAt) },
    [A.events]: { S: '[]' },
    [A.purged]: { BOOL: true },
  };
}

/** Whether an item (or its header) is a purge stub: by its `purged` attribute (a commit id is the caller's to choose). */
export const isPurgeStub = (item: { purged?: true }): boolean => item.purged === true;

/** Whether a raw item of the events table is a purge stub. */
export const isRawPurgeStub = (item: Item): boolean => item[A.purged]?.BOOL === true;

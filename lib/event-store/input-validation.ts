import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { usesReservedKey } from '../metadata/commit-metadata.js';
import type { ReadOptions } from './interfaces/read-options.interface.js';
import { describeValue } from '../errors/describe-value.js';
import { assertOptionsObject, describeArgument, hasLoneSurrogate, isPlainObject, isRevokedProxy } from './argument-shape.js';

/** DynamoDB allows 2 KB partition keys; 1 KB leaves room for prefixes users add later. */
export const MAX_STREAM_ID_BYTES = 1024;
export const MAX_COMMIT_ID_LENGTH = 256;
/** Stream ids starting with this are the module's own (the feed index and its indexer's lease: lib/feed/index/feed-index-keys.ts). */
export const RESERVED_STREAM_PREFIX = '$$';
/** Correlation and causation ids are stored with every item of a commit: ids, not payloads. */
export const MAX_MESSAGE_ID_LENGTH = 256;
/** Commit metadata is stored in every item of the commit: it must leave room for events. */
export const MAX_METADATA_BYTES = 64 * 1024;
/** A read's pageSize is DynamoDB's `Limit`, a 32-bit integer: a larger one fails the Query (an InternalFailure on DynamoDB Local). */
export const MAX_READ_PAGE_SIZE = 2 ** 31 - 1;
const READ_OPTION_KEYS = ['fromVersion', 'toVersion', 'direction', 'pageSize'];

export function assertStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidArgumentError(EventStoreErrorCode.INVALID_STREAM_ID, `streamId must be a non-empty string; got ${describeValue(streamId)}.`);
  }
  if (streamId.startsWith(RESERVED_STREAM_PREFIX)) {
    throw new InvalidArgumentError(
      EventStoreErrorCode.INVALID_STREAM_ID,
      `streamId must not start with "${RESERVED_STREAM_PREFIX}" (reserved for the module's own items); got ${describeValue(streamId)}.`,
    );
  }
  if (hasLoneSurrogate(streamId)) {
    throw new InvalidArgumentError(
      EventStoreErrorCode.INVALID_STREAM_ID,
      'streamId holds a lone surrogate (UTF-16 with no UTF-8 form), which DynamoDB cannot store as it is: two such ids could name the same stream.',
    );
  }
  const bytes = Buffer.byteLength(streamId, 'utf8');
  if (bytes > MAX_STREAM_ID_BYTES) {
    throw new InvalidArgumentError(
      EventStoreErrorCode.INVALID_STREAM_ID,
      `streamId takes ${bytes} bytes in UTF-8; at most ${MAX_STREAM_ID_BYTES} are allowed.`,
    );
  }
}

export function assertCommitId(commitId: unknown): asserts commitId is string {
  if (typeof commitId !== 'string' || commitId.length === 0 || commitId.length > MAX_COMMIT_ID_LENGTH) {
    throw new InvalidArgumentError(
      EventStoreErrorCode.INVALID_COMMIT_ID,
      `commitId must be a string of 1 to ${MAX_COMMIT_ID_LENGTH} characters; got ${describeValue(commitId)}.`,
    );
  }
  // Stored as a DynamoDB string, and compared with the stored one to recognize a retry.
  if (hasLoneSurrogate(commitId)) {
    throw new InvalidArgumentError(EventStoreErrorCode.INVALID_COMMIT_ID, 'commitId holds a lone surrogate (UTF-16 with no UTF-8 form), which DynamoDB cannot store as it is.');
  }
}

/**
 * Metadata is a plain object: an instance of a class (a Date, a Map) would be stored as whatever
 * its JSON form is (a string, `{}`), and symbol keys would be dropped without a word.
 */
export function assertMetadata(metadata: unknown): asserts metadata is Record<string, unknown> {
  if (!isPlainObject(metadata)) {
    throw new InvalidArgumentError(EventStoreErrorCode.INVALID_METADATA, `metadata must be a JSON object (a plain { key: value } object); got ${describeArgument(metadata)}.`);
  }
  const symbolKey = Object.getOwnPropertySymbols(metadata).find((key) => Object.prototype.propertyIsEnumerable.call(metadata, key));
  if (symbolKey !== undefined) {
    throw new InvalidArgumentError(EventStoreErrorCode.INVALID_METADATA, `metadata keys must be strings; got the symbol key ${String(symbolKey)}, which JSON would drop.`);
  }
}

/** The app's metadata must leave the keys that carry the correlation and causation ids alone. */
export function assertNoReservedMetadataKey(metadata: Record<string, unknown>, where: string): void {
  const key = usesReservedKey(metadata);
  if (key !== undefined) {
    throw new InvalidArgumentError(
      EventStoreErrorCode.INVALID_METADATA,
      `${where} uses the key "${key}", which is reserved for the correlation and causation ids: set those with correlationId and causationId.`,
    );
  }
}

export function assertMessageId(name: 'correlationId' | 'causationId', id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_MESSAGE_ID_LENGTH) {
    throw new InvalidArgumentError(
      EventStoreErrorCode.INVALID_METADATA,
      `${name} must be a string of 1 to ${MAX_MESSAGE_ID_LENGTH} characters; got ${describeValue(id)}.`,
    );
  }
}

export function assertMetadataSize(metadataJson: string): void {
  const bytes = Buffer.byteLength(metadataJson, 'utf8');
  if (bytes > MAX_METADATA_BYTES) {
    throw new InvalidArgumentError(
      EventStoreErrorCode.INVALID_METADATA,
      `metadata takes ${bytes} bytes as JSON; at most ${MAX_METADATA_BYTES} are allowed (it is stored with every item of the commit).`,
    );
  }
}

/**
 * Checks the events of an append and returns them as a new array, each element read once (a
 * Proxy or getter cannot hand the encoder something other than what was checked). A hole
 * (`[e1, , e2]`) is refused: iterating methods skip it, so it would otherwise reach the packer.
 */
export function checkedEventList(events: unknown): object[] {
  const invalid = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_EVENT, `${message} Nothing was written.`);
  if (isRevokedProxy(events) || !Array.isArray(events)) throw invalid(`events must be an array; got ${describeArgument(events)}.`);
  const { length } = events;
  if (length === 0) throw new InvalidArgumentError(EventStoreErrorCode.INVALID_EVENT, 'An append needs at least one event; nothing was written.');
  const checked: object[] = [];
  for (let index = 0; index < length; index++) {
    if (!Object.hasOwn(events, index)) throw invalid(`Event #${index} is missing: the events array has a hole there.`);
    const event: unknown = events[index];
    if (event === null || typeof event !== 'object' || isRevokedProxy(event) || Array.isArray(event)) {
      throw invalid(`Event #${index} must be an instance of a registered event class; got ${describeArgument(event)}.`);
    }
    checked.push(event);
  }
  return checked;
}

/** Checks read options and fills in defaults. */
export function resolveReadOptions(options: ReadOptions | undefined): Required<Omit<ReadOptions, 'pageSize'>> & Pick<ReadOptions, 'pageSize'> {
  const fail = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_READ_OPTIONS, message);
  if (options !== undefined) assertOptionsObject(options, 'read options', READ_OPTION_KEYS, '{ fromVersion: 1 }', fail);
  const { fromVersion = 1, toVersion = Number.MAX_SAFE_INTEGER, direction = 'forward', pageSize } = options ?? {};
  if (!Number.isSafeInteger(fromVersion) || fromVersion < 1) throw fail(`fromVersion must be a whole number >= 1; got ${describeValue(fromVersion)}.`);
  if (!Number.isSafeInteger(toVersion) || toVersion < fromVersion) {
    throw fail(`toVersion must be a whole number >= fromVersion (${fromVersion}); got ${describeValue(toVersion)}.`);
  }
  if (direction !== 'forward' && direction !== 'backward') throw fail(`direction must be 'forward' or 'backward'; got ${describeValue(direction)}.`);
  if (pageSize !== undefined && (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_READ_PAGE_SIZE)) {
    throw fail(`pageSize must be a whole number from 1 to ${MAX_READ_PAGE_SIZE} (DynamoDB's Limit); got ${describeValue(pageSize)}.`);
  }
  return { fromVersion, toVersion, direction, pageSize };
}

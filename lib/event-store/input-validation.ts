import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { usesReservedKey } from '../metadata/commit-metadata.js';
import type { ReadOptions } from './interfaces/read-options.interface.js';
import { describeValue } from '../errors/describe-value.js';

/** DynamoDB allows 2 KB partition keys; 1 KB leaves room for prefixes users add later. */
export const MAX_STREAM_ID_BYTES = 1024;
export const MAX_COMMIT_ID_LENGTH = 256;
/** Stream ids starting with this are the module's own (see feed-shard-count.ts). */
export const RESERVED_STREAM_PREFIX = '$$';
/** Correlation and causation ids are stored with every item of a commit: ids, not payloads. */
export const MAX_MESSAGE_ID_LENGTH = 256;
/** Commit metadata is stored in every item of the commit: it must leave room for events. */
export const MAX_METADATA_BYTES = 64 * 1024;

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
}

export function assertMetadata(metadata: unknown): asserts metadata is Record<string, unknown> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new InvalidArgumentError(EventStoreErrorCode.INVALID_METADATA, `metadata must be a JSON object; got ${describeValue(metadata)}.`);
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

export function assertEventList(events: unknown): asserts events is readonly object[] {
  if (!Array.isArray(events)) {
    throw new InvalidArgumentError(EventStoreErrorCode.INVALID_EVENT, `events must be an array; got ${describeValue(events)}.`);
  }
  if (events.length === 0) {
    throw new InvalidArgumentError(EventStoreErrorCode.INVALID_EVENT, 'An append needs at least one event; nothing was written.');
  }
  events.forEach((event: unknown, index) => {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw new InvalidArgumentError(
        EventStoreErrorCode.INVALID_EVENT,
        `Event #${index} must be an instance of a registered event class; got ${describeValue(event)}. Nothing was written.`,
      );
    }
  });
}

/** Checks read options and fills in defaults. */
export function resolveReadOptions(options: ReadOptions | undefined): Required<Omit<ReadOptions, 'pageSize'>> & Pick<ReadOptions, 'pageSize'> {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidArgumentError(EventStoreErrorCode.INVALID_READ_OPTIONS, `read options must be an object; got ${describeValue(options)}.`);
  }
  const { fromVersion = 1, toVersion = Number.MAX_SAFE_INTEGER, direction = 'forward', pageSize } = options ?? {};
  const fail = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_READ_OPTIONS, message);
  if (!Number.isSafeInteger(fromVersion) || fromVersion < 1) throw fail(`fromVersion must be a whole number >= 1; got ${describeValue(fromVersion)}.`);
  if (!Number.isSafeInteger(toVersion) || toVersion < fromVersion) {
    throw fail(`toVersion must be a whole number >= fromVersion (${fromVersion}); got ${describeValue(toVersion)}.`);
  }
  if (direction !== 'forward' && direction !== 'backward') throw fail(`direction must be 'forward' or 'backward'; got ${describeValue(direction)}.`);
  if (pageSize !== undefined && (!Number.isSafeInteger(pageSize) || pageSize < 1)) {
    throw fail(`pageSize must be a whole number >= 1; got ${describeValue(pageSize)}.`);
  }
  return { fromVersion, toVersion, direction, pageSize };
}

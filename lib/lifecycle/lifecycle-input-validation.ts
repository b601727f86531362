import { describeValue } from '../errors/describe-value.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { assertOptionsObject } from '../event-store/argument-shape.js';
import { ANY, STREAM_EXISTS } from '../event-store/expected-version.js';
import type { DeleteStreamOptions } from './interfaces/delete-stream-options.interface.js';
import type { StreamDeletionMode, StreamRetentionInput } from './interfaces/stream-metadata.interface.js';

const DELETE_OPTION_KEYS: ReadonlyArray<keyof DeleteStreamOptions> = ['expectedVersion', 'mode'];
const RETENTION_KEYS: ReadonlyArray<keyof StreamRetentionInput> = ['maxAge', 'maxCount', 'truncateBefore'];

const deleteError = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_DELETE_OPTIONS, `${message} Nothing was deleted.`);
const metadataError = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_STREAM_METADATA, `${message} Nothing was written.`);

/** Checks deleteStream's options; each read once. */
export function checkedDeleteOptions(options: unknown): { expectedVersion: number | typeof ANY | typeof STREAM_EXISTS; mode: StreamDeletionMode } {
  if (options === undefined) throw deleteError('deleteStream needs options: { expectedVersion } (the version you read, or ANY).');
  assertOptionsObject(options, 'deleteStream options', DELETE_OPTION_KEYS, "{ expectedVersion: 3, mode: 'hard' }", deleteError);
  const { expectedVersion, mode = 'soft' } = options as DeleteStreamOptions;
  const versionOk = expectedVersion === ANY || expectedVersion === STREAM_EXISTS || (typeof expectedVersion === 'number' && Number.isSafeInteger(expectedVersion) && expectedVersion >= 0);
  if (!versionOk) {
    throw deleteError(`expectedVersion must be the stream's version (a whole number >= 0), '${ANY}' or '${STREAM_EXISTS}'; got ${describeValue(expectedVersion)}.`);
  }
  if (mode !== 'soft' && mode !== 'hard') throw deleteError(`mode must be 'soft' or 'hard'; got ${describeValue(mode)}.`);
  return { expectedVersion, mode };
}

/** Checks setStreamMetadata's input; each field read once. */
export function checkedRetention(input: unknown): StreamRetentionInput {
  if (input === undefined) throw metadataError('setStreamMetadata needs the limits to set: { maxAge?, maxCount?, truncateBefore? }.');
  assertOptionsObject(input, 'stream metadata', RETENTION_KEYS, '{ maxCount: 100 }', metadataError);
  const { maxAge, maxCount, truncateBefore } = input as StreamRetentionInput;
  const checked: { -readonly [K in keyof StreamRetentionInput]: StreamRetentionInput[K] } = {};
  if (maxAge !== undefined) checked.maxAge = maxAge === null ? null : positiveInteger('maxAge (milliseconds)', maxAge);
  if (maxCount !== undefined) checked.maxCount = maxCount === null ? null : positiveInteger('maxCount', maxCount);
  if (truncateBefore !== undefined) checked.truncateBefore = positiveInteger('truncateBefore (a version)', truncateBefore);
  return checked;
}

/** Checks truncateStream's `before`. */
export function checkedTruncateBefore(options: unknown): number {
  if (options === undefined) throw metadataError('truncateStream needs { before: version }.');
  assertOptionsObject(options, 'truncateStream options', ['before'], '{ before: 100 }', metadataError);
  return positiveInteger('before (a version)', (options as { before?: unknown }).before);
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw metadataError(`${name} must be a whole number >= 1; got ${describeValue(value)}.`);
}

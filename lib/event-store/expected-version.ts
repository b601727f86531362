import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { describeValue } from '../errors/describe-value.js';
import { describeArgument } from './argument-shape.js';

/** The stream must not exist yet (same as expecting version 0). */
export const NO_STREAM = 'no-stream' as const;
/** The stream must already hold at least one event; append after its last one. */
export const STREAM_EXISTS = 'stream-exists' as const;
/** No concurrency check: append after whatever the last event is. */
export const ANY = 'any' as const;

/**
 * What the caller believes the stream's version is before the append.
 * A number is an exact version: the version of the stream's last event (0 for a new stream).
 */
export type ExpectedVersion = number | typeof NO_STREAM | typeof STREAM_EXISTS | typeof ANY;

/** Checks an expected version given at run time (JavaScript callers can pass anything). */
export function assertExpectedVersion(value: unknown): asserts value is ExpectedVersion {
  if (value === NO_STREAM || value === STREAM_EXISTS || value === ANY) return;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return;
  throw new InvalidArgumentError(
    EventStoreErrorCode.INVALID_EXPECTED_VERSION,
    `expectedVersion must be a whole number >= 0, '${NO_STREAM}', '${STREAM_EXISTS}' or '${ANY}'; got ${describe(value)}.`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  // A version read from a URL or a header comes as a string: say what to pass instead.
  if (typeof value === 'string') return /^\d+$/.test(value) ? `${JSON.stringify(value)} (a string: pass the number ${value})` : describeValue(value);
  if (value === undefined) return 'nothing (it is required)';
  return describeArgument(value);
}

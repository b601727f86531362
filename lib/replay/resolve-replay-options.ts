import { describeValue } from '../errors/describe-value.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { resolveReadOptions } from '../event-store/input-validation.js';
import type { ReplayOptions } from './interfaces/replay-options.interface.js';

/** Largest replay page: DynamoDB returns at most 1 MB per Query anyway, and a page is held in memory whole. */
export const MAX_REPLAY_PAGE_SIZE = 1000;

/** Checks replay options (the version range as read() does) and fills in defaults. */
export function resolveReplayOptions(options: ReplayOptions): Required<ReplayOptions> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      EventStoreErrorCode.INVALID_READ_OPTIONS,
      `replay options must be an object with a pageSize; got ${describeValue(options)}.`,
    );
  }
  // Only the range: replays always run forward, and their pageSize has its own, stricter rule.
  const { fromVersion, toVersion } = resolveReadOptions({ fromVersion: options.fromVersion, toVersion: options.toVersion });
  const { pageSize } = options;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_REPLAY_PAGE_SIZE) {
    throw new InvalidArgumentError(
      EventStoreErrorCode.INVALID_READ_OPTIONS,
      `pageSize must be a whole number from 1 to ${MAX_REPLAY_PAGE_SIZE}; got ${describeValue(pageSize)}.`,
    );
  }
  return { fromVersion, toVersion, pageSize };
}

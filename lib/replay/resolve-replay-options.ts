import { describeValue } from '../errors/describe-value.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { assertOptionsObject } from '../event-store/argument-shape.js';
import { resolveReadOptions } from '../event-store/input-validation.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { eventTypeFilter } from './event-type-filter.js';
import type { ReplayOptions } from './interfaces/replay-options.interface.js';

/** Largest replay page: DynamoDB returns at most 1 MB per Query anyway, and a page is held in memory whole. */
export const MAX_REPLAY_PAGE_SIZE = 1000;
const REPLAY_OPTION_KEYS = ['fromVersion', 'toVersion', 'pageSize', 'eventTypes'];
const invalid = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_READ_OPTIONS, message);

/** A stream replay's options, checked, with defaults filled in. */
export interface ResolvedReplay {
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly pageSize: number;
  /** Whether an event of this stored type is handed out (undefined: every type is). */
  readonly include?: (storedType: string) => boolean;
}

/** Checks replay options (the version range as read() does, `eventTypes` as the feed does) and fills in defaults. */
export function resolveReplayOptions(options: ReplayOptions, registry: EventTypeRegistry): ResolvedReplay {
  assertOptionsObject(options, 'replay options', REPLAY_OPTION_KEYS, '{ pageSize: 100 }', invalid);
  // Each read once; only the range goes to read()'s checks: replays always run forward, and their pageSize has its own, stricter rule.
  const { fromVersion: from, toVersion: to, pageSize, eventTypes } = options;
  const { fromVersion, toVersion } = resolveReadOptions({ fromVersion: from, toVersion: to });
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_REPLAY_PAGE_SIZE) {
    throw invalid(`pageSize must be a whole number from 1 to ${MAX_REPLAY_PAGE_SIZE}; got ${describeValue(pageSize)}.`);
  }
  return { fromVersion, toVersion, pageSize, include: eventTypeFilter(eventTypes, registry, invalid) };
}

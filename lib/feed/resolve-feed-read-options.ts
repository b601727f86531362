import { describeValue } from '../errors/describe-value.js';
import { assertOptionsObject, hasLoneSurrogate } from '../event-store/argument-shape.js';
import { MAX_STREAM_ID_BYTES } from '../event-store/input-validation.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { eventTypeFilter } from '../replay/event-type-filter.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { FEED_START, parseCheckpoint, type FeedPosition } from './feed-checkpoint.js';
import type { ReplayAllOptions } from './interfaces/replay-all-options.interface.js';

export const MAX_FEED_PAGE_SIZE = 1000;
const FEED_READ_OPTION_KEYS = ['from', 'pageSize', 'eventTypes', 'streamPrefix', 'onCaughtUp'];

/** A feed read's options, checked: where it starts, and which stored type names it decodes (all when undefined). */
export interface ResolvedFeedRead {
  readonly position: FeedPosition;
  readonly include?: (storedType: string) => boolean;
}

/**
 * Checks a feed read's options at once, so that a mistake throws where the read is set up; shared
 * by every feed reader, so the same mistake gets the same error.
 * @throws InvalidArgumentError; FeedCheckpointMismatchError for a checkpoint of 0.3's commit-time feed
 */
export function resolveFeedReadOptions(options: ReplayAllOptions, registry: EventTypeRegistry): ResolvedFeedRead {
  assertOptionsObject(options, 'feed read options', FEED_READ_OPTION_KEYS, '{ pageSize: 100 }', invalidOptions);
  const { pageSize, eventTypes, streamPrefix, onCaughtUp } = options;
  if (onCaughtUp !== undefined && typeof onCaughtUp !== 'function') {
    throw invalidOptions(`onCaughtUp must be a function; got ${describeValue(onCaughtUp)}.`);
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_FEED_PAGE_SIZE) {
    throw invalidOptions(`pageSize must be a whole number from 1 to ${MAX_FEED_PAGE_SIZE}; got ${describeValue(pageSize)}.`);
  }
  if (streamPrefix !== undefined) assertStreamPrefix(streamPrefix);
  const position = parseCheckpoint(options.from ?? FEED_START);
  return { position, include: eventTypeFilter(eventTypes, registry, invalidOptions) };
}

/**
 * A prefix can only match stream ids that pass `assertStreamId`: a longer one, or one with a lone
 * surrogate, matches nothing, and one over DynamoDB's request limits would fail the index query.
 * @throws InvalidArgumentError (INVALID_READ_OPTIONS)
 */
function assertStreamPrefix(streamPrefix: unknown): asserts streamPrefix is string {
  if (typeof streamPrefix !== 'string' || streamPrefix.length === 0) throw invalidOptions(`streamPrefix must be a non-empty string; got ${describeValue(streamPrefix)}.`);
  const bytes = Buffer.byteLength(streamPrefix, 'utf8');
  if (bytes > MAX_STREAM_ID_BYTES) throw invalidOptions(`streamPrefix takes ${bytes} bytes in UTF-8; stream ids take at most ${MAX_STREAM_ID_BYTES}, so it could match none.`);
  if (hasLoneSurrogate(streamPrefix)) throw invalidOptions('streamPrefix holds a lone surrogate (UTF-16 with no UTF-8 form); no stream id can start with it.');
}

const invalidOptions = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_READ_OPTIONS, message);

import { describeValue } from '../errors/describe-value.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { EventClass, EventTypeRegistry } from '../serialization/event-type-registry.js';
import type { RegisteredEventType } from '../serialization/registered-event-type.js';
import { FEED_START, parseCheckpoint, type FeedPosition } from './feed-checkpoint.js';
import type { ReplayAllOptions } from './interfaces/replay-all-options.interface.js';

export const MAX_FEED_PAGE_SIZE = 1000;

/** A feed read's options, checked: where it starts, and which stored type names it decodes (all when undefined). */
export interface ResolvedFeedRead {
  readonly position: FeedPosition;
  readonly include?: (storedType: string) => boolean;
}

/**
 * Checks a feed read's options at once, so that a mistake throws where the read is set up; shared
 * by every feed reader, so the same mistake gets the same error.
 * @throws InvalidArgumentError
 */
export function resolveFeedReadOptions(options: ReplayAllOptions, registry: EventTypeRegistry): ResolvedFeedRead {
  if (options === null || typeof options !== 'object') {
    throw invalidOptions(`feed read options must be an object such as { pageSize: 100 }; got ${describeValue(options)}.`);
  }
  const { pageSize, eventTypes, streamPrefix, onCaughtUp } = options;
  if (onCaughtUp !== undefined && typeof onCaughtUp !== 'function') {
    throw invalidOptions(`onCaughtUp must be a function; got ${describeValue(onCaughtUp)}.`);
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_FEED_PAGE_SIZE) {
    throw invalidOptions(`pageSize must be a whole number from 1 to ${MAX_FEED_PAGE_SIZE}; got ${describeValue(pageSize)}.`);
  }
  if (streamPrefix !== undefined && (typeof streamPrefix !== 'string' || streamPrefix.length === 0)) {
    throw invalidOptions(`streamPrefix must be a non-empty string; got ${describeValue(streamPrefix)}.`);
  }
  const position = parseCheckpoint(options.from ?? FEED_START);
  if (eventTypes === undefined) return { position };
  if (!Array.isArray(eventTypes) || eventTypes.length === 0) {
    throw invalidOptions(`eventTypes must be a non-empty array of event classes or type names; got ${describeValue(eventTypes)}.`);
  }
  const wanted = new Set<RegisteredEventType>(eventTypes.map((type) => registrationOf(type, registry)));
  const decided = new Map<string, boolean>();
  const include = (storedType: string): boolean => {
    let answer = decided.get(storedType);
    if (answer === undefined) {
      const registered = registry.find(storedType);
      answer = registered !== undefined && wanted.has(registered);
      decided.set(storedType, answer);
    }
    return answer;
  };
  return { position, include };
}

function registrationOf(type: EventClass | string, registry: EventTypeRegistry): RegisteredEventType {
  const registered = typeof type === 'string' ? registry.find(type) : typeof type === 'function' ? registry.findClass(type) : undefined;
  if (registered === undefined) {
    const what = typeof type === 'function' ? `class ${type.name}` : describeValue(type);
    throw invalidOptions(`eventTypes lists ${what}, which is not a registered event type (register it in the module's \`events\`).`);
  }
  return registered;
}

const invalidOptions = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_READ_OPTIONS, message);

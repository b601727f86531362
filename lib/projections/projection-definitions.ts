import type { Type } from '@nestjs/common';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { describeValue } from '../errors/describe-value.js';
import { hasLoneSurrogate } from '../event-store/argument-shape.js';
import { MAX_STREAM_ID_BYTES } from '../event-store/input-validation.js';
import { MAX_FEED_PAGE_SIZE } from '../feed/resolve-feed-read-options.js';
import type { EventClass } from '../serialization/event-type-registry.js';
import type { ProjectionOptions } from './interfaces/projection-options.interface.js';
import { projectionHandlersOf } from './projection-handler.decorator.js';
import { DEFAULT_PROJECTION_OPTIONS, MAX_INTERVAL_MS, MAX_PARTITIONS, MIN_LEASE_TTL_MS, PROJECTION_NAME_PATTERN } from './projection-limits.js';
import { projectionDeclarationOf } from './projection.decorator.js';

/** A projection class's declarations, checked, with defaults filled in. */
export interface ProjectionDefinition {
  readonly type: Type<object>;
  readonly name: string;
  readonly pageSize: number;
  readonly pollIntervalMs: number;
  readonly leaseTtlMs: number;
  /** Handler calls for one event, the first included, before it is skipped; Infinity: never skipped. */
  readonly maxAttempts: number;
  readonly streamPrefix?: string;
  /** How many partitions the feed is split into, by stream id, each with its own checkpoint and lease. */
  readonly partitions: number;
  /** What happens to a stream's later events once one of its events is parked. */
  readonly parkedStream: 'wait' | 'continue';
  /** How many of its partitions one instance handles at once (the partition count: all it holds). */
  readonly concurrency: number;
  /** One entry per handler method. */
  readonly handlers: ReadonlyArray<{ readonly method: string | symbol; readonly events: readonly EventClass[] }>;
}

// Re-exported: they were defined here before they moved to a file without NestJS.
export { DEFAULT_PROJECTION_OPTIONS, MAX_PARTITIONS };
const OPTION_KEYS = ['pageSize', 'pollIntervalMs', 'leaseTtlMs', 'maxAttempts', 'streamPrefix', 'partitions', 'parkedStream', 'concurrency'];

/**
 * Checks `forFeature({ projections })` when the module is defined, naming the class and what is
 * wrong. Whether the handled event classes have type names is checked at start-up.
 */
export function defineProjections(classes: unknown): ProjectionDefinition[] {
  if (!Array.isArray(classes)) throw new InvalidModuleOptionsError('projections', 'must be an array of @Projection classes.');
  const names = new Map<string, Function>();
  return classes.map((type: unknown, index) => {
    if (typeof type !== 'function') {
      throw new InvalidModuleOptionsError(`projections[${index}]`, `must be a class decorated with @Projection(name); got ${describeValue(type)}.`);
    }
    const at = `projections[${index}] (${type.name || 'anonymous class'})`;
    const definition = defineProjection(type, at);
    const other = names.get(definition.name);
    if (other !== undefined) throw new InvalidModuleOptionsError(`${at} @Projection name`, `"${definition.name}" is also the name of ${other.name}.`);
    names.set(definition.name, type);
    return definition;
  });
}

/**
 * Checks one `@Projection` class (found among the app's providers, or listed in `forFeature`);
 * `at` says where, for messages.
 */
export function defineProjection(type: Function, at: string): ProjectionDefinition {
  const declaration = projectionDeclarationOf(type);
  if (declaration === undefined) throw new InvalidModuleOptionsError(at, 'must be decorated with @Projection(name).');
  const { name, options } = declaration;
  if (typeof name !== 'string' || !PROJECTION_NAME_PATTERN.test(name)) {
    throw new InvalidModuleOptionsError(
      `${at} @Projection name`,
      `must be a stable name of 1 to 200 letters, digits, _ . : or - (it keys the stored checkpoint); got ${describeValue(name)}.`,
    );
  }
  return { type: type as Type<object>, name, ...resolveOptions(options, at), handlers: resolveHandlers(type, at) };
}

function resolveOptions(options: ProjectionOptions, at: string): Omit<ProjectionDefinition, 'type' | 'name' | 'handlers'> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidModuleOptionsError(`${at} @Projection options`, `must be an object such as { pageSize: 100 }; got ${describeValue(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw new InvalidModuleOptionsError(`${at} @Projection options.${key}`, `is not a projection option. Known: ${OPTION_KEYS.join(', ')}.`);
    }
  }
  const {
    pageSize = DEFAULT_PROJECTION_OPTIONS.pageSize,
    pollIntervalMs = DEFAULT_PROJECTION_OPTIONS.pollIntervalMs,
    leaseTtlMs = DEFAULT_PROJECTION_OPTIONS.leaseTtlMs,
    maxAttempts,
    streamPrefix,
    partitions = 1,
    parkedStream = 'wait',
    concurrency,
  } = options;
  const option = (key: string) => `${at} @Projection options.${key}`;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_FEED_PAGE_SIZE) {
    throw new InvalidModuleOptionsError(option('pageSize'), `must be a whole number from 1 to ${MAX_FEED_PAGE_SIZE}; got ${describeValue(pageSize)}.`);
  }
  if (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 1 || pollIntervalMs > MAX_INTERVAL_MS) {
    throw new InvalidModuleOptionsError(option('pollIntervalMs'), `must be a whole number of milliseconds from 1 to ${MAX_INTERVAL_MS}; got ${describeValue(pollIntervalMs)}.`);
  }
  if (!Number.isInteger(leaseTtlMs) || leaseTtlMs < MIN_LEASE_TTL_MS || leaseTtlMs > MAX_INTERVAL_MS) {
    throw new InvalidModuleOptionsError(
      option('leaseTtlMs'),
      `must be a whole number of milliseconds from ${MIN_LEASE_TTL_MS} to ${MAX_INTERVAL_MS}; got ${describeValue(leaseTtlMs)}.`,
    );
  }
  if (maxAttempts !== undefined && (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1)) {
    throw new InvalidModuleOptionsError(
      option('maxAttempts'),
      `must be a whole number of at least 1 (leave it out to retry a failing event for ever); got ${describeValue(maxAttempts)}.`,
    );
  }
  if (streamPrefix !== undefined && (typeof streamPrefix !== 'string' || streamPrefix.length === 0)) {
    throw new InvalidModuleOptionsError(option('streamPrefix'), `must be a non-empty string; got ${describeValue(streamPrefix)}.`);
  }
  // The feed reads refuse these (no stream id could match): say so at start-up, not at the first read.
  if (streamPrefix !== undefined && (hasLoneSurrogate(streamPrefix) || Buffer.byteLength(streamPrefix, 'utf8') > MAX_STREAM_ID_BYTES)) {
    throw new InvalidModuleOptionsError(
      option('streamPrefix'),
      `must be the start of a possible stream id: at most ${MAX_STREAM_ID_BYTES} bytes of UTF-8, without lone surrogates; got ${describeValue(streamPrefix)}.`,
    );
  }
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new InvalidModuleOptionsError(option('partitions'), `must be a whole number from 1 to ${MAX_PARTITIONS}; got ${describeValue(partitions)}.`);
  }
  if (parkedStream !== 'wait' && parkedStream !== 'continue') {
    throw new InvalidModuleOptionsError(option('parkedStream'), `must be 'wait' or 'continue'; got ${describeValue(parkedStream)}.`);
  }
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > partitions)) {
    throw new InvalidModuleOptionsError(
      option('concurrency'),
      `must be a whole number from 1 to the partition count (${partitions}); got ${describeValue(concurrency)}. Leave it out to handle every partition an instance holds at once.`,
    );
  }
  return { pageSize, pollIntervalMs, leaseTtlMs, maxAttempts: maxAttempts ?? Infinity, streamPrefix, partitions, parkedStream, concurrency: concurrency ?? partitions };
}

function resolveHandlers(type: Function, at: string): ProjectionDefinition['handlers'] {
  const handlers = projectionHandlersOf(type);
  if (handlers.length === 0) {
    throw new InvalidModuleOptionsError(at, 'has no @ProjectionHandler(EventClass) method: a projection must handle at least one event class.');
  }
  const handledBy = new Map<Function, string>();
  for (const { method, events } of handlers) {
    const where = `${at}.${String(method)}`;
    if (typeof (type.prototype as Record<string | symbol, unknown>)[method] !== 'function') {
      throw new InvalidModuleOptionsError(where, 'is marked @ProjectionHandler but is not a method.');
    }
    if (events.length === 0) throw new InvalidModuleOptionsError(where, 'has @ProjectionHandler() without event classes: list the classes it handles.');
    for (const event of events) {
      if (typeof event !== 'function') {
        throw new InvalidModuleOptionsError(where, `lists ${describeValue(event)} in @ProjectionHandler, which takes event classes.`);
      }
      const other = handledBy.get(event);
      if (other !== undefined) {
        const twice = other === String(method) ? `${other}() lists it twice` : `both ${other}() and ${String(method)}() handle it`;
        throw new InvalidModuleOptionsError(where, `handles ${event.name} twice: ${twice}. Each event class needs exactly one handler per projection.`);
      }
      handledBy.set(event, String(method));
    }
  }
  return handlers;
}

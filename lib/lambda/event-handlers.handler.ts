import type { DynamicModule, Type } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import { describeValue } from '../errors/describe-value.js';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import type { FeedEvent } from '../feed/interfaces/feed-event.interface.js';
import { MAX_FEED_PAGE_SIZE } from '../feed/resolve-feed-read-options.js';
import type { ProjectionDefinition } from '../projections/projection-definitions.js';
// The limits @Projection's options are checked against (projection-definitions.ts loads NestJS, which `nestjs-dynamo-es/lambda` must not).
import { DEFAULT_PROJECTION_OPTIONS as DEFAULTS, MAX_INTERVAL_MS, MAX_PARTITIONS, MIN_LEASE_TTL_MS, PROJECTION_NAME_PATTERN } from '../projections/projection-limits.js';
import type { EventClass } from '../serialization/event-type-registry.js';
import type { LambdaConsumer } from './lambda-consumers.js';
import { checkFeedLambdaOptions, feedLambdaHandler, type FeedLambdaHandler, type FeedLambdaOptions } from './projections.handler.js';

/** Options of {@link createEventHandlersHandler}. */
export interface EventHandlersHandlerOptions extends FeedLambdaOptions {
  /**
   * The name the handlers' checkpoint (and lease) is kept under in the projections table, as a
   * projection's: stable, 1 to 200 letters, digits, `_ . : -`, and no projection of the app's.
   * A new name starts from the beginning of the feed.
   */
  readonly name: string;
  /** Split by stream id into this many partitions, each with its own checkpoint, run concurrently (1 to 256). Default 1. */
  readonly partitions?: number;
  /** Events per feed page; the checkpoint is saved after each. Default 100. */
  readonly pageSize?: number;
  /**
   * Calls of the handlers for one event, counted across invocations of a container, before it is
   * parked (as a projection's event: see `projection parked` and `projection retry-parked`).
   * Default: no limit (a failing event is delivered again until it succeeds).
   */
  readonly maxAttempts?: number;
  /** Whether a parked event's stream waits behind it ('wait', the default) or goes on ('continue'), as `@Projection`'s option. */
  readonly parkedStream?: 'wait' | 'continue';
  /** The lease's TTL, renewed while an invocation runs. Default 15000. */
  readonly leaseTtlMs?: number;
}

// The metadata @nestjs/cqrs's @EventsHandler(...events) stores on the class (EVENTS_HANDLER_METADATA); the same in versions 11 and 12.
const EVENTS_HANDLER_METADATA = '__eventsHandler__';

interface EventsHandlerInstance {
  handle(event: object): unknown;
}

/**
 * The app's `@EventsHandler` classes (from @nestjs/cqrs) as the handler of an AWS Lambda function,
 * fed like {@link createProjectionsHandler}'s from the feed index's batches: each persisted event,
 * decoded to its class, is passed to `handle()` of every handler of its class, one after another,
 * awaited (a rejection is a failure, retried, reported and, with `maxAttempts`, parked as a projection handler's). Their
 * checkpoint is kept in the projections table under `name`, as a projection's, with the same
 * order (each stream's events in version order; across streams, the feed's), the same dedupe and
 * the same partial batch response. The app need not import CqrsModule for this: the handlers are
 * found among its providers. Events that only go through the EventBus (never appended) do not
 * reach them here.
 *
 * A failing event is retried with every handler of its class: the handlers before the failing one
 * see it again. Delivery is at least once: handlers must be idempotent.
 */
export function createEventHandlersHandler(appModule: Type<unknown> | DynamicModule, options: EventHandlersHandlerOptions): FeedLambdaHandler {
  const settings = checkFeedLambdaOptions(options, 'createEventHandlersHandler');
  const definition = eventHandlersDefinition(options);
  return feedLambdaHandler(appModule, options, settings, async ({ context, runtime }) => {
    const { ModulesContainer } = await import('@nestjs/core');
    return [eventHandlersConsumer(context.get(ModulesContainer), runtime, definition)];
  });
}

/** The consumer: one dispatching `handle` method for every registered event class some handler handles. */
function eventHandlersConsumer(modules: ModulesContainer, runtime: EventSourcingRuntime, base: Omit<ProjectionDefinition, 'handlers'>): LambdaConsumer {
  if (runtime.projections.byNameOrClass(base.name) !== undefined) {
    throw new InvalidModuleOptionsError('name', `"${base.name}" is the name of a projection of the app: the event handlers need a checkpoint of their own (createEventHandlersHandler).`);
  }
  const byClass = new Map<EventClass, EventsHandlerInstance[]>();
  for (const { events, instance } of eventsHandlersOf(modules)) {
    for (const event of events) {
      // Classes the store cannot persist never come out of the feed.
      if (runtime.registry.findClass(event) !== undefined) byClass.set(event, [...(byClass.get(event) ?? []), instance]);
    }
  }
  if (byClass.size === 0) {
    throw new InvalidModuleOptionsError(
      'appModule',
      'has no @EventsHandler provider for a registered event class: list the handlers among its providers, and their event classes in `events` (createEventHandlersHandler).',
    );
  }
  const instance = {
    async handle(event: object, _envelope: FeedEvent): Promise<void> {
      for (const handler of byClass.get(event.constructor as EventClass) ?? []) await handler.handle(event);
    },
  };
  return { definition: { ...base, handlers: [{ method: 'handle', events: [...byClass.keys()] }] }, instance };
}

/** Every `@EventsHandler` provider of the app, with the event classes it lists. */
function eventsHandlersOf(modules: ModulesContainer): Array<{ events: EventClass[]; instance: EventsHandlerInstance }> {
  const found: Array<{ events: EventClass[]; instance: EventsHandlerInstance }> = [];
  const seen = new Set<unknown>();
  for (const module of modules.values()) {
    for (const wrapper of module.providers.values()) {
      const { metatype, instance } = wrapper;
      if (typeof metatype !== 'function' || seen.has(instance)) continue;
      const events = Reflect.getMetadata(EVENTS_HANDLER_METADATA, metatype) as EventClass[] | undefined;
      if (events === undefined) continue;
      if (!wrapper.isDependencyTreeStatic() || typeof (instance as Partial<EventsHandlerInstance> | undefined)?.handle !== 'function') {
        throw new InvalidModuleOptionsError(`appModule (${metatype.name})`, 'is a request- or transient-scoped @EventsHandler: the Lambda handler needs one instance it can call (createEventHandlersHandler).');
      }
      seen.add(instance);
      found.push({ events, instance: instance as EventsHandlerInstance });
    }
  }
  return found;
}

/** The definition of the handlers' checkpoint as a projection's (without its handlers: those are found in the app). */
function eventHandlersDefinition(options: EventHandlersHandlerOptions): Omit<ProjectionDefinition, 'handlers'> {
  const { name, partitions = 1, pageSize = DEFAULTS.pageSize, maxAttempts, leaseTtlMs = DEFAULTS.leaseTtlMs, parkedStream = 'wait' } = options;
  const invalid = (option: string, problem: string, value: unknown) => new InvalidModuleOptionsError(option, `${problem} (createEventHandlersHandler); got ${describeValue(value)}.`);
  if (typeof name !== 'string' || !PROJECTION_NAME_PATTERN.test(name)) throw invalid('name', 'must be a stable name of 1 to 200 letters, digits, _ . : or - (it keys the stored checkpoint)', name);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) throw invalid('partitions', `must be a whole number from 1 to ${MAX_PARTITIONS}`, partitions);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_FEED_PAGE_SIZE) throw invalid('pageSize', `must be a whole number from 1 to ${MAX_FEED_PAGE_SIZE}`, pageSize);
  if (maxAttempts !== undefined && (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1)) throw invalid('maxAttempts', 'must be a whole number of at least 1', maxAttempts);
  if (!Number.isInteger(leaseTtlMs) || leaseTtlMs < MIN_LEASE_TTL_MS || leaseTtlMs > MAX_INTERVAL_MS) {
    throw invalid('leaseTtlMs', `must be a whole number of milliseconds from ${MIN_LEASE_TTL_MS} to ${MAX_INTERVAL_MS}`, leaseTtlMs);
  }
  if (parkedStream !== 'wait' && parkedStream !== 'continue') throw invalid('parkedStream', "must be 'wait' or 'continue'", parkedStream);
  class EventHandlers {}
  return {
    type: EventHandlers,
    name,
    pageSize,
    pollIntervalMs: DEFAULTS.pollIntervalMs,
    leaseTtlMs,
    maxAttempts: maxAttempts ?? Infinity,
    partitions,
    concurrency: partitions,
    parkedStream,
  };
}

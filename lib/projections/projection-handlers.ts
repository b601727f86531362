import type { Logger } from '@nestjs/common';
import { ProjectionHandlerError } from '../errors/projection-handler.error.js';
import { isUndecodable } from '../feed/feed-reader.js';
import type { FeedEvent } from '../feed/interfaces/feed-event.interface.js';
import type { EventClass } from '../serialization/event-type-registry.js';
import type { ProjectionDefinition } from './projection-definitions.js';

type Handler = (event: object, envelope: FeedEvent) => unknown;

/**
 * A projection's handler methods by stored event type, called one event at a time, with the count
 * of failed calls in a row for the event that failed last: at `maxAttempts`, that event is given up
 * (the runner parks it). An event the read could not decode (`isUndecodable`) counts as a failed
 * call, exactly like a throwing handler: decoding again after a deploy may well succeed.
 */
export class ProjectionHandlers {
  /** The event types the projection handles (what its feed reads ask for). */
  readonly eventTypes: EventClass[];
  private readonly byType = new Map<string, Handler>();
  /** The event whose handler failed last, and how many calls failed in a row. */
  private failing?: { readonly checkpoint: string; readonly attempts: number };

  constructor(
    private readonly definition: ProjectionDefinition,
    instance: object,
    /** Stored type name of each handled event class, as the registry resolved it at start-up. */
    handledTypes: ReadonlyMap<EventClass, string>,
    private readonly logger: Logger,
  ) {
    for (const { method, events } of definition.handlers) {
      const handler = (instance as Record<string | symbol, Handler>)[method]!.bind(instance) as Handler;
      for (const event of events) this.byType.set(handledTypes.get(event)!, handler);
    }
    this.eventTypes = definition.handlers.flatMap((handler) => [...handler.events]);
  }

  /** Forgets the failed calls counted so far (a rebuild starts the count afresh). */
  forgetFailures(): void {
    this.failing = undefined;
  }

  /** The failed calls in a row for this event so far (0 when it did not fail last). */
  attemptsOf(event: FeedEvent): number {
    return this.failing?.checkpoint === event.checkpoint ? this.failing.attempts : 0;
  }

  /**
   * Calls the event's handler; resolves to the error when the event is given up instead: its
   * handler failed (or it could not be decoded) for the `maxAttempts`-th time in a row (logged
   * here), and to undefined when handled.
   * @throws ProjectionHandlerError while attempts are left (the read is retried from the last saved checkpoint).
   */
  async handle(event: FeedEvent): Promise<ProjectionHandlerError | undefined> {
    const error = await this.callOnce(event);
    if (error === undefined) {
      if (this.failing?.checkpoint === event.checkpoint) this.failing = undefined;
      return undefined;
    }
    const { name, maxAttempts } = this.definition;
    const attempts = this.attemptsOf(event) + 1;
    if (attempts < maxAttempts) {
      this.failing = { checkpoint: event.checkpoint, attempts };
      throw error;
    }
    this.failing = undefined;
    this.logger.error(
      `Projection "${name}" gave up on ${event.eventType} (stream "${event.streamId}", version ${event.version}, event ${event.eventId}, ` +
        `checkpoint ${event.checkpoint}) after ${attempts} failed attempt(s) (maxAttempts ${maxAttempts}): ${error.message}`,
      error.stack,
    );
    return error;
  }

  /**
   * One call of the event's handler, counting nothing: resolves to the error (the handler's, or
   * why the event could not be decoded), or undefined when handled (or not handled by this
   * projection). For retries of parked events, which keep their own count.
   */
  async callOnce(event: FeedEvent): Promise<ProjectionHandlerError | undefined> {
    const { name } = this.definition;
    if (isUndecodable(event)) return new ProjectionHandlerError(name, event.eventType, event.streamId, event.version, event.undecodable);
    const handler = this.byType.get(event.eventType);
    if (handler === undefined) return undefined; // the read asked for handled types only
    try {
      await handler(event.event, event);
      return undefined;
    } catch (cause) {
      return new ProjectionHandlerError(name, event.eventType, event.streamId, event.version, cause);
    }
  }
}

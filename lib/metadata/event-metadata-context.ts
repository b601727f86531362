import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventEnvelope } from '../event-store/interfaces/event-envelope.interface.js';
import { assertMessageId, assertMetadata, assertNoReservedMetadataKey } from '../event-store/input-validation.js';
import { envelopeOf } from './envelope-of.js';
import type { CorrelatedCommand } from './interfaces/correlated-command.interface.js';
import type { EventMetadataScope } from './interfaces/event-metadata-scope.interface.js';

const storage = new AsyncLocalStorage<EventMetadataScope>();

/**
 * The metadata of the work in progress (the command being handled, the request being served),
 * carried across `await`s by AsyncLocalStorage. `EventStore.append` adds it to every commit made
 * within the scope: correlation and causation ids (unless the append sets its own) and the free map
 * (under the append's own `metadata`).
 *
 * ```ts
 * await EventMetadataContext.run({ correlationId: req.id, metadata: { userId } }, () => service.open(id));
 * ```
 */
export class EventMetadataContext {
  private constructor() {}

  /**
   * Runs `fn` in a scope with this metadata, nested in the current scope: ids not given here and
   * keys of the free map not given here are inherited.
   *
   * @throws InvalidArgumentError (INVALID_METADATA) for an id that is not a non-empty string or a map that is not an object.
   */
  static run<R>(scope: EventMetadataScope, fn: () => R): R {
    const { correlationId, causationId, metadata } = scope ?? {};
    if (correlationId !== undefined) assertMessageId('correlationId', correlationId);
    if (causationId !== undefined) assertMessageId('causationId', causationId);
    if (metadata !== undefined) {
      assertMetadata(metadata);
      assertNoReservedMetadataKey(metadata, 'The metadata of EventMetadataContext.run()');
    }
    const outer = storage.getStore();
    return storage.run(
      {
        correlationId: correlationId ?? outer?.correlationId,
        causationId: causationId ?? outer?.causationId,
        metadata: outer?.metadata === undefined ? metadata : metadata === undefined ? outer.metadata : { ...outer.metadata, ...metadata },
      },
      fn,
    );
  }

  /** The metadata in scope here, if any. */
  static current(): Readonly<EventMetadataScope> | undefined {
    return storage.getStore();
  }

  /**
   * The scope for handling a command: the events it produces are caused by the command (its
   * `commandId`, else its `causationId`) and belong to its conversation (its `correlationId`, else
   * its `commandId`). Fields the command does not carry are inherited from the current scope.
   */
  static forCommand(command: CorrelatedCommand): EventMetadataScope {
    return {
      // A command without a conversation of its own joins the one in progress (the request's), else starts one.
      correlationId: command?.correlationId ?? storage.getStore()?.correlationId ?? command?.commandId,
      causationId: command?.commandId ?? command?.causationId,
    };
  }

  /**
   * The ids a message caused by this event should carry (for a command a saga emits): the event's id
   * as causation, its correlation id (or its own id, when it has none) as correlation. Takes an event
   * the EventStore appended or read (see `envelopeOf`) or an envelope; `{}` for an event it has not seen.
   *
   * ```ts
   * map((event) => new SendWelcome(event.accountId, EventMetadataContext.causedBy(event)))
   * ```
   */
  static causedBy(eventOrEnvelope: object): { correlationId?: string; causationId?: string } {
    const envelope = envelopeOf(eventOrEnvelope) ?? (isEnvelope(eventOrEnvelope) ? eventOrEnvelope : undefined);
    if (envelope === undefined) return {};
    return { correlationId: envelope.correlationId ?? envelope.eventId, causationId: envelope.eventId };
  }
}

function isEnvelope(value: object): value is EventEnvelope {
  const candidate = value as Partial<EventEnvelope>;
  return typeof candidate.eventId === 'string' && typeof candidate.streamId === 'string' && typeof candidate.event === 'object';
}

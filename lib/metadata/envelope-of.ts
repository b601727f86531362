import type { AppendResult } from '../event-store/interfaces/append-result.interface.js';
import type { EventEnvelope } from '../event-store/interfaces/event-envelope.interface.js';

type Known = EventEnvelope | AppendResult;

/** Hands back the object it is given from `super()`, so that a subclass can add private fields to any object. */
class Stampable {
  constructor(target: object) {
    return target as Stampable;
  }
}

/**
 * Attaches to an event instance what `envelopeOf` needs: its envelope, or (for an appended event)
 * the append result, whose envelopes are built only if someone asks. A private field rather than a
 * WeakMap entry: invisible all the same (to JSON, spreads, equality checks, reflection) and held
 * no longer than the event, but ~20 ns per event where a WeakMap under the churn of reads cost
 * 2 µs and more per event (V8's ephemeron tables), more than decoding the event itself.
 */
class EnvelopeStamp extends Stampable {
  #known: Known | undefined;

  private constructor(target: object, known: Known) {
    super(target);
    this.#known = known;
  }

  static set(event: object, known: Known): void {
    if (#known in event) (event as EnvelopeStamp).#known = known;
    else new EnvelopeStamp(event, known);
  }

  static get(event: object): Known | undefined {
    return #known in event ? (event as EnvelopeStamp).#known : undefined;
  }
}

// Engines that will refuse private fields on frozen objects (a proposal in progress) get a WeakMap for those.
const fallback = new WeakMap<object, Known>();

function remember(event: object, known: Known): void {
  try {
    EnvelopeStamp.set(event, known);
  } catch {
    fallback.set(event, known);
  }
}

function recall(event: object): Known | undefined {
  return EnvelopeStamp.get(event) ?? fallback.get(event);
}

/**
 * The envelope (event id, stream, version, occurredAt, correlation and causation ids, metadata) of
 * an event instance that this process appended with, or read from, the EventStore. Lets
 * `@EventsHandler`s and sagas reach it without event classes carrying it:
 *
 * ```ts
 * @EventsHandler(MoneyDeposited)
 * class AuditHandler implements IEventHandler<MoneyDeposited> {
 *   handle(event: MoneyDeposited) {
 *     const envelope = envelopeOf(event); // { eventId, streamId, version, correlationId, ... }
 *   }
 * }
 * ```
 *
 * Undefined for an event the store has not seen (e.g. published on the EventBus directly). When
 * one instance is appended twice, the later append's envelope wins.
 */
export function envelopeOf<TEvent extends object>(event: TEvent): EventEnvelope<TEvent> | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const known = recall(event);
  if (known === undefined || !('envelopes' in known)) return known as EventEnvelope<TEvent> | undefined;
  let found: EventEnvelope | undefined;
  for (const envelope of known.envelopes) {
    // Resolve the whole commit at once; skip events appended again since.
    if (recall(envelope.event) === known) remember(envelope.event, envelope);
    if (envelope.event === event) found = envelope;
  }
  return found as EventEnvelope<TEvent> | undefined;
}

/** Remembers the envelope of an event that was read. */
export function rememberEnvelope(envelope: EventEnvelope): void {
  remember(envelope.event, envelope);
}

/** Remembers the result of an append for its events, whose envelopes it builds on first use. */
export function rememberAppended(events: readonly object[], result: AppendResult): void {
  for (const event of events) remember(event, result);
}

import { describeValue } from '../errors/describe-value.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { EventClass } from '../serialization/event-type-registry.js';

/**
 * Whether the envelope's event is an instance of one of the classes, as a type guard that narrows
 * the whole envelope (an `EventEnvelope`, a `FeedEvent`, or any object with an `event`), not only
 * its `event`:
 *
 * ```ts
 * await store.replayAll((envelope) => {
 *   if (isEvent(envelope, MoneyDeposited)) credit(envelope); // envelope: FeedEvent & { event: MoneyDeposited }
 *   else if (isEvent(envelope, MoneyWithdrawn, FeeCharged)) debit(envelope.event); // MoneyWithdrawn | FeeCharged
 * }, { pageSize: 100 });
 * ```
 *
 * An envelope without an event (one a projection could not decode, whose `event` is undefined)
 * is of no class. Types are structural: two event classes with the same fields narrow alike.
 *
 * @throws InvalidArgumentError (INVALID_READ_OPTIONS) when no class is given, or something that is not a class.
 */
export function isEvent<TEnvelope extends { readonly event: unknown }, TClasses extends readonly [EventClass, ...EventClass[]]>(
  envelope: TEnvelope,
  ...classes: TClasses
): envelope is TEnvelope & { readonly event: InstanceType<TClasses[number]> } {
  if (classes.length === 0) throw invalid('isEvent(envelope, ...classes) needs at least one event class.');
  for (const type of classes) {
    if (typeof type !== 'function') throw invalid(`isEvent(envelope, ...classes) takes event classes; got ${describeValue(type)}.`);
  }
  const event: unknown = envelope?.event;
  return typeof event === 'object' && event !== null && classes.some((type) => event instanceof type);
}

const invalid = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_READ_OPTIONS, message);

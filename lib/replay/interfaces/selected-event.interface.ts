import type { EventClass } from '../../serialization/event-type-registry.js';

/** What an `eventTypes` option lists: event classes, or registered type names. */
export type EventTypeList = ReadonlyArray<EventClass | string>;

/**
 * The events an `eventTypes` list selects, as a type: the union of the listed classes' instances.
 * `object` when the list names a type by string (a name says nothing the compiler can check) or
 * when there is no list.
 */
export type EventsOfTypes<TTypes> =
  TTypes extends ReadonlyArray<infer TType>
    ? [Exclude<TType, EventClass>] extends [never]
      ? TType extends EventClass<infer TEvent>
        ? TEvent
        : never
      : object
    : object;

/**
 * The event type a replay hands out: the explicit type argument when the caller gave one
 * (`replay$<MyEvent>(...)`, kept for source compatibility), else what `eventTypes` selects.
 * `never` stands for "no type argument given": the replay methods default `TEvent` to it.
 */
export type ReplayedEvent<TEvent extends object, TTypes> = [TEvent] extends [never] ? EventsOfTypes<TTypes> : TEvent;

import type { EventTypeOptions } from './event-type-options.interface.js';

/** A class whose instances are events. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventClass<T extends object = object> = new (...args: any[]) => T;

/**
 * Registers an event class under an explicit, stable type name (safe from minification and renames),
 * with the same options `@EventType` takes. For a class decorated with `@EventType`, the name must
 * be the decorator's and the options given here override the decorator's.
 */
export interface NamedEventRegistration<T extends object = object> extends EventTypeOptions<T> {
  /** The type name stored with every event of this class. Never change it once events are stored (add an alias instead). */
  name: string;
  type: EventClass<T>;
}

/** A class decorated with `@EventType(name)`, or a `{ name, type, ... }` registration. */
export type EventRegistration = EventClass | NamedEventRegistration;

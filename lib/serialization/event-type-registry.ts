import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { UnknownEventTypeError } from '../errors/unknown-event-type.error.js';
import { UnregisteredEventClassError } from '../errors/unregistered-event-class.error.js';

/** A class whose instances are events. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventClass<T extends object = object> = new (...args: any[]) => T;

/** Registers an event class under an explicit, stable type name (safe from minification and renames). */
export interface NamedEventRegistration<T extends object = object> {
  /** The type name stored with every event of this class. Never change it once events are stored. */
  name: string;
  type: EventClass<T>;
}

/** An event class (stored under its class name) or a class with an explicit type name. */
export type EventRegistration = EventClass | NamedEventRegistration;

/**
 * Maps stable type names to event classes, both ways: appends store the name, reads rebuild
 * an instance of the class. One registry serves the whole module.
 */
export class EventTypeRegistry {
  private readonly classes = new Map<string, EventClass>();
  private readonly names = new Map<EventClass, string>();
  private readonly entryPrefixes = new Map<EventClass, string>();

  constructor(registrations: readonly EventRegistration[] = []) {
    for (const registration of registrations) this.register(registration);
  }

  register(registration: EventRegistration): void {
    const { name, type } = typeof registration === 'function' ? { name: registration.name, type: registration } : registration;
    if (typeof type !== 'function') {
      throw new InvalidModuleOptionsError('events', `must list event classes or { name, type } objects; got ${String(type)}.`);
    }
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidModuleOptionsError('events', `needs a non-empty type name for class ${type.name || '(anonymous)'}.`);
    }
    const existingClass = this.classes.get(name);
    if (existingClass !== undefined && existingClass !== type) {
      throw new InvalidModuleOptionsError('events', `registers the type name "${name}" for two classes (${existingClass.name} and ${type.name}).`);
    }
    const existingName = this.names.get(type);
    if (existingName !== undefined && existingName !== name) {
      throw new InvalidModuleOptionsError('events', `registers class ${type.name} under two names ("${existingName}" and "${name}").`);
    }
    this.classes.set(name, type);
    this.names.set(type, name);
    this.entryPrefixes.set(type, `{"type":${JSON.stringify(name)},"data":`);
  }

  /** The stored type name of an event instance. */
  typeNameOf(event: object): string {
    const name = this.names.get(event.constructor as EventClass);
    if (name === undefined) throw new UnregisteredEventClassError(event.constructor?.name ?? 'Object');
    return name;
  }

  /** `{"type":"<name>","data":` for an event instance: the start of its stored JSON entry, computed once per class. */
  entryPrefixOf(event: object): string {
    const prefix = this.entryPrefixes.get(event.constructor as EventClass);
    if (prefix === undefined) throw new UnregisteredEventClassError(event.constructor?.name ?? 'Object');
    return prefix;
  }

  /** Rebuilds an event instance from its stored type name and JSON data, without running its constructor. */
  instantiate(typeName: string, data: object, where?: { streamId: string; version: number }): object {
    const type = this.classes.get(typeName);
    if (type === undefined) throw new UnknownEventTypeError(typeName, where?.streamId, where?.version);
    return Object.assign(Object.create(type.prototype) as object, data);
  }
}

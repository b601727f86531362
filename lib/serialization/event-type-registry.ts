import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { UnknownEventTypeError } from '../errors/unknown-event-type.error.js';
import { UnregisteredEventClassError } from '../errors/unregistered-event-class.error.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { StreamDeleted } from '../lifecycle/stream-deleted.event.js';
import { STREAM_DELETED_TYPE } from '../lifecycle/stream-metadata-item.codec.js';
import { eventTypeCatalog } from './event-type-catalog.js';
import { eventTypeDeclarationOf } from './event-type.decorator.js';
import type { EventClass, EventRegistration, NamedEventRegistration } from './interfaces/event-registration.interface.js';
import type { EventTypeOptions } from './interfaces/event-type-options.interface.js';
import { RegisteredEventType } from './registered-event-type.js';
import { UpcasterChain } from './upcaster-chain.js';

export type { EventClass, EventRegistration, NamedEventRegistration } from './interfaces/event-registration.interface.js';

const REGISTRATION_KEYS = new Set(['name', 'type', 'revision', 'aliases', 'serializer', 'upcasters']);

/**
 * Maps stable type names (and former names) to event classes, both ways: appends store the name,
 * reads rebuild an instance of the class. One registry serves the whole module.
 *
 * Classes come from two places: the `events` lists of the module (registered, and checked, at
 * start-up), and every class decorated with `@EventType` that the process has loaded (the
 * {@link eventTypeCatalog}), registered here the first time an append, a read or a projection needs
 * it. A listed class wins over a loaded one that declares the same name.
 */
export class EventTypeRegistry {
  /** By stored name: current names and aliases. */
  private readonly byName = new Map<string, RegisteredEventType>();
  private readonly byClass = new Map<EventClass, RegisteredEventType>();
  /** By the class's prototype: an instance's prototype says its class, whatever fields it carries (even one named `constructor`). */
  private readonly byPrototype = new Map<object, RegisteredEventType>();
  /** The upcasters each class was registered with, to tell a repeated registration from a conflicting one. */
  private readonly upcastersOf = new Map<EventClass, EventTypeOptions['upcasters']>();

  constructor(registrations: readonly EventRegistration[] = []) {
    // Built in: the feed delivers a deletion's tombstone as StreamDeleted (its name is reserved: an app's class cannot take it).
    this.register({ name: STREAM_DELETED_TYPE, type: StreamDeleted });
    for (const registration of registrations) this.register(registration);
  }

  /** @throws InvalidModuleOptionsError naming the class and what to fix. */
  register(registration: EventRegistration): void {
    const { type, name, options } = this.normalize(registration);
    const className = type.name || '(anonymous class)';
    const fail = (problem: string) => new InvalidModuleOptionsError('events', problem);

    const aliases = options.aliases ?? [];
    if (!Array.isArray(aliases) || aliases.some((alias) => typeof alias !== 'string' || alias.length === 0)) {
      throw fail(`needs aliases as an array of non-empty type names (class ${className}, type "${name}").`);
    }
    if (aliases.includes(name)) throw fail(`lists "${name}" both as the name and as an alias of class ${className}.`);
    const serializer = options.serializer;
    if (serializer !== undefined && (typeof serializer?.serialize !== 'function' || typeof serializer?.deserialize !== 'function')) {
      throw fail(`needs a serializer with serialize(event) and deserialize(data) methods (class ${className}, type "${name}").`);
    }
    const chain = new UpcasterChain(name, options.revision ?? 1, options.upcasters, className);

    const existing = this.byClass.get(type);
    if (existing !== undefined) {
      if (existing.name !== name) throw fail(`registers class ${className} under two names ("${existing.name}" and "${name}").`);
      const same =
        existing.revision === chain.revision &&
        existing.serializer === serializer &&
        this.upcastersOf.get(type) === options.upcasters &&
        existing.aliases.length === aliases.length &&
        existing.aliases.every((alias, i) => alias === aliases[i]);
      if (!same) throw fail(`registers class ${className} ("${name}") twice with different options.`);
      return; // the same registration listed twice
    }
    for (const storedName of [name, ...aliases]) {
      const holder = this.byName.get(storedName);
      if (holder !== undefined) {
        throw fail(`registers the type name "${storedName}" for two classes (${holder.type.name} and ${className}).`);
      }
    }

    const registered = new RegisteredEventType(name, type, Object.freeze([...aliases]), chain, serializer);
    this.byClass.set(type, registered);
    this.byPrototype.set(type.prototype as object, registered);
    this.upcastersOf.set(type, options.upcasters);
    for (const storedName of [name, ...aliases]) this.byName.set(storedName, registered);
  }

  /**
   * The registration of an event instance's class, for appending it.
   * @throws InvalidArgumentError (INVALID_EVENT) for a StreamDeleted: only `deleteStream` writes one.
   */
  typeOf(event: object): RegisteredEventType {
    const prototype = Object.getPrototypeOf(event) as object | null;
    const registered = prototype === null ? undefined : (this.byPrototype.get(prototype) ?? this.registerDecorated(classOf(prototype)));
    if (registered === undefined) throw new UnregisteredEventClassError(classNameOf(prototype));
    if (registered.type === StreamDeleted) {
      throw new InvalidArgumentError(EventStoreErrorCode.INVALID_EVENT, 'StreamDeleted cannot be appended: deleteStream() writes it (as the stream\'s tombstone). Nothing was written.');
    }
    return registered;
  }

  /** The stored type name of an event instance. */
  typeNameOf(event: object): string {
    return this.typeOf(event).name;
  }

  /** The registration of a stored type name (current or alias), or undefined for a name not registered. */
  find(storedName: string): RegisteredEventType | undefined {
    return this.byName.get(storedName) ?? this.registerLoaded(storedName);
  }

  /** The registration of an event class, or undefined for a class neither listed nor decorated. */
  findClass(type: EventClass): RegisteredEventType | undefined {
    return this.byClass.get(type) ?? this.registerDecorated(type);
  }

  /** The registration a stored type name (current or alias) stands for. */
  resolve(storedName: string, streamId?: string, version?: number): RegisteredEventType {
    const registered = this.find(storedName);
    if (registered === undefined) throw new UnknownEventTypeError(storedName, streamId, version);
    return registered;
  }

  /**
   * Registers a class by its `@EventType`, when it has one (its first use); undefined when it has
   * none. @throws InvalidModuleOptionsError when another loaded class claims one of its names.
   */
  private registerDecorated(type: EventClass | undefined): RegisteredEventType | undefined {
    const declared = type === undefined ? undefined : eventTypeDeclarationOf(type);
    if (declared === undefined) return undefined;
    // The same rule whichever way the class is met first (appended, or read by name): an append must not settle what a read would refuse.
    for (const name of [declared.name, ...(declared.aliases ?? [])]) if (!this.byName.has(name)) this.loadedClassNamed(name);
    this.register(type!);
    return this.byClass.get(type!);
  }

  /** Registers the loaded `@EventType` class that answers to a stored name (current or former), if one does. */
  private registerLoaded(storedName: string): RegisteredEventType | undefined {
    return this.registerDecorated(this.loadedClassNamed(storedName));
  }

  /**
   * The loaded class that answers to a stored name. Several classes of one class name are one class
   * loaded again (a hot reload, a test runner's fresh module registry): the latest is used. Classes
   * of different names are a conflict the app must settle.
   * @throws InvalidModuleOptionsError when loaded classes of different names declare the name.
   */
  private loadedClassNamed(storedName: string): EventClass | undefined {
    const classes = eventTypeCatalog().classesNamed(storedName);
    const names = new Set(classes.map((type) => type.name));
    if (names.size > 1) {
      throw new InvalidModuleOptionsError(
        'events',
        `cannot tell which class the type name "${storedName}" means: the loaded classes ${[...names].map((name) => name || '(anonymous class)').join(' and ')} ` +
          `are each decorated with it (as name or alias). List the one this app uses in the \`events\` of DynamoEventSourcingModule.forRoot().`,
      );
    }
    return classes.at(-1);
  }

  /** The class registration, its decorator and explicit options merged, with a name it must have. */
  private normalize(registration: EventRegistration): { type: EventClass; name: string; options: EventTypeOptions } {
    if (typeof registration === 'function') {
      const declared = eventTypeDeclarationOf(registration);
      if (declared === undefined) throw missingName(registration);
      this.checkName(declared.name, registration);
      checkKeys(declared, registration, '@EventType options');
      return { type: registration, name: declared.name, options: declared };
    }
    if (registration === null || typeof registration !== 'object' || typeof (registration as { type?: unknown }).type !== 'function') {
      throw new InvalidModuleOptionsError(
        'events',
        `must list event classes decorated with @EventType or { name, type } objects; got ${describe(registration)}.`,
      );
    }
    const { type } = registration;
    checkKeys(registration, type, 'registration');
    const declared = eventTypeDeclarationOf(type);
    if (declared !== undefined) checkKeys(declared, type, '@EventType options');
    const name = (registration as Partial<NamedEventRegistration>).name ?? declared?.name;
    if (name === undefined) throw missingName(type);
    this.checkName(name, type);
    if (declared !== undefined && declared.name !== name) {
      throw new InvalidModuleOptionsError(
        'events',
        `registers class ${type.name} as "${name}", but its @EventType says "${declared.name}". Use one name (keep the old one as an alias).`,
      );
    }
    const options: EventTypeOptions = { ...declared };
    for (const key of ['revision', 'serializer', 'upcasters'] as const) {
      if (registration[key] !== undefined) (options as Record<string, unknown>)[key] = registration[key];
    }
    // Aliases add up: dropping the decorator's would make events stored under them unreadable.
    if (registration.aliases !== undefined) {
      options.aliases = Array.isArray(registration.aliases)
        ? [...new Set([...(declared?.aliases ?? []), ...registration.aliases])]
        : registration.aliases; // left as it is, for the check below to refuse
    }
    return { type, name, options };
  }

  private checkName(name: unknown, type: EventClass): asserts name is string {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidModuleOptionsError('events', `needs a non-empty type name for class ${type.name || '(anonymous class)'}; got ${describe(name)}.`);
    }
  }
}

/** Refuses a typo (`revison`) that would otherwise be ignored without a word. */
function checkKeys(options: object, type: EventClass, what: string): void {
  for (const key of Object.keys(options)) {
    if (!REGISTRATION_KEYS.has(key)) {
      throw new InvalidModuleOptionsError('events', `has an unknown key "${key}" in the ${what} of class ${type.name}. Known: ${[...REGISTRATION_KEYS].join(', ')}.`);
    }
  }
}

/** The class an instance's prototype belongs to (never the instance's own `constructor` field). */
function classOf(prototype: object): EventClass | undefined {
  const type: unknown = Object.hasOwn(prototype, 'constructor') ? (prototype as { constructor: unknown }).constructor : undefined;
  return typeof type === 'function' && type.prototype === prototype ? (type as EventClass) : undefined;
}

/** The class an instance's prototype belongs to, by name (never the instance's own `constructor` field). */
function classNameOf(prototype: object | null): string {
  if (prototype === null) return 'Object (with a null prototype)';
  const type: unknown = Object.hasOwn(prototype, 'constructor') ? (prototype as { constructor: unknown }).constructor : undefined;
  return typeof type === 'function' && type.name !== '' ? type.name : '(anonymous class)';
}

function missingName(type: EventClass): InvalidModuleOptionsError {
  const className = type.name || '(anonymous class)';
  return new InvalidModuleOptionsError(
    'events',
    `lists class ${className} without a stable type name. Decorate it with @EventType('<name>') or register it as ` +
      `{ name: '<name>', type: ${className} }. A class name is not used: it changes with renames and minifiers, ` +
      `while stored events keep their type name for ever.`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

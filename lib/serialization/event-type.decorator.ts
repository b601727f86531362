import { eventTypeCatalog } from './event-type-catalog.js';
import type { EventClass } from './interfaces/event-registration.interface.js';
import type { EventTypeOptions } from './interfaces/event-type-options.interface.js';

/** What `@EventType` records on a class. */
export interface EventTypeDeclaration extends EventTypeOptions {
  readonly name: string;
}

// A registry-wide symbol rather than a module-local WeakMap: a class decorated by one copy of this
// package is still recognized if the app ends up loading two copies.
const EVENT_TYPE = Symbol.for('nestjs-dynamo-es:event-type');

/**
 * Gives an event class its stable stored type name, which survives renames and minifiers (a class
 * name does not), plus its schema revision, former names, custom serializer and upcasters.
 *
 * ```ts
 * @EventType('bank.account-opened', { revision: 2, upcasters: { 1: (v1) => ({ ...v1, currency: 'EUR' }) } })
 * export class AccountOpened {
 *   constructor(readonly accountId: string, readonly currency: string) {}
 * }
 * ```
 *
 * That is all the registration a class needs: once its file is loaded (by the aggregate, handler or
 * projection that uses it), appends and reads of the app know it by this name, and so does the CLI,
 * which loads the app's module. Listing it in the module's `events` as well is allowed (it is then
 * checked at start-up rather than at first use) and settles which class a name means when two loaded
 * classes declare the same one. Works as a legacy (`experimentalDecorators`) and as a standard
 * decorator. Subclasses do not inherit it.
 */
export function EventType(name: string, options: EventTypeOptions = {}): <T extends Function>(target: T, context?: unknown) => void {
  return (target) => {
    Object.defineProperty(target, EVENT_TYPE, {
      value: Object.freeze({ ...options, name }) satisfies EventTypeDeclaration,
      enumerable: false,
      configurable: true, // a second @EventType on the same class replaces the first
    });
    const aliases = Array.isArray(options.aliases) ? options.aliases.filter((alias) => typeof alias === 'string') : [];
    eventTypeCatalog().declare(target as unknown as EventClass, [name, ...aliases]);
  };
}

/** The class's own `@EventType` declaration, if any (not one inherited from a decorated parent). */
export function eventTypeDeclarationOf(type: Function): EventTypeDeclaration | undefined {
  return Object.hasOwn(type, EVENT_TYPE) ? ((type as unknown as Record<symbol, EventTypeDeclaration>)[EVENT_TYPE]) : undefined;
}

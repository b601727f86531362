import type { EventClass } from './interfaces/event-registration.interface.js';

/**
 * Every class decorated with `@EventType` that this process has loaded, by the type names it
 * answers to (its name and aliases). It is what lets an app register its event types once, where
 * it declares them: a registry that has no explicit registration for a class or a stored name
 * looks here (see EventTypeRegistry).
 *
 * Process-wide, on `globalThis` under a registry-wide symbol: an app that ends up with two copies of
 * this package (the CommonJS and the ES module build) still sees one catalog, as it sees one
 * `@EventType` declaration per class.
 */
export interface EventTypeCatalog {
  /** Records that `type` is declared as `names[0]` (with `names[1..]` as former names), replacing what it declared before. */
  declare(type: EventClass, names: readonly string[]): void;
  /** The loaded classes that answer to the stored name, in the order they were declared. */
  classesNamed(name: string): EventClass[];
}

const CATALOG = Symbol.for('nestjs-dynamo-es:event-type-catalog');

class LoadedEventTypes implements EventTypeCatalog {
  private readonly byName = new Map<string, Set<EventClass>>();
  private readonly namesOf = new WeakMap<EventClass, readonly string[]>();

  declare(type: EventClass, names: readonly string[]): void {
    // A second @EventType on a class replaces the first: the class no longer answers to the old names.
    for (const name of this.namesOf.get(type) ?? []) this.byName.get(name)?.delete(type);
    for (const name of names) {
      const holders = this.byName.get(name) ?? new Set<EventClass>();
      holders.add(type);
      this.byName.set(name, holders);
    }
    this.namesOf.set(type, [...names]);
  }

  classesNamed(name: string): EventClass[] {
    return [...(this.byName.get(name) ?? [])];
  }
}

/** The process's catalog, created by the first copy of this package that needs it. */
export function eventTypeCatalog(): EventTypeCatalog {
  const holder = globalThis as unknown as Record<symbol, EventTypeCatalog | undefined>;
  holder[CATALOG] ??= new LoadedEventTypes();
  return holder[CATALOG];
}

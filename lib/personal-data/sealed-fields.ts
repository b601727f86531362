import type { KeyRing } from './key-ring.js';
import { isSealedValue } from './sealed-value.js';
import { valueAt } from './personal-data-declarations.js';

/** The sealed fields of one stored event: dot paths in its data, as the sealer sealed them. */
export type SealedPaths = readonly string[];

/**
 * What the decoding of one item needs to open its sealed values: the keys fetched with its page,
 * and, by the index of each event in the item, the declared personal fields that hold a sealed value.
 */
export interface ItemOpening {
  readonly ring: KeyRing;
  readonly fields: ReadonlyMap<number, SealedPaths>;
}

/** The declared personal fields of a stored type name, or undefined when it has none (or is not known). */
export type DeclaredPathsOf = (storedType: string) => readonly string[] | undefined;

/**
 * Finds, in an item's `events` JSON, the sealed values at the personal fields each event's type
 * declares, and their subjects. Only those are ever opened: an object shaped like a sealed value
 * anywhere else (client-supplied JSON in an ordinary field, say) is data like any other, never
 * opened, and costs no key lookup.
 */
export function sealedFieldsIn(eventsJson: string, declaredPathsOf: DeclaredPathsOf, subjects: Set<string>): Map<number, SealedPaths> {
  const fields = new Map<number, SealedPaths>();
  let entries: unknown;
  try {
    entries = JSON.parse(eventsJson);
  } catch {
    return fields; // damage: the decoding reports it
  }
  if (!Array.isArray(entries)) return fields;
  entries.forEach((entry: { type?: unknown; data?: unknown } | null, index) => {
    if (entry === null || typeof entry !== 'object' || typeof entry.type !== 'string') return;
    const declared = declaredPathsOf(entry.type);
    if (declared === undefined) return;
    const sealed: string[] = [];
    for (const path of declared) {
      const value = valueAt(entry.data, path);
      if (!isSealedValue(value)) continue;
      sealed.push(path);
      subjects.add(value.s);
    }
    if (sealed.length > 0) fields.set(index, sealed);
  });
  return fields;
}

const openingOfItem = new WeakMap<object, ItemOpening>();

/** Lets the decoding of an item find what opens its sealed values. */
export function attachOpening(item: object, opening: ItemOpening): void {
  openingOfItem.set(item, opening);
}

/** What opens an item's sealed values, when its page was read by an app with crypto-shredding. */
export function openingOf(item: object): ItemOpening | undefined {
  return openingOfItem.get(item);
}

import { PersonalDataDisabledError } from '../errors/personal-data-disabled.error.js';
import { PersonalDataKeyMissingError } from '../errors/personal-data-key-missing.error.js';
import { PersonalDataUnreadableError } from '../errors/personal-data-unreadable.error.js';
import { openField } from './field-cipher.js';
import { keyRingOf, type KeyRing } from './key-ring.js';
import { isSealedValue, REDACTED, SEALED_VALUE_PREFIX } from './sealed-value.js';

/** What identifies a stored item, for error messages. */
interface ItemOfEvents {
  readonly streamId: string;
  readonly version: number;
  readonly events: string;
}

const holdsSealed = new WeakMap<object, boolean>();

/**
 * An event's stored data with its sealed personal values opened, in place: each becomes its
 * plaintext value, or {@link REDACTED} when its subject was forgotten (and any Date the entry
 * lists inside it is dropped from `dates`). Synchronous: the keys were fetched with the item's page.
 * Data without sealed values is returned as it is, at the cost of one search of the item's text.
 *
 * @throws PersonalDataKeyMissingError when a subject has no item in the keys table and was never forgotten.
 * @throws PersonalDataUnreadableError when a sealed value does not open with its key (altered).
 * @throws PersonalDataDisabledError when the item holds sealed values but no keys were fetched for it.
 */
export function openPersonalData(item: ItemOfEvents, version: number, data: unknown, dates: unknown): { data: unknown; dates: unknown } {
  const ring = keyRingOf(item);
  if (ring === undefined) {
    let sealed = holdsSealed.get(item);
    if (sealed === undefined) holdsSealed.set(item, (sealed = item.events.includes(SEALED_VALUE_PREFIX)));
    if (!sealed) return { data, dates };
    throw new PersonalDataDisabledError(`Reading the sealed personal data of stream "${item.streamId}" (version ${version})`);
  }
  const redacted: Array<readonly (string | number)[]> = [];
  const where = `stream "${item.streamId}" version ${version}`;
  openWithin(data, [], ring, where, redacted);
  if (redacted.length === 0 || !Array.isArray(dates)) return { data, dates };
  // A Date inside a redacted value is gone with it: restoring it would find no date there.
  const kept = (dates as unknown[]).filter((path) => !redacted.some((prefix) => Array.isArray(path) && prefix.every((segment, i) => path[i] === segment)));
  return { data, dates: kept };
}

function openWithin(container: unknown, path: Array<string | number>, ring: KeyRing, where: string, redacted: Array<readonly (string | number)[]>): void {
  if (container === null || typeof container !== 'object') return;
  const entries: Array<[string | number, unknown]> = Array.isArray(container) ? container.map((value, i) => [i, value]) : Object.entries(container);
  for (const [name, value] of entries) {
    if (value === null || typeof value !== 'object') continue;
    const at = [...path, name];
    if (!isSealedValue(value)) {
      openWithin(value, at, ring, where, redacted);
      continue;
    }
    const state = ring.stateOf(value.s);
    if (state === undefined) throw new PersonalDataKeyMissingError(value.s, ring.keysTable, where);
    let opened: unknown;
    if (state === 'forgotten') {
      opened = REDACTED;
      redacted.push(at);
    } else {
      const fieldPath = at.join('.');
      try {
        opened = JSON.parse(openField(state, fieldPath, Buffer.from(value.c, 'base64url')));
      } catch (error) {
        throw new PersonalDataUnreadableError(value.s, `${where}, data.${fieldPath}`, (error as Error).message);
      }
    }
    // An own data property of freshly parsed JSON: assigning it reaches no setter.
    (container as Record<string | number, unknown>)[name] = opened;
  }
}

import { PersonalDataDisabledError } from '../errors/personal-data-disabled.error.js';
import { PersonalDataKeyMissingError } from '../errors/personal-data-key-missing.error.js';
import { PersonalDataUnreadableError } from '../errors/personal-data-unreadable.error.js';
import type { RegisteredEventType } from '../serialization/registered-event-type.js';
import { openField } from './field-cipher.js';
import type { KeyRing } from './key-ring.js';
import { declarationOfClass, setValueAt, valueAt } from './personal-data-declarations.js';
import { openingOf, type SealedPaths } from './sealed-fields.js';
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
 *
 * Only the personal fields the event's type declares are opened (found when the page was read:
 * see sealedFieldsIn). Any other value is returned exactly as stored, even one shaped like a sealed
 * value: client-supplied JSON in an ordinary field must not be able to make reads fail.
 *
 * @param registered the event's registered type: lets an app without the `personalData` option
 *   refuse a decorated personal field that holds a sealed value (rather than hand out the marker).
 * @throws PersonalDataKeyMissingError when a subject has no item in the keys table and was never forgotten.
 * @throws PersonalDataUnreadableError when a sealed value does not open with its key (altered).
 * @throws PersonalDataDisabledError when a decorated personal field holds a sealed value but the app has no `personalData`.
 */
export function openPersonalData(item: ItemOfEvents, version: number, data: unknown, dates: unknown, registered?: RegisteredEventType): { data: unknown; dates: unknown } {
  const opening = openingOf(item);
  if (opening === undefined) {
    if (registered !== undefined && mayHoldSealed(item)) refuseSealedFields(item, version, data, registered);
    return { data, dates };
  }
  const paths = opening.fields.get(version - item.version);
  if (paths === undefined) return { data, dates };
  const redacted = openFields(data, paths, opening.ring, `stream "${item.streamId}" version ${version}`);
  if (redacted.length === 0 || !Array.isArray(dates)) return { data, dates };
  // A Date inside a redacted value is gone with it: restoring it would find no date there.
  const kept = (dates as unknown[]).filter((path) => !redacted.some((prefix) => Array.isArray(path) && prefix.every((segment, i) => String(path[i]) === segment)));
  return { data, dates: kept };
}

/** Opens the sealed values at these paths; returns the paths (as segments) that were redacted. */
function openFields(data: unknown, paths: SealedPaths, ring: KeyRing, where: string): string[][] {
  const redacted: string[][] = [];
  for (const path of paths) {
    const value = valueAt(data, path);
    if (!isSealedValue(value)) continue; // the same JSON the page's read found it in: cannot happen
    const state = ring.stateOf(value.s);
    if (state === undefined) throw new PersonalDataKeyMissingError(value.s, ring.keysTable, where);
    let opened: unknown;
    if (state === 'forgotten') {
      opened = REDACTED;
      redacted.push(path.split('.'));
    } else {
      try {
        opened = JSON.parse(openField(state, path, Buffer.from(value.c, 'base64url')));
      } catch (error) {
        throw new PersonalDataUnreadableError(value.s, `${where}, data.${path}`, (error as Error).message);
      }
    }
    setValueAt(data, path, opened);
  }
  return redacted;
}

/** Whether the item's text holds anything shaped like a sealed value (searched once per item). */
function mayHoldSealed(item: ItemOfEvents): boolean {
  let sealed = holdsSealed.get(item);
  if (sealed === undefined) holdsSealed.set(item, (sealed = item.events.includes(SEALED_VALUE_PREFIX)));
  return sealed;
}

/** Without crypto-shredding: a decorated personal field holding a sealed value cannot be read (never handed out as the marker). */
function refuseSealedFields(item: ItemOfEvents, version: number, data: unknown, registered: RegisteredEventType): void {
  let fields: readonly string[] | undefined;
  try {
    fields = declarationOfClass(registered.type, registered.name)?.fields;
  } catch {
    return; // personal fields without a subject: never sealed
  }
  if (fields?.some((path) => isSealedValue(valueAt(data, path)))) {
    throw new PersonalDataDisabledError(`Reading the sealed personal data of stream "${item.streamId}" (version ${version})`);
  }
}

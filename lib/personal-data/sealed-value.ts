/**
 * How a sealed personal-data value is stored in place of the field's value, inside the event's
 * `data`: `{"$pd":1,"s":"<subject id>","c":"<base64url(iv | ciphertext | tag)>"}`.
 *
 * - `$pd`: the format's version (1): AES-256-GCM, 12-byte IV, 16-byte tag.
 * - `s`: the data subject's id, in clear: it names the key, and it is what `forgetSubject` takes.
 *   Pick subject ids that are not personal data themselves (a customer's uuid, not an e-mail).
 * - `c`: the IV, the ciphertext of the field's JSON (so numbers, objects and arrays come back as
 *   they were) and the GCM tag, one base64url string.
 *
 * The key `$pd` is reserved in event data for this marker.
 */
export interface SealedValue {
  readonly $pd: 1;
  readonly s: string;
  readonly c: string;
}

/** The version of the sealed-value format this module writes and reads. */
export const SEALED_FORMAT = 1;

/**
 * What a personal-data field reads as once its subject was forgotten (its data key deleted): this
 * string, in place of the value, whatever the value's type was. Handlers and projections compare
 * with it (`event.email === REDACTED`).
 */
export const REDACTED = '[redacted]' as const;

/** The text every stored sealed value starts with: finds items that hold any without parsing them. */
export const SEALED_VALUE_PREFIX = '{"$pd":1,"s":';

/** Whether a value of parsed event data is a sealed value (as written by {@link sealedValueJson}). */
export function isSealedValue(value: unknown): value is SealedValue {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const candidate = value as Partial<SealedValue>;
  return candidate.$pd === SEALED_FORMAT && typeof candidate.s === 'string' && typeof candidate.c === 'string';
}

/** The stored JSON of a sealed value, keys in the fixed order {@link SEALED_VALUE_PREFIX} relies on. */
export function sealedValueJson(subjectId: string, sealed: Buffer): string {
  return `${SEALED_VALUE_PREFIX}${JSON.stringify(subjectId)},"c":"${sealed.toString('base64url')}"}`;
}

/** The subject ids of the sealed values in an item's `events` JSON, found without parsing it. */
export function sealedSubjectsIn(eventsJson: string, into: Set<string>): void {
  for (let at = eventsJson.indexOf(SEALED_VALUE_PREFIX); at !== -1; at = eventsJson.indexOf(SEALED_VALUE_PREFIX, at + 1)) {
    const start = at + SEALED_VALUE_PREFIX.length;
    const end = endOfJsonString(eventsJson, start);
    if (end === -1) continue;
    try {
      const subject: unknown = JSON.parse(eventsJson.slice(start, end));
      if (typeof subject === 'string') into.add(subject);
    } catch {
      // Not a sealed value after all (the text happened to be there): decoding reports real damage.
    }
  }
}

/** The index after the closing quote of the JSON string that starts at `start`, or -1. */
function endOfJsonString(text: string, start: number): number {
  if (text.charCodeAt(start) !== 0x22 /* " */) return -1;
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5c /* \ */) i++;
    else if (code === 0x22) return i + 1;
  }
  return -1;
}

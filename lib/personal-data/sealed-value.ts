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
 * Only the personal fields an event's type declares are ever opened: the same shape anywhere else
 * in event data is data like any other, stored and read back as it is.
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

/** The text every stored sealed value starts with: skips items that hold none without parsing them. */
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

import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import type { SubjectKey } from './subject-key.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * What makes one sealing unique, for its synthetic IV: the same inputs give the same IV (so a
 * retried append is byte-identical to its first attempt), any other input, the plaintext included,
 * another one (so an IV never comes back with another plaintext, which would break GCM).
 */
export type SealingContext = readonly (string | number)[];

/**
 * Seals `plaintext` (a field's JSON) with the subject's key: AES-256-GCM, the IV the first 12 bytes
 * of HMAC-SHA256(ivKey, context, plaintext), and the subject id and field path as additional
 * authenticated data (a sealed value moved to another field or subject does not open).
 * Returns iv | ciphertext | tag.
 */
export function sealField(key: SubjectKey, path: string, context: SealingContext, plaintext: string): Buffer {
  const iv = syntheticIv(key, [...context, path], plaintext);
  const cipher = createCipheriv(ALGORITHM, key.dataKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(key.subjectId, path));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
}

/**
 * The plaintext of a value sealed by {@link sealField} for the same subject and path.
 * @throws Error when it was altered, or belongs to another key, subject or path (GCM's check).
 */
export function openField(key: SubjectKey, path: string, sealed: Buffer): string {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error(`a sealed value holds at least ${IV_BYTES + TAG_BYTES} bytes; this one ${sealed.length}`);
  const decipher = createDecipheriv(ALGORITHM, key.dataKey, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(key.subjectId, path));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('its authentication tag does not match (altered, or sealed with another key, subject or field)');
  }
}

/** Each input length-prefixed, so that no two different lists of inputs hash the same bytes. */
function syntheticIv(key: SubjectKey, context: SealingContext, plaintext: string): Buffer {
  const hmac = createHmac('sha256', key.ivKey);
  for (const part of [...context.map(String), plaintext]) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hmac.update(length).update(bytes);
  }
  return hmac.digest().subarray(0, IV_BYTES);
}

const associatedData = (subjectId: string, path: string): Buffer => Buffer.from(`${subjectId}\0${path}`, 'utf8');

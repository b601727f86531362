import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { KeyWrappingError } from '../errors/key-wrapping.error.js';
import type { GeneratedDataKey, KeyWrapping } from './interfaces/key-wrapping.interface.js';
import { DATA_KEY_BYTES } from './subject-key.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Wraps data keys with a 32-byte key from configuration (AES-256-GCM, a random IV per key, the
 * subject id as additional data). For development and tests: whoever has the configuration has
 * every subject's data; production uses {@link KmsKeyWrapping}, where the wrapping key never
 * leaves KMS and every unwrap is authorized and logged.
 */
export class LocalKeyWrapping implements KeyWrapping {
  /** `local:` and the first 16 hex digits of the key's SHA-256: names the key without giving it away. */
  readonly wrappedBy: string;
  private readonly key: Buffer;

  /** @param key the wrapping key, 32 bytes (the `localKey` option is its base64). */
  constructor(key: Buffer) {
    if (key.length !== DATA_KEY_BYTES) throw new RangeError(`a local wrapping key is ${DATA_KEY_BYTES} bytes; got ${key.length}`);
    this.key = Buffer.from(key);
    this.wrappedBy = `local:${createHash('sha256').update(this.key).digest('hex').slice(0, 16)}`;
  }

  async generate(subjectId: string): Promise<GeneratedDataKey> {
    const dataKey = randomBytes(DATA_KEY_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(subjectId, 'utf8'));
    const wrapped = Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
    return { dataKey, wrapped, wrappedBy: this.wrappedBy };
  }

  async unwrap(subjectId: string, wrapped: Buffer, wrappedBy: string): Promise<Buffer> {
    if (wrappedBy !== this.wrappedBy) {
      throw new KeyWrappingError('Local unwrap', subjectId, `the key is wrapped by "${wrappedBy}", but the configured localKey is "${this.wrappedBy}"`);
    }
    if (wrapped.length !== IV_BYTES + DATA_KEY_BYTES + TAG_BYTES) {
      throw new KeyWrappingError('Local unwrap', subjectId, `a locally wrapped key is ${IV_BYTES + DATA_KEY_BYTES + TAG_BYTES} bytes; this one ${wrapped.length}`);
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, wrapped.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(subjectId, 'utf8'));
    decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES, wrapped.length - TAG_BYTES)), decipher.final()]);
    } catch (error) {
      throw new KeyWrappingError('Local unwrap', subjectId, 'the wrapped key does not authenticate (altered, or wrapped for another subject)', { cause: error });
    }
  }
}

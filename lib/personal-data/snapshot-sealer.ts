import { PersonalDataKeyMissingError } from '../errors/personal-data-key-missing.error.js';
import { PersonalDataUnreadableError } from '../errors/personal-data-unreadable.error.js';
import { SubjectForgottenError } from '../errors/subject-forgotten.error.js';
import type { DataKeyStore } from './data-key-store.js';
import { openField, sealField } from './field-cipher.js';
import { isSealedValue, SEALED_FORMAT, type SealedValue } from './sealed-value.js';

/** The "field path" a whole snapshot state is sealed under (its additional authenticated data). */
const SNAPSHOT_PATH = '$snapshot';

/**
 * Seals an aggregate's whole snapshot state under its subject's key, and opens it again. A
 * forgotten subject's snapshot cannot be opened: the aggregate repository then loads the aggregate
 * from its events, whose personal fields read as redacted.
 */
export class SnapshotSealer {
  constructor(private readonly keys: DataKeyStore) {}

  /** The state as a sealed value. @throws SubjectForgottenError, KeyWrappingError */
  async seal(subjectId: string, streamId: string, version: number, state: unknown): Promise<SealedValue> {
    const key = (await this.keys.keysForSealing([subjectId])).get(subjectId)!;
    // Synthetic IV from the stream, version and state: one snapshot saved twice is stored twice the same.
    const sealed = sealField(key, SNAPSHOT_PATH, [streamId, version], JSON.stringify(state));
    return { $pd: SEALED_FORMAT, s: subjectId, c: sealed.toString('base64url') };
  }

  /**
   * The state a stored snapshot holds: opened when sealed, as it is otherwise (a snapshot taken
   * before the aggregate had a subject).
   * @throws SubjectForgottenError when its subject was forgotten (the snapshot is unusable), PersonalDataKeyMissingError, PersonalDataUnreadableError.
   */
  async open(stored: unknown, streamId: string): Promise<unknown> {
    if (!isSealedValue(stored)) return stored;
    const ring = await this.keys.ring([stored.s]);
    const state = ring.stateOf(stored.s);
    if (state === 'forgotten') throw new SubjectForgottenError(stored.s);
    if (state === undefined) throw new PersonalDataKeyMissingError(stored.s, ring.keysTable, `the snapshot of stream "${streamId}"`);
    try {
      return JSON.parse(openField(state, SNAPSHOT_PATH, Buffer.from(stored.c, 'base64url')));
    } catch (error) {
      throw new PersonalDataUnreadableError(stored.s, `the snapshot of stream "${streamId}"`, (error as Error).message);
    }
  }
}

import { describeValue } from '../errors/describe-value.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { PackableEvent } from '../event-store/commit-packer.js';
import type { PreparedAppend } from '../event-store/prepared-append.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import type { DataKeyStore } from './data-key-store.js';
import { sealField } from './field-cipher.js';
import type { PersonalDataDeclarations, EventPersonalData } from './personal-data-declarations.js';
import { setValueAt, valueAt } from './personal-data-declarations.js';
import { SEALED_FORMAT, type SealedValue } from './sealed-value.js';

/** One stored entry, parsed: `{ type, rev?, data, dates? }`. */
interface ParsedEntry {
  data: Record<string, unknown>;
}

/** The longest subject id: it is stored in every sealed value and is the keys table's partition key. */
export const MAX_SUBJECT_ID_BYTES = 1024;

/**
 * Seals the personal fields of an append's serialized events, in place, before the commit is
 * planned (so that the size limits are checked on what is stored). Each field's JSON is sealed
 * with its subject's key; the IV is synthetic (from the commit id, the event's index, the field
 * and the plaintext), so a retried append produces byte-identical entries and is recognized as a
 * duplicate. Events without personal data are left as they were serialized.
 */
export class PersonalDataSealer {
  constructor(
    private readonly declarations: PersonalDataDeclarations,
    private readonly keys: DataKeyStore,
  ) {}

  /**
   * @throws InvalidModuleOptionsError for a type with personal fields and no subject,
   *   InvalidArgumentError (INVALID_SUBJECT_ID) for an event whose subject id is not a non-empty string,
   *   SubjectForgottenError for a forgotten subject, KeyWrappingError: all before anything is written.
   */
  async seal(prepared: PreparedAppend, registry: EventTypeRegistry): Promise<void> {
    const work: Array<{ index: number; entry: ParsedEntry; subjectId: string; declaration: EventPersonalData }> = [];
    prepared.packable.forEach((packable, index) => {
      const declaration = this.declarations.of(registry.resolve(packable.type));
      if (declaration === undefined) return;
      const entry = JSON.parse(packable.entry) as ParsedEntry;
      work.push({ index, entry, subjectId: subjectIdOf(declaration, entry.data, packable.type, index), declaration });
    });
    if (work.length === 0) return;

    const keys = await this.keys.keysForSealing([...new Set(work.map(({ subjectId }) => subjectId))]);
    for (const { index, entry, subjectId, declaration } of work) {
      const key = keys.get(subjectId)!;
      for (const path of declaration.fields) {
        const value = valueAt(entry.data, path);
        if (value === undefined || value === null) continue; // nothing personal to hide
        const sealed = sealField(key, path, [prepared.commit.commitId, index], JSON.stringify(value));
        const marker: SealedValue = { $pd: SEALED_FORMAT, s: subjectId, c: sealed.toString('base64url') };
        setValueAt(entry.data, path, marker);
      }
      const json = JSON.stringify(entry);
      const packable: PackableEvent = { type: prepared.packable[index]!.type, entry: json, bytes: Buffer.byteLength(json, 'utf8') };
      prepared.packable[index] = packable;
    }
  }
}

function subjectIdOf(declaration: EventPersonalData, data: Record<string, unknown>, type: string, index: number): string {
  let subjectId: unknown;
  try {
    subjectId = declaration.subjectOf(data);
  } catch (error) {
    throw invalidSubject(`the subject function of "${type}" (event ${index}) threw: ${(error as Error)?.message ?? String(error)}`);
  }
  if (typeof subjectId !== 'string' || subjectId.length === 0) {
    throw invalidSubject(`event ${index} ("${type}") has personal data, but its subject id (${declaration.subjectSource}) is ${describeValue(subjectId)}, not a non-empty string`);
  }
  if (Buffer.byteLength(subjectId, 'utf8') > MAX_SUBJECT_ID_BYTES) {
    throw invalidSubject(`event ${index} ("${type}") has a subject id of more than ${MAX_SUBJECT_ID_BYTES} bytes`);
  }
  return subjectId;
}

const invalidSubject = (problem: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_SUBJECT_ID, `Cannot seal personal data: ${problem}. Nothing was written.`);

import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * An event holds personal data sealed under a subject's data key, but the keys table has no item
 * for that subject at all: the key was lost (a table restored without it, an item deleted by
 * hand), not forgotten with `forgetSubject`. Raised rather than reading the fields as redacted, so
 * that a lost key is never mistaken for an erasure. Nothing was changed.
 */
export class PersonalDataKeyMissingError extends EventStoreError {
  readonly code = EventStoreErrorCode.PERSONAL_DATA_KEY_MISSING;

  constructor(
    readonly subjectId: string,
    readonly keysTable: string,
    /** Where the sealed field was met, when known (`stream "order-1" version 3`). */
    readonly where?: string,
  ) {
    super(
      `No data key for subject "${subjectId}" in the keys table "${keysTable}"` +
        (where === undefined ? '' : ` (needed by ${where})`) +
        ', and the subject was never forgotten: the key item is missing (restored table, item deleted by hand?). ' +
        'Its fields are not shown as redacted, since nobody erased them: restore the key item from a backup of the keys table.',
    );
  }
}

import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * A sealed personal-data value could not be opened with its subject's key although the key is
 * there: the stored value was altered or damaged (AES-GCM authenticates every byte), or it is not
 * a sealed value this module wrote. Never read as redacted: it was not erased. Nothing was changed.
 */
export class PersonalDataUnreadableError extends EventStoreError {
  readonly code = EventStoreErrorCode.PERSONAL_DATA_UNREADABLE;

  constructor(
    readonly subjectId: string,
    /** The sealed value's place: `stream "order-1" version 3, data.email`. */
    readonly where: string,
    problem: string,
  ) {
    super(`The personal data of subject "${subjectId}" at ${where} cannot be opened: ${problem}. Nothing was changed.`);
  }
}

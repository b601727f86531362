import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * An append carried personal data of a subject that was forgotten with `forgetSubject`: its data
 * key is gone for good, so nothing can be sealed for it again. Nothing was written.
 */
export class SubjectForgottenError extends EventStoreError {
  readonly code = EventStoreErrorCode.SUBJECT_FORGOTTEN;

  constructor(
    readonly subjectId: string,
    /** When the subject was forgotten, when known. */
    readonly forgottenAt?: Date,
  ) {
    super(
      `Subject "${subjectId}" was forgotten` +
        (forgottenAt === undefined ? '' : ` on ${forgottenAt.toISOString()}`) +
        ': personal data of it can no longer be stored. Nothing was written.',
    );
  }
}

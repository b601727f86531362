import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * Personal data was to be sealed, opened or forgotten, but the module has no `personalData`
 * option (no keys table, no key wrapping). Raised before anything is written: an event class with
 * `@PersonalData` fields is never stored in plain text for want of configuration.
 */
export class PersonalDataDisabledError extends EventStoreError {
  readonly code = EventStoreErrorCode.PERSONAL_DATA_DISABLED;

  constructor(
    /** What needed it: `forgetSubject`, `an append of "customer.registered"`, ... */
    readonly needed: string,
  ) {
    super(
      `${needed} needs crypto-shredding, which is not configured: add \`personalData: { keysTable: 'personal-data-keys', ` +
        "wrapping: { kmsKeyId: '...' } }` (or `{ localKey }` for development) to the options of DynamoEventSourcingModule.forRoot(). " +
        'Nothing was written.',
    );
  }
}

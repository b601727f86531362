import type { PersonalDataOptions } from '../../../personal-data/interfaces/personal-data-options.interface.js';

/**
 * The `personalData` option in memory: `DynamoEventSourcingModule.forRoot()`'s (an app's own options
 * object can be passed as it is), except that nothing is required, since there is no keys table to
 * name nor KMS to call. `personalData: {}` turns crypto-shredding on with the decorators.
 */
export interface InMemoryPersonalDataOptions {
  /** The name erasure reports and `PersonalDataKeyMissingError` give the keys table. Default `'personal-data-keys'`. */
  keysTable?: string;
  /**
   * Checked as the DynamoDB module checks it. In memory, data keys are wrapped by `localKey` when
   * given, else by a random key of the store's own (KMS is never called).
   */
  wrapping?: PersonalDataOptions['wrapping'];
  /** Personal data of event types, by stored type name, as the DynamoDB module's `personalData.types`. */
  types?: PersonalDataOptions['types'];
}

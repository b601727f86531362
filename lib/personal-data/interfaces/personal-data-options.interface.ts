import type { KmsClientLike } from './kms-client-like.interface.js';

/** Where an event type's personal data is, given in the module's options rather than by decorators. */
export interface PersonalDataTypeOptions {
  /** The data subject: the path of the field holding its id (`'customerId'`, `'customer.id'`), or a function of the stored data. */
  subject: string | ((data: Record<string, unknown>) => string);
  /** Paths of the personal fields in the stored data: `'email'`, `'address.street'`. */
  fields: string[];
}

/** Data keys wrapped by AWS KMS (production). */
export interface KmsWrappingOptions {
  /** The symmetric KMS key: id, ARN, alias name (`alias/pii`) or alias ARN. */
  kmsKeyId: string;
  /** A KMSClient to use as it is. Default: a new one (default region and credentials). */
  kmsClient?: KmsClientLike;
}

/** Data keys wrapped by a local key (development and tests). */
export interface LocalWrappingOptions {
  /** A 32-byte key, base64: `openssl rand -base64 32`. Whoever has it can read every subject's data. */
  localKey: string;
}

/**
 * Crypto-shredding (see README, "Crypto-shredding"): personal fields of events are sealed with
 * their subject's data key, and `forgetSubject(id)` deletes that key.
 */
export interface PersonalDataOptions {
  /** The keys table's name (before `tablePrefix`), one item per subject. Set up at start-up like the other tables. */
  keysTable: string;
  /** How data keys are wrapped in the keys table. */
  wrapping: KmsWrappingOptions | LocalWrappingOptions;
  /** Personal data of event types, by stored type name: instead of (and winning over) `@PersonalData`/`@DataSubject`. */
  types?: Record<string, PersonalDataTypeOptions>;
}

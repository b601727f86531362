export { PersonalData, DataSubject } from './personal-data.decorator.js';
export { REDACTED, isSealedValue, type SealedValue } from './sealed-value.js';
export { LocalKeyWrapping } from './local-key-wrapping.js';
// A class whose file imports only types of @aws-sdk/client-kms: the SDK is loaded by KmsKeyWrapping.create().
export { KmsKeyWrapping, KMS_CONTEXT_SUBJECT } from './kms-key-wrapping.js';
export type { KeyWrapping, GeneratedDataKey } from './interfaces/key-wrapping.interface.js';
export type { PersonalDataOptions, PersonalDataTypeOptions, KmsWrappingOptions, LocalWrappingOptions } from './interfaces/personal-data-options.interface.js';
export type { KmsClientLike } from './interfaces/kms-client-like.interface.js';

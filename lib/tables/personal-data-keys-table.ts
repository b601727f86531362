import type { CreateTableInput } from '@aws-sdk/client-dynamodb';

/**
 * Attributes of the items of the personal-data keys table: one item per data subject.
 *
 * - A subject with a key: `subjectId`, `wrappedKey`, `wrappedBy`, `createdAt`.
 * - A forgotten subject: `subjectId` and `forgottenAt` only: no
 *   key material at all. So "forgotten" (fields read as redacted) is told from "no item" (a lost
 *   key: reads fail with PersonalDataKeyMissingError rather than pass for an erasure).
 */
export const PersonalDataKeyAttribute = {
  /** Partition key (S): the data subject's id. */
  subjectId: 'subjectId',
  /** (B) the subject's 32-byte data key, wrapped by KMS or the local key. */
  wrappedKey: 'wrappedKey',
  /** (S) how it is wrapped: `kms:<key ARN>` or `local:<fingerprint of the local key>`. */
  wrappedBy: 'wrappedBy',
  /** (N) when the key was made, Unix milliseconds. */
  createdAt: 'createdAt',
  /** (N) when the subject was forgotten, Unix milliseconds. */
  forgottenAt: 'forgottenAt',
} as const;

/**
 * The personal-data keys table as a `CreateTableInput`, for `tableSetup: 'create'` and for carrying
 * into CloudFormation, CDK or Terraform. On-demand billing. Turn on point-in-time recovery with
 * care: a restore brings forgotten subjects' keys back (see README, "Crypto-shredding").
 */
export function personalDataKeysTableDefinition(tableName: string): CreateTableInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: PersonalDataKeyAttribute.subjectId, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: PersonalDataKeyAttribute.subjectId, KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

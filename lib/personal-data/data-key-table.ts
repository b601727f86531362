import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import { withRetries } from '../event-store/request-retry.js';
import { backoffDelay, sleep, type RetryOptions } from '../event-store/retry-policy.js';
import { PersonalDataKeyAttribute as A } from '../tables/personal-data-keys-table.js';
import type { DataKeyRecord } from './interfaces/data-key-record.interface.js';
import type { DataKeyStorage } from './interfaces/data-key-storage.interface.js';

type Item = Record<string, AttributeValue>;

/** BatchGetItem takes at most 100 keys per request. */
const BATCH_GET_KEYS = 100;
const READ_ADVICE = 'Nothing was changed; reading again is safe.';

/** The DynamoDB requests on the personal-data keys table. Every read is strongly consistent. */
export class DataKeyTable implements DataKeyStorage {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    private readonly retry: Required<RetryOptions>,
  ) {}

  /** The subject's item, or undefined when it has none. */
  async get(subjectId: string): Promise<DataKeyRecord | undefined> {
    const { Item } = await withRetries({ operation: `Reading the data key of subject "${subjectId}"`, retry: this.retry, kind: 'read', advice: READ_ADVICE }, () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: keyOf(subjectId), ConsistentRead: true })),
    );
    return Item === undefined ? undefined : decode(Item);
  }

  /** The items of these subjects (a subject without one is absent from the map): strongly consistent BatchGetItem, 100 keys a request. */
  async getMany(subjectIds: readonly string[]): Promise<Map<string, DataKeyRecord>> {
    const found = new Map<string, DataKeyRecord>();
    for (let i = 0; i < subjectIds.length; i += BATCH_GET_KEYS) {
      let pending: Item[] = subjectIds.slice(i, i + BATCH_GET_KEYS).map(keyOf);
      for (let attempt = 1; pending.length > 0; ) {
        const { Responses, UnprocessedKeys } = await withRetries(
          { operation: 'BatchGetItem of personal-data keys', retry: this.retry, kind: 'read', advice: READ_ADVICE },
          () => this.client.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } })),
        );
        for (const raw of Responses?.[this.tableName] ?? []) {
          const record = decode(raw);
          found.set(record.subjectId, record);
        }
        const unprocessed = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        // None processed is DynamoDB throttling the batch: back off as for any throttle.
        if (unprocessed.length > 0 && unprocessed.length === pending.length) {
          if (attempt >= this.retry.maxAttempts) throw new RetriesExhaustedError('BatchGetItem of personal-data keys', attempt, 'UnprocessedKeys', { advice: READ_ADVICE });
          await sleep(backoffDelay(attempt++, this.retry));
        }
        pending = unprocessed;
      }
    }
    return found;
  }

  /**
   * Stores a new subject's wrapped key if the subject has no item yet. Returns false when it has one
   * (another process made its key first, or it was forgotten): the caller reads that item instead.
   */
  async create(subjectId: string, wrapped: Buffer, wrappedBy: string, createdAt: number): Promise<boolean> {
    const item: Item = {
      ...keyOf(subjectId),
      [A.wrappedKey]: { B: wrapped },
      [A.wrappedBy]: { S: wrappedBy },
      [A.createdAt]: { N: String(createdAt) },
    };
    try {
      // Retried as an idempotent write: an attempt that landed unheard makes the retry fail its condition, and the caller then reads its own key.
      await withRetries(
        { operation: `Storing the data key of subject "${subjectId}"`, retry: this.retry, kind: 'idempotent-write', advice: 'Appending again is safe.' },
        () =>
          this.client.send(
            new PutItemCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(#subject)', ExpressionAttributeNames: { '#subject': A.subjectId } }),
          ),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Replaces the subject's item by a forgotten marker without key material (kept even for a
   * subject that never had a key: nothing can be sealed for it afterwards). Returns the item it
   * replaced, if any.
   */
  async forget(subjectId: string, forgottenAt: number): Promise<DataKeyRecord | undefined> {
    const { Attributes } = await withRetries(
      { operation: `Forgetting subject "${subjectId}"`, retry: this.retry, kind: 'idempotent-write', advice: 'Forgetting the subject again is safe.' },
      () =>
        this.client.send(
          new PutItemCommand({ TableName: this.tableName, Item: { ...keyOf(subjectId), [A.forgottenAt]: { N: String(forgottenAt) } }, ReturnValues: 'ALL_OLD' }),
        ),
    );
    return Attributes === undefined ? undefined : decode(Attributes);
  }
}

const keyOf = (subjectId: string): Item => ({ [A.subjectId]: { S: subjectId } });

function decode(item: Item): DataKeyRecord {
  const subjectId = item[A.subjectId]!.S!;
  const forgottenAt = item[A.forgottenAt]?.N;
  if (forgottenAt !== undefined || item[A.wrappedKey]?.B === undefined) {
    // An item without key material is a forgotten subject, whatever else it lost.
    return { state: 'forgotten', subjectId, forgottenAt: Number(forgottenAt ?? 0) };
  }
  return {
    state: 'active',
    subjectId,
    wrapped: Buffer.from(item[A.wrappedKey]!.B!),
    wrappedBy: item[A.wrappedBy]?.S ?? '',
    createdAt: Number(item[A.createdAt]?.N ?? 0),
  };
}

import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { withRetries } from '../../event-store/request-retry.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { ProjectionItemAttribute as A } from '../../tables/projections-table.js';

/**
 * How a projection is stored: whether its item `<name>` exists, and the partition count its
 * checkpoints were made with (the meta item's `partitions`; 1 when absent: `<name>` is then the
 * only partition's item). One strongly consistent GetItem.
 */
export async function storedPartitionCount(
  client: DynamoDBClient,
  tableName: string,
  retry: Required<RetryOptions>,
  projection: string,
): Promise<{ readonly exists: boolean; readonly partitions: number }> {
  const { Item } = await withRetries(
    { operation: `Reading projection "${projection}"`, retry, kind: 'read', advice: 'Nothing was written; reading again is safe.' },
    () => client.send(new GetItemCommand({ TableName: tableName, Key: { [A.projection]: { S: projection } }, ConsistentRead: true })),
  );
  return { exists: Item !== undefined, partitions: Number(Item?.[A.partitions]?.N ?? 1) };
}

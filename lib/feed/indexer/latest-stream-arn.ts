import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { withRetries } from '../../event-store/request-retry.js';
import { DEFAULT_RETRY, type RetryOptions } from '../../event-store/retry-policy.js';

/** A table's current DynamoDB Stream. */
export interface TableStream {
  readonly streamArn: string;
  /** `NEW_IMAGE`, `NEW_AND_OLD_IMAGES`, `KEYS_ONLY` or `OLD_IMAGE`. */
  readonly viewType: string;
}

/**
 * The table's enabled DynamoDB Stream (one DescribeTable), or undefined when it has none. A table
 * whose stream was disabled still names it in `LatestStreamArn` (its records stay readable for a
 * day), but no new write goes there: that is no stream for the indexer, so undefined too.
 */
export async function latestStreamArn(client: DynamoDBClient, tableName: string, retry: Required<RetryOptions> = DEFAULT_RETRY): Promise<TableStream | undefined> {
  const { Table } = await withRetries({ operation: `DescribeTable of "${tableName}"`, retry, kind: 'read', advice: 'Nothing was changed; reading again is safe.' }, () =>
    client.send(new DescribeTableCommand({ TableName: tableName })),
  );
  const spec = Table?.StreamSpecification;
  if (spec?.StreamEnabled !== true || Table?.LatestStreamArn === undefined) return undefined;
  return { streamArn: Table.LatestStreamArn, viewType: spec.StreamViewType ?? 'UNKNOWN' };
}

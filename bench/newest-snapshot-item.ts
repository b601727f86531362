import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * What a hand-written store does to find a stream's newest snapshot in the module's table layout:
 * one strongly consistent Query, newest first, for a sort key starting with `s#`.
 */
export async function newestSnapshotItem(
  client: DynamoDBClient,
  tableName: string,
  streamId: string,
): Promise<Record<string, AttributeValue> | undefined> {
  const { Items } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#stream = :stream AND begins_with(#key, :snapshot)',
      ExpressionAttributeNames: { '#stream': 'streamId', '#key': 'sortKey' },
      ExpressionAttributeValues: { ':stream': { S: streamId }, ':snapshot': { S: 's#' } },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return Items?.[0];
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

/**
 * A DynamoDB Streams client that talks to the same place as `client`: its region and credentials,
 * and its endpoint when it has a custom one (DynamoDB Local serves both APIs on one port; on AWS
 * the Streams API has endpoints of its own, `streams.dynamodb.<region>.amazonaws.com`).
 */
export function streamsClientFor(client: DynamoDBClient): DynamoDBStreamsClient {
  const config = client.config;
  return new DynamoDBStreamsClient({
    region: config.region,
    credentials: config.credentials,
    maxAttempts: config.maxAttempts,
    requestHandler: config.requestHandler,
    ...(config.isCustomEndpoint && config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
  });
}

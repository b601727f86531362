import { DeleteTableCommand, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { localClientConfig } from '../../lib/testing/embedded-dynamodb.js';

/** The endpoint the tests run against: set by the global setup, or given by the user. */
export function testEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run the tests with `npm test` (its global setup starts DynamoDB Local).');
  return endpoint;
}

/** Local endpoints take any credentials; real AWS uses the default credential chain. */
export function testClientConfig(): DynamoDBClientConfig {
  const endpoint = testEndpoint();
  const host = new URL(endpoint).hostname;
  const local = host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === 'dynamodb-local';
  return local ? localClientConfig(endpoint) : { endpoint, region: process.env.AWS_REGION };
}

/** A table name no other test file uses, so files can run in parallel against one endpoint. */
export function uniqueTableName(label: string): string {
  return `es-test-${label}-${randomBytes(4).toString('hex')}`;
}

/** Deletes test tables (keeps a real AWS account clean). */
export async function deleteTables(...tableNames: string[]): Promise<void> {
  const client = new DynamoDBClient(testClientConfig());
  try {
    await Promise.all(tableNames.map((TableName) => client.send(new DeleteTableCommand({ TableName })).catch(() => undefined)));
  } finally {
    client.destroy();
  }
}

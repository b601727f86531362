// Jest loads global setup through require(), where the .js-to-.ts mapping does not apply: no extension here.
import { EmbeddedDynamoDb } from '../lib/testing/embedded-dynamodb';

/**
 * Starts one DynamoDB Local for the whole run, unless DYNAMODB_ENDPOINT points at another
 * DynamoDB (docker compose, or real AWS): then every test runs there instead.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DYNAMODB_ENDPOINT) {
    console.log(`\nTests run against DYNAMODB_ENDPOINT=${process.env.DYNAMODB_ENDPOINT}`);
    return;
  }
  const dynamo = await EmbeddedDynamoDb.start();
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint; // inherited by the test workers
  (globalThis as { __embeddedDynamoDb?: EmbeddedDynamoDb }).__embeddedDynamoDb = dynamo;
  console.log(`\nTests run against DynamoDB Local started on ${dynamo.endpoint}`);
}

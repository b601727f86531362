import type { EmbeddedDynamoDb } from '../lib/testing/embedded-dynamodb';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __embeddedDynamoDb?: EmbeddedDynamoDb }).__embeddedDynamoDb?.stop();
}

/**
 * `npm run demo`: starts the bank app on a free port (on a DynamoDB Local started for the run,
 * unless DYNAMODB_ENDPOINT is set), drives a scenario through its HTTP API and prints what happened,
 * then stops everything.
 */
import 'reflect-metadata';
import { EmbeddedDynamoDbError } from '../lib/testing/index.js';
import { runDemo } from './demo/run-demo.js';
import { connectDynamoDb } from './dynamodb/dynamodb-connection.js';
import { readyLine } from './ready-line.js';
import { startBankApp } from './start-bank-app.js';
import { StartupError } from './startup.error.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const dynamoDbStarted = performance.now();
  const dynamoDb = await connectDynamoDb();
  const dynamoDbMs = performance.now() - dynamoDbStarted;
  console.log(`Data: ${dynamoDb.description}`);
  // Tables of its own, so that a demo against a shared DynamoDB neither sees nor disturbs other data.
  const tablePrefix = `bank-demo-${Date.now().toString(36)}-`;
  const appStarted = performance.now();
  let running;
  try {
    // A hard delete waits out the purge fence before it erases (10 s by default, for every process's
    // cached stream versions to expire): the demo is one process and shortens both.
    running = await startBankApp({ dynamoDb, port: 0, host: '127.0.0.1', tablePrefix, erasureTiming: { boundaryCacheTrustMs: 1_000, purgeFenceMs: 1_500 } });
  } catch (error) {
    await dynamoDb.stop();
    throw error;
  }
  console.log(readyLine({ dynamoDbMs, appMs: performance.now() - appStarted, embedded: dynamoDb.embedded }));
  try {
    await runDemo(running.url);
  } finally {
    await running.app.close(); // stops DynamoDB Local too, if it was started here
  }
  if (!dynamoDb.embedded) console.log(`(Its tables, ${tablePrefix}*, are left in ${dynamoDb.endpoint}.)`);
}

main().catch((error: unknown) => {
  const clear = error instanceof StartupError || error instanceof EmbeddedDynamoDbError;
  console.error(clear ? `Cannot run the demo: ${(error as Error).message}` : error);
  process.exitCode = 1;
});

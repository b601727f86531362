/**
 * `npm start`: the sample app on an embedded DynamoDB Local (or on DYNAMODB_ENDPOINT when set).
 * It creates the table, appends and reads a few events, prints what it did, and exits.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { EmbeddedDynamoDb, localClientConfig } from '../lib/testing/index.js';
import { AppModule } from './app.module.js';
import { runDemo } from './demo.js';

// The AWS SDK's notice about dropping Node 20 in 2027 is not news for a demo run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  const dynamo = endpoint ? undefined : await EmbeddedDynamoDb.start();
  const stopDynamo = () => dynamo?.stop();
  process.once('SIGINT', () => void stopDynamo()?.finally(() => process.exit(130)));
  try {
    const clientConfig = dynamo?.clientConfig() ?? (isLocal(endpoint!) ? localClientConfig(endpoint!) : { endpoint });
    console.log(dynamo ? `Started DynamoDB Local on ${dynamo.endpoint}` : `Using DynamoDB at ${endpoint}`);
    const app = await NestFactory.createApplicationContext(AppModule.forDynamo(clientConfig), { logger: ['error', 'warn'] });
    try {
      await runDemo(app);
    } finally {
      await app.close();
    }
  } finally {
    await stopDynamo();
  }
  console.log('Done.');
}

function isLocal(endpoint: string): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * `npm start`: the bank sample's HTTP API on PORT (default 3000), on a DynamoDB Local started for
 * the run (in memory) unless DYNAMODB_ENDPOINT points at one. Ctrl+C (SIGINT) or SIGTERM stops
 * the app, then DynamoDB Local.
 *
 * Environment: PORT, DYNAMODB_ENDPOINT, TABLE_PREFIX (default `bank-`), PERSONAL_DATA_LOCAL_KEY (32
 * bytes, base64: wraps the customers' data keys; default a public key for the sample only).
 */
import 'reflect-metadata';
import { EmbeddedDynamoDbError } from '../lib/testing/index.js';
import { connectDynamoDb } from './dynamodb/dynamodb-connection.js';
import { readyLine } from './ready-line.js';
import { assertPortFree, startBankApp } from './start-bank-app.js';
import { StartupError } from './startup.error.js';

// The AWS SDK's notice about dropping Node 20 in 2027 is not news for a sample run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const port = numberFromEnv('PORT', 3000, 0, 65_535);
  const tablePrefix = process.env.TABLE_PREFIX ?? 'bank-';
  const personalDataKey = process.env.PERSONAL_DATA_LOCAL_KEY || undefined;
  await assertPortFree(port);

  const dynamoDbStarted = performance.now();
  const dynamoDb = await connectDynamoDb();
  const dynamoDbMs = performance.now() - dynamoDbStarted;
  const stopDynamoDb = dynamoDb.stop;
  let stopping = false;
  const connection = {
    ...dynamoDb,
    stop: async () => {
      await stopDynamoDb();
      if (stopping) console.log('Stopped.');
    },
  };
  const appStarted = performance.now();
  let running;
  try {
    running = await startBankApp({ dynamoDb: connection, port, tablePrefix, personalDataKey });
  } catch (error) {
    await dynamoDb.stop();
    throw error;
  }
  const { app, url } = running;
  const appMs = performance.now() - appStarted;
  // On SIGINT/SIGTERM Nest closes the app (projections save their checkpoints and release their
  // leases), then DynamoDbConnectionLifecycle stops DynamoDB Local, then the process ends.
  app.enableShutdownHooks(['SIGINT', 'SIGTERM']);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      console.log(`\n${signal}: stopping the app${dynamoDb.embedded ? ' and DynamoDB Local' : ''}...`);
    });
  }
  // Quiet start-up (no route listing); from now on the app's own log lines (transfer notifications) show.
  app.useLogger(['log', 'warn', 'error']);

  const json = `-H 'Content-Type: application/json'`;
  console.log(
    [
      `Bank sample API on ${url}`,
      `Data: ${dynamoDb.description}; tables ${['events', 'snapshots', 'projections', 'personal-data-keys'].map((table) => `${tablePrefix}${table}`).join(', ')}.`,
      personalDataKey === undefined
        ? 'Personal data (owners\' names) sealed with keys wrapped by the SAMPLE-ONLY public local key: set PERSONAL_DATA_LOCAL_KEY (openssl rand -base64 32); production uses KMS.'
        : 'Personal data (owners\' names) sealed with keys wrapped by PERSONAL_DATA_LOCAL_KEY.',
      readyLine({ dynamoDbMs, appMs, embedded: dynamoDb.embedded }),
      '',
      'Try (GETs read the read model, which follows writes a few hundred ms behind):',
      `  curl -i -X POST ${url}/accounts ${json} -d '{"accountId":"ada","customerId":"cus-ada","owner":"Ada Lovelace","currency":"EUR"}'`,
      `  curl -i -X POST ${url}/accounts/ada/deposits ${json} -d '{"amountCents":10000}'`,
      `  curl -s ${url}/accounts/ada`,
      `  curl -i -X POST ${url}/accounts ${json} -d '{"accountId":"grace","owner":"Grace Hopper"}'`,
      `  curl -i -X POST ${url}/transfers ${json} -d '{"fromAccountId":"ada","toAccountId":"grace","amountCents":2500}'`,
      `  curl -s ${url}/accounts/ada/history`,
      `  curl -s -X POST ${url}/admin/customers/cus-ada/forget      # then GET /accounts/ada: owner "[redacted]"`,
      '',
      'The whole API: sample/README.md. `npm run demo` runs a scripted tour.',
      `Ctrl+C stops the app${dynamoDb.embedded ? ' and DynamoDB Local' : ''}.`,
    ].join('\n'),
  );
}

function numberFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new StartupError(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}.`);
  return value;
}

main().catch((error: unknown) => {
  const clear = error instanceof StartupError || error instanceof EmbeddedDynamoDbError;
  console.error(clear ? `Cannot start: ${(error as Error).message}` : error);
  process.exitCode = 1;
});

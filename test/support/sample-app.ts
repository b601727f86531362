import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { BankApiClient } from '../../sample/demo/bank-api.client.js';
import type { DynamoDbConnection } from '../../sample/dynamodb/dynamodb-connection.js';
import { startBankApp } from '../../sample/start-bank-app.js';
import { deleteTables, testClientConfig, testEndpoint } from './dynamodb.js';

/** The fence of hard deletes in the sample's tests (and the boundary cache trust it must outlast). */
export const SAMPLE_TEST_ERASURE_TIMING = { boundaryCacheTrustMs: 500, purgeFenceMs: 600 } as const;

/** The sample bank app serving HTTP on a free port, on fresh tables of the test DynamoDB. */
export interface SampleApp {
  readonly app: INestApplication;
  readonly url: string;
  readonly api: BankApiClient;
  readonly tablePrefix: string;
  /** Closes the app, then deletes its tables (unless started with `keepTables`). */
  close(): Promise<void>;
}

/** The shared test DynamoDB, as the app sees a DYNAMODB_ENDPOINT: stopping the app leaves it running. */
export function testConnection(): DynamoDbConnection {
  return { clientConfig: testClientConfig(), endpoint: testEndpoint(), description: 'the test DynamoDB', embedded: false, stop: async () => undefined };
}

export function sampleTablePrefix(): string {
  return `es-test-bank-${randomBytes(4).toString('hex')}-`;
}

export function deleteSampleTables(tablePrefix: string): Promise<void> {
  return deleteTables(`${tablePrefix}events`, `${tablePrefix}snapshots`, `${tablePrefix}projections`, `${tablePrefix}personal-data-keys`);
}

/** Starts the app on fresh tables, or on `tablePrefix`'s (a restart); `close()` deletes them unless `keepTables`. */
export async function startSampleApp(options: { tablePrefix?: string; dynamoDb?: DynamoDbConnection; keepTables?: boolean } = {}): Promise<SampleApp> {
  const tablePrefix = options.tablePrefix ?? sampleTablePrefix();
  const dynamoDb = options.dynamoDb ?? testConnection();
  // A short purge fence, so that a hard delete answers in well under a second (one process: no other cache to outlast).
  const { app, url } = await startBankApp({ dynamoDb, port: 0, host: '127.0.0.1', tablePrefix, erasureTiming: SAMPLE_TEST_ERASURE_TIMING });
  return {
    app,
    url,
    api: new BankApiClient(url),
    tablePrefix,
    async close() {
      await app.close();
      if (!options.keepTables) await deleteSampleTables(tablePrefix);
    },
  };
}

import { DynamoDBClient, ListTablesCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';
import { EmbeddedDynamoDb, localClientConfig } from '../../lib/testing/index.js';
import { StartupError } from '../startup.error.js';

/** Where the app keeps its tables, and how to let go of it when the app stops. */
export interface DynamoDbConnection {
  readonly clientConfig: DynamoDBClientConfig;
  readonly endpoint: string;
  /** For people: "DynamoDB Local on http://127.0.0.1:40123 (started for this run, in memory)". */
  readonly description: string;
  /** Whether DynamoDB Local was started for this run (and is stopped with it). */
  readonly embedded: boolean;
  /** Stops DynamoDB Local if it was started for this run; otherwise does nothing. */
  stop(): Promise<void>;
}

export interface ConnectOptions {
  /** Default: the DYNAMODB_ENDPOINT environment variable. */
  readonly endpoint?: string;
  /** How long to wait for a DynamoDB Local at `endpoint` to answer, in ms. Default 30 s. */
  readonly waitMs?: number;
}

/**
 * `DYNAMODB_ENDPOINT` when set (docker compose, a DynamoDB Local of your own, or AWS), otherwise
 * a DynamoDB Local started here, in memory, on a free port (it needs Java 17+).
 */
export async function connectDynamoDb({ endpoint = process.env.DYNAMODB_ENDPOINT, waitMs = 30_000 }: ConnectOptions = {}): Promise<DynamoDbConnection> {
  if (endpoint) return useEndpoint(endpoint, waitMs);
  const dynamo = await EmbeddedDynamoDb.start();
  return {
    clientConfig: dynamo.clientConfig(),
    endpoint: dynamo.endpoint,
    description: `DynamoDB Local on ${dynamo.endpoint} (started for this run, in memory)`,
    embedded: true,
    stop: () => dynamo.stop(),
  };
}

async function useEndpoint(endpoint: string, waitMs: number): Promise<DynamoDbConnection> {
  const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new StartupError(`DYNAMODB_ENDPOINT must be a URL such as http://localhost:8000; got ${JSON.stringify(endpoint)}.`);
  }
  const host = url.hostname;
  const stop = () => Promise.resolve();
  // AWS itself: credentials and region come from the usual AWS chain.
  if (host.endsWith('.amazonaws.com')) return { clientConfig: { endpoint }, endpoint, description: `DynamoDB at ${endpoint}`, embedded: false, stop };
  // Anything else is a DynamoDB Local (localhost, the compose service `dynamodb-local`...): any credentials do.
  const clientConfig = localClientConfig(endpoint);
  await waitUntilAnswering(clientConfig, endpoint, waitMs);
  return { clientConfig, endpoint, description: `DynamoDB Local at ${endpoint}`, embedded: false, stop };
}

/** A DynamoDB Local started alongside the app (docker compose) may take a few seconds to listen. */
async function waitUntilAnswering(clientConfig: DynamoDBClientConfig, endpoint: string, waitMs: number): Promise<void> {
  const client = new DynamoDBClient({ ...clientConfig, maxAttempts: 1 });
  const deadline = Date.now() + waitMs;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() >= deadline) {
          throw new StartupError(
            `DynamoDB at ${endpoint} (DYNAMODB_ENDPOINT) did not answer within ${waitMs} ms: ${(error as Error).message}. ` +
              'Start it (docker compose up -d dynamodb-local), or unset DYNAMODB_ENDPOINT to have one started for you.',
          );
        }
        if (attempt === 1) console.log(`Waiting for DynamoDB at ${endpoint}...`);
        await delay(250);
      }
    }
  } finally {
    client.destroy();
  }
}

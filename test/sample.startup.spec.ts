import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import type { AccountView } from '../sample/read-model/views/account.view.js';
import { connectDynamoDb } from '../sample/dynamodb/dynamodb-connection.js';
import { assertPortFree, startBankApp } from '../sample/start-bank-app.js';
import { StartupError } from '../sample/startup.error.js';
import { deleteTables, testEndpoint } from './support/dynamodb.js';
import { deleteSampleTables, sampleTablePrefix, startSampleApp, testConnection, type SampleApp } from './support/sample-app.js';

/** What `npm start` relies on: the DynamoDB connection, the port check, the shutdown hook, the read model rebuilt at start-up. */
describe('sample app start-up and shutdown', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const listening = (): Promise<Server> =>
    new Promise((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
  const portOf = (server: Server) => (server.address() as { port: number }).port;
  const closeServer = (server: Server) => new Promise((resolve) => server.close(resolve));

  it('uses DYNAMODB_ENDPOINT when it is set, and starts nothing', async () => {
    const connection = await connectDynamoDb({ endpoint: testEndpoint() });
    expect(connection.embedded).toBe(false);
    expect(connection.endpoint).toBe(testEndpoint());
    expect(connection.clientConfig.endpoint).toBe(testEndpoint());
    await connection.stop(); // nothing to stop
  });

  it('says so clearly when DYNAMODB_ENDPOINT does not answer, or is not a URL', async () => {
    const server = await listening();
    const port = portOf(server);
    await closeServer(server); // a port nothing listens on
    const refused = connectDynamoDb({ endpoint: `http://127.0.0.1:${port}`, waitMs: 300 });
    await expect(refused).rejects.toThrow(StartupError);
    await expect(refused).rejects.toThrow(
      new RegExp(`^DynamoDB at http://127\\.0\\.0\\.1:${port} \\(DYNAMODB_ENDPOINT\\) did not answer within 300 ms: .+ Start it \\(docker compose up -d dynamodb-local\\), or unset DYNAMODB_ENDPOINT`),
    );
    await expect(connectDynamoDb({ endpoint: 'localhost:8000', waitMs: 300 })).rejects.toThrow(/^DYNAMODB_ENDPOINT must be a URL such as http:\/\/localhost:8000; got "localhost:8000"\.$/);
  });

  it('refuses a port in use with a clear message, before anything starts, and closes what it started if it loses the port later', async () => {
    const server = await listening();
    cleanups.push(() => closeServer(server));
    const port = portOf(server);
    const busy = assertPortFree(port, '127.0.0.1');
    await expect(busy).rejects.toThrow(StartupError);
    await expect(busy).rejects.toThrow(`Port ${port} is in use (another \`npm start\`?). Stop what uses it, or choose another port: PORT=3001 npm start`);
    const free = await listening();
    const freePort = portOf(free);
    await closeServer(free);
    await expect(assertPortFree(freePort, '127.0.0.1')).resolves.toBeUndefined();

    let stops = 0;
    const tablePrefix = sampleTablePrefix();
    cleanups.push(() => deleteSampleTables(tablePrefix));
    const started = startBankApp({ dynamoDb: { ...testConnection(), stop: async () => void stops++ }, port, host: '127.0.0.1', tablePrefix });
    await expect(started).rejects.toThrow(StartupError);
    await expect(started).rejects.toThrow(`Port ${port} is in use`);
    expect(stops).toBe(1); // the app was closed, and with it the connection
  });

  it('stops the DynamoDB connection when the app closes, after the app itself', async () => {
    const events: string[] = [];
    const sample = await startSampleApp({ dynamoDb: { ...testConnection(), stop: async () => void events.push('connection stopped') } });
    cleanups.push(() => deleteSampleTables(sample.tablePrefix));
    const response = await fetch(`${sample.url}/admin/projections/bank-read-model`);
    expect(await response.json()).toMatchObject({ state: expect.stringMatching(/^(live|catching-up)$/) });
    await sample.app.close();
    events.push('closed');
    expect(events).toEqual(['connection stopped', 'closed']);
  });

  it('answers GET /health with 503 and the whole report when a table is deleted under it, naming the table', async () => {
    const sample = await startSampleApp();
    cleanups.push(() => sample.close());
    const snapshots = `${sample.tablePrefix}snapshots`;
    await deleteTables(snapshots);

    const { status, body } = await sample.api.request<{ status: string; error: Record<string, any> }>('GET', '/health');
    expect(status).toBe(503);
    // Terminus's report as it is (not the API's error body): what a probe's log should show.
    expect(body).toMatchObject({ status: 'error', error: { 'event-sourcing': { status: 'down', dynamodb: { status: 'down', reachable: true } } } });
    const { dynamodb, message } = body.error['event-sourcing'];
    expect(dynamodb.tables.events).toEqual({ name: `${sample.tablePrefix}events`, matches: true });
    expect(dynamodb.tables.snapshots).toMatchObject({ name: snapshots, matches: false, differences: [expect.stringMatching(/^it does not exist/)] });
    expect(message).toContain(snapshots);
  });

  it('rebuilds its in-memory read model from the events when it starts again on the same tables', async () => {
    const first: SampleApp = await startSampleApp({ keepTables: true });
    cleanups.push(() => deleteSampleTables(first.tablePrefix));
    const opened = await first.api.expect<{ accountId: string }>(201, 'POST', '/accounts', { body: { owner: 'Survivor' } });
    const { accountId } = opened.body;
    await first.api.expect(200, 'POST', `/accounts/${accountId}/deposits`, { body: { amountCents: 4_200 } });
    const { body: before } = await first.api.poll<AccountView>(`/accounts/${accountId}`, (view) => view.version >= 2, 20_000);
    await first.close();

    const second = await startSampleApp({ tablePrefix: first.tablePrefix, keepTables: true });
    cleanups.push(() => second.app.close());
    // No polling: start-up waited for the rebuild, so the read model is complete once the app listens.
    const { body: after } = await second.api.expect<AccountView>(200, 'GET', `/accounts/${accountId}`);
    expect(after).toEqual(before);
    expect(after).toMatchObject({ balanceCents: 4_200, version: 2 });
  });
});

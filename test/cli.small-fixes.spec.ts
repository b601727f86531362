/**
 * What the CLI promises besides its commands' work: one wording for a table's state whichever
 * `tables` command reports it; exit code 130 when Ctrl-C ends `feed tail --follow`; no AWS SDK
 * notice on stderr. Against DynamoDB Local; the last two run the built CLI in a child process, as
 * the package's bin runs (test/global-setup.ts builds dist/ first when it is stale).
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { DEFAULT_RETRY } from '../lib/event-store/retry-policy.js';
import { FeedIndexer } from '../lib/feed/indexer/feed-indexer.js';
import { assertBuildIsCurrent } from './support/built-cli.js';
import { BUILT_CLI, CapturedOutput, runCli, type CliResult } from './support/cli-harness.js';
import { ConfigDirectory } from './support/cli-config-files.js';
import { deleteTables, testClientConfig, testEndpoint, uniqueTableName } from './support/dynamodb.js';
import { putCommit } from './support/raw-commits.js';

const prefix = `${uniqueTableName('cli-fixes')}-`;
const configs = new ConfigDirectory();
const created: string[] = [];
let client: DynamoDBClient;
let indexer: FeedIndexer | undefined;

beforeAll(() => {
  client = new DynamoDBClient(testClientConfig());
});

afterAll(async () => {
  await indexer?.stop();
  client.destroy();
  await deleteTables(...created);
  configs.cleanup();
});

/** A config of tables under their own prefix (deleted after the file). */
function tablesConfig(name: string, options: Record<string, unknown>, tables: readonly string[]): { config: string; tablePrefix: string } {
  const tablePrefix = `${prefix}${name}-`;
  created.push(...tables.map((table) => `${tablePrefix}${table}`));
  return { config: configs.json({ tablePrefix, ...options }), tablePrefix };
}

/**
 * Starts the built CLI in a child process with exactly `env` (plus PATH): no
 * AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED from jest's config, as in a user's shell.
 */
function startBuiltCli(args: readonly string[]) {
  const child = spawn(process.execPath, [BUILT_CLI, ...args], {
    env: { PATH: process.env.PATH, DYNAMODB_ENDPOINT: testEndpoint(), AWS_REGION: process.env.AWS_REGION },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = new CapturedOutput();
  const stderr = new CapturedOutput();
  child.stdout.on('data', (chunk: Buffer) => stdout.write(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => stderr.write(chunk.toString()));
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal === null ? -1 : 128), stdout: stdout.text, stderr: stderr.text, errors: stderr.lines() }));
  });
  return { child, stdout, exited };
}

describe('tables create and tables verify report a table in the same words', () => {
  it('tables in good order: the same line from both, with the stream and the time to live', async () => {
    const { config, tablePrefix } = tablesConfig('good', { snapshots: { ttlSeconds: 3600 }, feed: {} }, ['events', 'snapshots', 'projections']);
    expect(await runCli(['tables', 'create', '--projections', '--config', config])).toMatchObject({ code: 0, stderr: '' });
    const again = await runCli(['tables', 'create', '--projections', '--config', config]);
    const verified = await runCli(['tables', 'verify', '--projections', '--config', config]);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(again).toMatchObject({ code: 0, stderr: '', stdout: verified.stdout });
    expect(verified.stdout.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^events table "${tablePrefix}events": exists and matches, stream NEW_IMAGE arn:aws:dynamodb:\\S+$`)),
      `snapshots table "${tablePrefix}snapshots": exists and matches, time to live on expiresAt`,
      `projections table "${tablePrefix}projections": exists and matches`,
      '',
    ]);
  });

  it('a table that differs: the same line on stderr from both, which go on to the next table and exit with 1', async () => {
    const { config, tablePrefix } = tablesConfig('differs', { snapshots: {}, feed: {} }, ['events', 'snapshots']);
    // An "events" table keyed on streamId alone (with the stream the feed needs, so that create leaves it as it is).
    await client.send(
      new CreateTableCommand({
        TableName: `${tablePrefix}events`,
        KeySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'streamId', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    const first = await runCli(['tables', 'create', '--config', config]);
    expect([first.code, first.stdout]).toEqual([1, `snapshots table "${tablePrefix}snapshots": created\n`]);
    const again = await runCli(['tables', 'create', '--config', config]);
    const verified = await runCli(['tables', 'verify', '--config', config]);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toBe(`snapshots table "${tablePrefix}snapshots": exists and matches\n`);
    expect(verified.errors).toEqual([
      `nestjs-dynamo-es: Table "${tablePrefix}events" does not match what nestjs-dynamo-es expects: key schema is [streamId (HASH, S)], expected [streamId (HASH, S), version (RANGE, N)].`,
    ]);
    expect(again).toEqual(verified);
    expect(first.errors).toEqual(verified.errors);
  });
});

describe('the built CLI', () => {
  beforeAll(assertBuildIsCurrent);

  it('feed tail --follow: Ctrl-C (SIGINT) prints the checkpoint to resume from, and nothing else, and exits with 130', async () => {
    const { config, tablePrefix } = tablesConfig('feed', { feed: {} }, ['events']);
    const events = `${tablePrefix}events`;
    expect(await runCli(['tables', 'create', '--config', config])).toMatchObject({ code: 0, stderr: '' });
    const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
    indexer = new FeedIndexer({ client, tableName: events, retry: DEFAULT_RETRY, settings: { pollIntervalMs: 50, leaseTtlMs: 5_000, maxStreams: 1_000 }, logger: quiet });
    indexer.start();
    await putCommit(client, events, 'followed-1', 1, 1);

    const tail = startBuiltCli(['feed', 'tail', '--follow', '--interval', '20', '--config', config]);
    // Printed once the indexer has indexed the commit and the next poll read it: the CLI is following.
    await tail.stdout.waitForLine((line) => line.startsWith('followed-1 v1 '));
    tail.child.kill('SIGINT');
    const result = await tail.exited;
    expect(result.code).toBe(130);
    // One line: the checkpoint (and no AWS SDK notice about Node versions, which the CLI turns off).
    expect(result.errors).toEqual([expect.stringMatching(/^interrupted: resume with --from f[0-9a-f]{8}:\d+$/)]);
  });

  it(`prints no AWS SDK notice about the Node version on ${process.version} (the SDK's notice is for Node below 22)`, async () => {
    const { config, tablePrefix } = tablesConfig('notice', { feed: false }, ['events']);
    expect(await runCli(['tables', 'create', '--config', config])).toMatchObject({ code: 0 });
    // A command that builds an SDK client (where the SDK warns) and succeeds: stderr stays empty.
    const result = await startBuiltCli(['tables', 'verify', '--config', config]).exited;
    expect(result).toEqual({ code: 0, stdout: `events table "${tablePrefix}events": exists and matches\n`, stderr: '', errors: [] });
  });
});

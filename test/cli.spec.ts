import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_GROUPS } from '../lib/cli/run.js';
import { createEventSourcingRuntime, type EventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import { EventStore } from '../lib/event-store/event-store.js';
import { eventsTableDefinition, Projection, ProjectionHandler, type DynamoEventSourcingModuleOptions, type FeedEvent } from '../lib/index.js';
import { CommittedEventsPublisher } from '../lib/publishing/committed-events.publisher.js';
import { SnapshotRepository } from '../lib/snapshots/snapshot-repository.js';
import { BUILT_CLI, CapturedOutput, runCli, spawnCli } from './support/cli-harness.js';
import { assertBuildIsCurrent } from './support/built-cli.js';
import { BUILT_CJS_LIB, BUILT_LIB, ConfigDirectory, fixtureRecorder, SOURCE_LIB } from './support/cli-config-files.js';
import { deleteTables, testClientConfig, testEndpoint, uniqueTableName } from './support/dynamodb.js';
import { AccountOpened, deposits, MoneyDeposited, TEST_EVENTS } from './support/events.js';
import { createProjectionApp, waitUntil } from './support/projection-app.js';
import { eventually, indexProblems } from './support/raw-commits.js';
import { FeedIndexer } from '../lib/feed/indexer/feed-indexer.js';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
/** Nothing listens on port 1: connections are refused at once. */
const DEAD_ENDPOINT = 'http://127.0.0.1:1';

const prefix = `${uniqueTableName('cli')}-`;
const tables = { events: `${prefix}events`, snapshots: `${prefix}snapshots`, projections: `${prefix}projections` };
/** The options of the file's tables. The feed's indexer runs in this test process (see beforeAll), as in an app instance. */
const baseOptions = { tablePrefix: prefix, snapshots: { ttlSeconds: 86_400 }, feed: {} } satisfies DynamoEventSourcingModuleOptions;
const configs = new ConfigDirectory();
const baseConfig = configs.json(baseOptions);
const tag = prefix.slice('es-test-cli-'.length, -1);
/** The options of the configs of the projection app fixture (its projections table is the file's). */
const fixtureOptions = { tablePrefix: prefix } satisfies DynamoEventSourcingModuleOptions;

let runtime: EventSourcingRuntime;
let store: EventStore;
let snapshots: SnapshotRepository;
let created: Awaited<ReturnType<typeof runCli>>;
let indexer: FeedIndexer;
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
/** Resolves once the feed index holds every commit of the events table (the CLI reads only the index). */
const indexed = () => eventually(async () => (await indexProblems(runtime.client, tables.events)).length === 0, 30_000, 'the feed index to hold every commit');

beforeAll(async () => {
  // The CLI creates the file's tables: `tables create` is checked in its own test below.
  created = await runCli(['tables', 'create', '--projections', '--config', baseConfig]);
  if (created.code !== 0) throw new Error(`tables create failed: ${created.stderr}`);
  runtime = await createEventSourcingRuntime({ ...baseOptions, client: new DynamoDBClient(testClientConfig()), events: TEST_EVENTS });
  indexer = new FeedIndexer({ client: runtime.client, tableName: tables.events, retry: runtime.options.retry, settings: { pollIntervalMs: 50, leaseTtlMs: 5_000, maxStreams: 1_000 }, logger: quiet });
  indexer.start();
  store = new EventStore(runtime, new CommittedEventsPublisher());
  snapshots = new SnapshotRepository(runtime);
});

afterAll(async () => {
  await indexer?.stop();
  runtime?.client.destroy();
  await deleteTables(tables.events, tables.snapshots, tables.projections);
  configs.cleanup();
});

const lineCount = (text: string) => text.split('\n').filter((line) => line.length > 0).length;

describe('nestjs-dynamo-es: help, version and usage errors', () => {
  it('prints the help listing every command, and the version', async () => {
    const help = await runCli(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    for (const command of COMMAND_GROUPS.flatMap((group) => group.commands)) expect(help.stdout).toContain(command.usage.replace(/ \[.*$/, ''));
    expect(help.stdout).toContain('Exit codes: 0 done; 1 the work failed');
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it.each(COMMAND_GROUPS.flatMap((group) => group.commands.map((command) => [command.name, command.usage] as const)))('`%s --help` prints its usage and options', async (name, usage) => {
    const result = await runCli([...name.split(' '), '--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.startsWith(`Usage: nestjs-dynamo-es ${usage}\n`)).toBe(true);
    expect(result.stdout).toContain('Common options:\n  --config <path>');
    expect((await runCli(['help', ...name.split(' ')])).stdout).toBe(result.stdout);
  });

  it('prints a group help listing its commands', async () => {
    const result = await runCli(['tables', '--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/tables create .*\n.*tables verify .*\n.*tables print /);
  });

  it.each([
    [['frobnicate'], /^nestjs-dynamo-es: unknown command "frobnicate"; commands: tables, stream, streams, feed, projection, snapshots, subject/],
    [['tables', 'drop'], /unknown command "tables drop"; tables commands: create, verify, print/],
    [['tables'], /tables needs a command: tables create, tables verify, tables print/],
    [['--bogus'], /unknown option --bogus; the command comes first/],
    [['tables', 'verify', '--bogus'], /unknown option --bogus \(see nestjs-dynamo-es tables verify --help\)/],
    [['tables', 'verify', '--endpoint'], /option --endpoint needs a value/],
    [['tables', 'verify', '--projections=yes'], /option --projections takes no value/],
    [['stream', 'show'], /stream show needs one streamId; usage: nestjs-dynamo-es stream show <streamId>/],
    [['stream', 'show', 'a', 'b'], /stream show takes one streamId/],
    [['stream', 'show', 'acc-1', '--from', 'abc'], /--from must be a whole number >= 1; got "abc"/],
    [['stream', 'show', 'acc-1', '--from', '5', '--to', '2'], /--to \(2\) must not be below --from \(5\)/],
    [['stream', 'show', '$$feed-shards'], /streamId must not start with "\$\$"/],
    [['feed', 'tail', '--page-size', '5000'], /--page-size must be a whole number from 1 to 1000; got "5000"/],
    [['feed', 'tail', '--from', 'yesterday'], /from must be a checkpoint given by the feed/],
    [['feed', 'tail', '--since', 'a while'], /--since must be an ISO 8601 time or an age/],
    [['tables', 'print', '--format', 'yaml'], /--format must be one of json, cloudformation, cloudformation-json, terraform; got "yaml"/],
    [['snapshots', 'prune', 'acc-1', '--keep', '0'], /--keep must be a whole number >= 1; got "0"/],
  ])('refuses %j with one line on stderr and exit code 2', async (args, reason) => {
    const result = await runCli(args, { env: { NESTJS_DYNAMO_ES_CONFIG: baseConfig } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(reason);
  });
});

describe('options: config file, environment and flags, checked as the module checks them', () => {
  const printedNames = async (args: string[], env: Record<string, string> = {}) => {
    const result = await runCli(['tables', 'print', ...args], { env });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return Object.values(JSON.parse(result.stdout) as Record<string, { table: { TableName: string } }>).map((entry) => entry.table.TableName);
  };

  it('takes the prefix from the config file, the environment over it, and the flag over both', async () => {
    const config = configs.json({ tablePrefix: 'file-', snapshots: {} });
    expect(await printedNames(['--config', config])).toEqual(['file-events', 'file-snapshots']);
    expect(await printedNames(['--config', config], { NESTJS_DYNAMO_ES_TABLE_PREFIX: 'env-' })).toEqual(['env-events', 'env-snapshots']);
    expect(await printedNames(['--config', config, '--table-prefix', 'flag-'], { NESTJS_DYNAMO_ES_TABLE_PREFIX: 'env-' })).toEqual(['flag-events', 'flag-snapshots']);
    expect(await printedNames([], { NESTJS_DYNAMO_ES_CONFIG: config })).toEqual(['file-events', 'file-snapshots']);
  });

  it('reads nestjs-dynamo-es.config.json from the working directory, and a wrapped { "options": ... } JSON', async () => {
    const cwd = join(configs.path, 'project');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'nestjs-dynamo-es.config.json'), JSON.stringify({ options: { tablePrefix: 'cwd-', feed: false } }));
    const result = await runCli(['tables', 'print'], { cwd });
    expect(JSON.parse(result.stdout)).toEqual({ events: { table: expect.objectContaining({ TableName: 'cwd-events' }) } });
    expect(JSON.parse(result.stdout).events.table.GlobalSecondaryIndexes).toBeUndefined();
  });

  it.each([
    [{ snapshots: { keep: 0 } }, [], /option `snapshots.keep` must be a whole number >= 1 \(snapshots kept per stream\); got 0 \(in config-\d+\.json\)$/],
    [{ tablePrefx: 'x' }, [], /option `tablePrefx` is not an option\. Known options: client, clientConfig, tablePrefix/],
    [{ feed: { indexer: { pollIntervalMs: 0 } } }, [], /option `feed.indexer.pollIntervalMs` must be a whole number of milliseconds from 50 to 60000; got 0/],
    [{}, ['--table-prefix', 'a b '], /option `tablePrefix` gives the table name "a b events", which DynamoDB does not allow .* \(from --table-prefix\)$/],
    [{}, ['--endpoint', 'localhost:8000'], /--endpoint must be an http\(s\) URL such as http:\/\/localhost:8000; got "localhost:8000"/],
    [{ client: null }, [], /option `client` must be a DynamoDBClient from @aws-sdk\/client-dynamodb; got null \(in config-\d+\.json\)$/],
    [{ tables: { events: 12345 } }, [], /option `tables.events` must be a table name \(a string\); got 12345/],
    [{ feed: { indexer: { leaseTtlMs: 1e300 } } }, [], /option `feed.indexer.leaseTtlMs` must be a whole number of milliseconds from 1000 to 3600000/],
    [[], [], /config file .* must hold a JSON object of module options$/],
  ])('refuses the options %j %j with the module\'s message, where it came from, and exit code 2', async (options, args, reason) => {
    const result = await runCli(['tables', 'verify', '--config', configs.json(options), ...args]);
    expect(result.code).toBe(2);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(reason);
  });

  it('refuses an endpoint in the config file that is not a URL, with exit code 2', async () => {
    const result = await runCli(['tables', 'verify', '--config', configs.json({ clientConfig: { endpoint: 'not a url' } })], { env: { DYNAMODB_ENDPOINT: undefined } });
    expect([result.code, result.errors]).toEqual([2, [expect.stringMatching(/clientConfig.endpoint in the config file must be an http\(s\) URL/)]]);
  });

  it('refuses a config file that is missing, not JSON, or exports something else', async () => {
    const missing = await runCli(['tables', 'print', '--config', join(configs.path, 'nope.json')]);
    expect([missing.code, missing.errors]).toEqual([2, [expect.stringMatching(/config file .*nope\.json does not exist$/)]]);
    const broken = await runCli(['tables', 'print', '--config', configs.write('json', '{ "tablePrefix": ')]);
    expect([broken.code, broken.errors]).toEqual([2, [expect.stringMatching(/config file .*\.json is not valid JSON: /)]]);
    const typo = await runCli(['tables', 'print', '--config', configs.write('mjs', 'export default { option: {} };')]);
    expect([typo.code, typo.errors]).toEqual([2, [expect.stringMatching(/exports "option", which is not a config key \(known: options, app\)$/)]]);
    const throwing = await runCli(['tables', 'print', '--config', configs.write('mjs', 'throw new Error("no secrets here");')]);
    expect([throwing.code, throwing.errors]).toEqual([2, [expect.stringMatching(/could not be loaded: no secrets here$/)]]);
  });
});

describe('tables', () => {
  it('create: creates every table the options imply, with the events stream and the snapshots time to live', async () => {
    const client = runtime.client;
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tables.events }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(Table?.LatestStreamArn).toEqual(expect.any(String));
    expect(Table?.GlobalSecondaryIndexes).toBeUndefined();
    expect(created.stdout.split('\n')).toEqual([
      `events table "${tables.events}": created, stream NEW_IMAGE ${Table!.LatestStreamArn}`,
      `snapshots table "${tables.snapshots}": created, time to live on expiresAt`,
      `projections table "${tables.projections}": created`,
      '',
    ]);
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tables.snapshots }));
    expect(TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: expect.stringMatching(/^ENABL/) });
  });

  it('create again finds them in place; verify checks each', async () => {
    const again = await runCli(['tables', 'create', '--projections', '--config', baseConfig]);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    const { Table } = await runtime.client.send(new DescribeTableCommand({ TableName: tables.events }));
    expect(again.stdout).toContain(`events table "${tables.events}": exists and matches, stream NEW_IMAGE ${Table!.LatestStreamArn}\n`);
    const verified = await runCli(['tables', 'verify', '--projections', '--config', baseConfig]);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toBe(
      `events table "${tables.events}": exists and matches, stream NEW_IMAGE ${Table!.LatestStreamArn}\nsnapshots table "${tables.snapshots}": exists and matches, time to live on expiresAt\nprojections table "${tables.projections}": exists and matches\n`,
    );
  });

  it('verify: a missing table is one line naming it, exit code 1', async () => {
    const result = await runCli(['tables', 'verify', '--config', configs.json({ tablePrefix: `${prefix}missing-` })]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.errors).toEqual([
      `nestjs-dynamo-es: Table "${prefix}missing-events" does not match what nestjs-dynamo-es expects: it does not exist (create it with \`nestjs-dynamo-es tables create\`, or check the table name, prefix, region and endpoint).`,
    ]);
  });

  it('verify: a table with other keys is a TableMismatchError naming the differences, exit code 1', async () => {
    // The snapshots table, named as the events table: keys (streamId, sortKey), and no stream.
    const result = await runCli(['tables', 'verify', '--config', configs.json({ tablePrefix: prefix, tables: { events: 'snapshots' } })]);
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^nestjs-dynamo-es: Table "${tables.snapshots}" does not match what nestjs-dynamo-es expects: key schema is \\[streamId \\(HASH, S\\), sortKey \\(RANGE, S\\)\\], expected \\[streamId \\(HASH, S\\), version \\(RANGE, N\\)\\]; it has no DynamoDB Stream, which the feed reads`,
        ),
      ),
    ]);
  });

  it('create: turns the stream on in an events table without one, and says so; verify then passes', async () => {
    const events = `${prefix}streamless-events`;
    await runtime.client.send(new CreateTableCommand(eventsTableDefinition(events, { feed: false })));
    try {
      const config = configs.json({ tablePrefix: `${prefix}streamless-` });
      const before = await runCli(['tables', 'verify', '--config', config]);
      expect(before.code).toBe(1);
      expect(before.errors).toEqual([expect.stringContaining(`Table "${events}" does not match what nestjs-dynamo-es expects: it has no DynamoDB Stream`)]);
      const result = await runCli(['tables', 'create', '--config', config]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const { Table } = await runtime.client.send(new DescribeTableCommand({ TableName: events }));
      expect(Table).toMatchObject({ TableStatus: 'ACTIVE', StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' }, LatestStreamArn: expect.any(String) });
      expect(result.stdout).toBe(`events table "${events}": exists and matches, stream NEW_IMAGE ${Table!.LatestStreamArn} (enabled now)\n`);
      expect(await runCli(['tables', 'verify', '--config', config])).toMatchObject({ code: 0, stdout: `events table "${events}": exists and matches, stream NEW_IMAGE ${Table!.LatestStreamArn}\n` });
    } finally {
      await deleteTables(events);
    }
  });

  it('a DynamoDB that cannot be reached is one line naming the endpoint, exit code 1', async () => {
    const result = await runCli(['tables', 'verify', '--config', baseConfig, '--endpoint', DEAD_ENDPOINT]);
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([expect.stringMatching(/^nestjs-dynamo-es: cannot reach DynamoDB at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/)]);
  });

  it('a read that gives up retrying a refused connection says so the same way, not as exhausted retries', async () => {
    const fast = configs.json({ ...baseOptions, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const result = await runCli(['stream', 'show', 'acc-1', '--config', fast, '--endpoint', DEAD_ENDPOINT]);
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([expect.stringMatching(/^nestjs-dynamo-es: cannot reach DynamoDB at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/)]);
  });

  it('print --format json: the module\'s definitions by role, without contacting DynamoDB', async () => {
    const result = await runCli(['tables', 'print', '--projections', '--config', baseConfig, '--endpoint', DEAD_ENDPOINT]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const printed = JSON.parse(result.stdout);
    expect(Object.keys(printed)).toEqual(['events', 'snapshots', 'projections']);
    expect(printed.events.table).toMatchObject({
      TableName: tables.events,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'streamId', KeyType: 'HASH' },
        { AttributeName: 'version', KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    });
    expect(printed.events.table.GlobalSecondaryIndexes).toBeUndefined();
    expect(printed.events.table.AttributeDefinitions).toEqual([
      { AttributeName: 'streamId', AttributeType: 'S' },
      { AttributeName: 'version', AttributeType: 'N' },
    ]);
    expect(printed.snapshots).toEqual({ table: expect.objectContaining({ TableName: tables.snapshots }), timeToLive: { AttributeName: 'expiresAt', Enabled: true } });
    expect(printed.projections.table.KeySchema).toEqual([{ AttributeName: 'projection', KeyType: 'HASH' }]);
  });

  it('print --format cloudformation: AWS::DynamoDB::Table resources in YAML, or JSON', async () => {
    const yaml = await runCli(['tables', 'print', '--format', 'cloudformation', '--config', baseConfig]);
    expect(yaml).toMatchObject({ code: 0, stderr: '' });
    expect(yaml.stdout).toContain(`Resources:\n  EventsTable:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: ${tables.events}\n      BillingMode: PAY_PER_REQUEST\n`);
    expect(yaml.stdout).toContain('      StreamSpecification:\n        StreamViewType: NEW_IMAGE\n');
    expect(yaml.stdout).not.toContain('GlobalSecondaryIndexes');
    expect(yaml.stdout).toContain('Outputs:\n  EventsTableStreamArn:\n    Value:\n      Fn::GetAtt:\n        - EventsTable\n        - StreamArn\n');
    expect(yaml.stdout).toContain("        - AttributeName: version\n          AttributeType: 'N'\n"); // a bare N would read as false in YAML 1.1
    expect(yaml.stdout).toContain('      TimeToLiveSpecification:\n        AttributeName: expiresAt\n        Enabled: true\n');

    const json = await runCli(['tables', 'print', '--format', 'cloudformation-json', '--config', baseConfig]);
    const template = JSON.parse(json.stdout);
    expect(Object.keys(template.Resources)).toEqual(['EventsTable', 'SnapshotsTable']);
    expect(template.Resources.EventsTable).toMatchObject({ Type: 'AWS::DynamoDB::Table', Properties: { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } } });
    expect(template.Resources.EventsTable.Properties.GlobalSecondaryIndexes).toBeUndefined();
    expect(template.Resources.SnapshotsTable.Properties.StreamSpecification).toBeUndefined();
    expect(template.Outputs).toEqual({ EventsTableStreamArn: { Value: { 'Fn::GetAtt': ['EventsTable', 'StreamArn'] } } });
    expect(template.Resources.SnapshotsTable.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('print --format terraform: aws_dynamodb_table resources with keys, attributes, the events stream, billing mode and TTL', async () => {
    const result = await runCli(['tables', 'print', '--format', 'terraform', '--config', baseConfig]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(
      `resource "aws_dynamodb_table" "events" {\n  name             = "${tables.events}"\n  billing_mode     = "PAY_PER_REQUEST"\n  hash_key         = "streamId"\n  range_key        = "version"\n  stream_enabled   = true\n  stream_view_type = "NEW_IMAGE"\n`,
    );
    expect(result.stdout).toContain('  attribute {\n    name = "version"\n    type = "N"\n  }\n}\n');
    expect(result.stdout).not.toContain('global_secondary_index');
    expect(result.stdout).toContain('output "events_stream_arn" {\n  value = aws_dynamodb_table.events.stream_arn\n}\n');
    expect(result.stdout).toContain(`resource "aws_dynamodb_table" "snapshots" {\n  name         = "${tables.snapshots}"`);
    expect(result.stdout).toContain('  ttl {\n    attribute_name = "expiresAt"\n    enabled        = true\n  }\n}\n');
    expect(result.stdout).not.toContain('"projections"');
  });
});

describe('stream show', () => {
  const stream = `acc-${tag}`;
  let commitIds: string[];

  beforeAll(async () => {
    const opened = await store.append(stream, [new AccountOpened(stream, 'ann')], { expectedVersion: 'no-stream' });
    const deposited = await store.append(stream, deposits(stream, 3), { expectedVersion: 1, metadata: { userId: 'u-1' }, correlationId: 'corr-1' });
    commitIds = [opened.commitId, deposited.commitId];
  });

  it('prints the events as stored, one line each, without the app\'s classes', async () => {
    const result = await runCli(['stream', 'show', stream, '--config', baseConfig]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.split('\n').slice(0, -1);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^v1  AccountOpened  \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  commit ${commitIds[0]}  \\{"accountId":"${stream}","owner":"ann"\\}$`));
    expect(lines[2]).toMatch(
      new RegExp(`^v3  MoneyDeposited  .*  commit ${commitIds[1]}  \\{"accountId":"${stream}","amount":2,"note":""\\}  correlation corr-1  metadata \\{"userId":"u-1"\\}$`),
    );
  });

  it('--json prints one object per event; --from and --to cut a multi-event commit exactly', async () => {
    const envelopes = [];
    for await (const envelope of store.read(stream)) envelopes.push(envelope);
    const result = await runCli(['stream', 'show', stream, '--json', '--config', baseConfig]);
    const records = result.stdout.split('\n').slice(0, -1).map((line) => JSON.parse(line));
    expect(records).toEqual(
      envelopes.map((envelope) => ({
        streamId: stream,
        version: envelope.version,
        type: envelope.eventType,
        revision: 1,
        eventId: envelope.eventId,
        occurredAt: envelope.occurredAt.toISOString(),
        commitId: envelope.commitId,
        ...(envelope.correlationId === undefined ? {} : { correlationId: envelope.correlationId }),
        ...(envelope.version === 1 ? {} : { metadata: { userId: 'u-1' } }),
        data: { ...envelope.event },
      })),
    );
    const middle = await runCli(['stream', 'show', stream, '--from', '3', '--to', '3', '--json', '--config', baseConfig]);
    expect(middle.stdout.split('\n').slice(0, -1).map((line) => JSON.parse(line).version)).toEqual([3]);
  });

  it('a stream with no events is one line and exit code 1', async () => {
    const result = await runCli(['stream', 'show', `nobody-${tag}`, '--config', baseConfig]);
    expect([result.code, result.errors]).toEqual([1, [`nestjs-dynamo-es: stream "nobody-${tag}" has no events in table "${tables.events}"`]]);
  });

  it('a wrong table name is one line naming it and exit code 1', async () => {
    const result = await runCli(['stream', 'show', stream, '--config', baseConfig, '--table-prefix', `${prefix}wrong-`]);
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([expect.stringContaining(`Table "${prefix}wrong-events" does not match what nestjs-dynamo-es expects: it does not exist`)]);
  });
});

describe('feed tail', () => {
  // Commits go to streams in id order: two commits of one millisecond are ordered by stream id.
  const streams = { a: `fd-${tag}-a`, b: `fd-${tag}-b`, c: `fd-${tag}-c` };
  const feedPrefix = `fd-${tag}-`;

  beforeAll(async () => {
    await store.append(streams.a, [new AccountOpened(streams.a, 'ann')], { expectedVersion: 'no-stream' });
    await store.append(streams.b, [new AccountOpened(streams.b, 'bob'), ...deposits(streams.b, 1)], { expectedVersion: 'no-stream' });
    await store.append(streams.c, deposits(streams.c, 1, 0, 7), { expectedVersion: 'no-stream' });
    await indexed();
  });

  const tail = (...args: string[]) => runCli(['feed', 'tail', '--config', baseConfig, '--prefix', feedPrefix, ...args]);
  const records = (stdout: string) => stdout.split('\n').slice(0, -1).map((line) => JSON.parse(line) as { streamId: string; version: number; type: string; checkpoint: string });

  it('prints the feed in commit order with checkpoints, then the checkpoint to resume from', async () => {
    const result = await tail();
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').slice(0, -1);
    expect(lines.map((line) => line.split('  ').slice(0, 2).join(' '))).toEqual([
      `${streams.a} v1 AccountOpened`,
      `${streams.b} v1 AccountOpened`,
      `${streams.b} v2 MoneyDeposited`,
      `${streams.c} v1 MoneyDeposited`,
    ]);
    expect(lines[3]).toMatch(new RegExp(`  \\{"accountId":"${streams.c}","amount":7,"note":""\\}  checkpoint f[0-9a-f]{8}:\\d+$`));
    expect(result.errors).toEqual([expect.stringMatching(/^caught up: resume with --from f[0-9a-f]{8}:\d+$/)]);
  });

  it('resumes after a checkpoint, filters by type, and stops after --limit', async () => {
    const all = records((await tail('--json')).stdout);
    expect(all.map((record) => `${record.streamId}@${record.version}`)).toEqual([`${streams.a}@1`, `${streams.b}@1`, `${streams.b}@2`, `${streams.c}@1`]);
    const rest = records((await tail('--json', '--from', all[1]!.checkpoint)).stdout);
    expect(rest.map((record) => record.checkpoint)).toEqual([all[2]!.checkpoint, all[3]!.checkpoint]);
    const depositsOnly = records((await tail('--json', '--types', 'MoneyDeposited')).stdout);
    expect(depositsOnly.map((record) => `${record.streamId}@${record.version}`)).toEqual([`${streams.b}@2`, `${streams.c}@1`]);
    const limited = await tail('--limit', '1');
    expect(lineCount(limited.stdout)).toBe(1);
    expect(limited.errors).toEqual([`stopped after 1 event: resume with --from ${all[0]!.checkpoint}`]);
  });

  it('--follow prints new commits as they are indexed, until interrupted (exit code 130)', async () => {
    const config = baseConfig;
    const followed = `fz-${tag}`;
    await store.append(followed, [new AccountOpened(followed, 'cy')], { expectedVersion: 'no-stream' });
    const stdout = new CapturedOutput();
    const interrupt = new AbortController();
    const following = runCli(['feed', 'tail', '--follow', '--interval', '20', '--prefix', followed, '--config', config], { stdout, signal: interrupt.signal });
    await stdout.waitForLine((line) => line.startsWith(`${followed} v1  AccountOpened`));
    await store.append(followed, deposits(followed, 1), { expectedVersion: 1 });
    await stdout.waitForLine((line) => line.startsWith(`${followed} v2  MoneyDeposited`));
    interrupt.abort();
    const result = await following;
    expect(result.code).toBe(130);
    expect(lineCount(result.stdout)).toBe(2);
    expect(result.errors).toEqual([expect.stringMatching(/^interrupted: resume with --from f[0-9a-f]{8}:\d+/)]);
  });

  it('with feed: false in the options, says the feed is off (exit code 2)', async () => {
    const result = await runCli(['feed', 'tail', '--config', configs.json({ tablePrefix: prefix, feed: false })]);
    expect([result.code, result.errors]).toEqual([2, [expect.stringMatching(/^nestjs-dynamo-es: The feed is turned off \(`feed: false`/)]]);
  });
});

describe('snapshots prune', () => {
  const [first, second] = [`sn-${tag}-1`, `sn-${tag}-2`];

  beforeAll(async () => {
    for (let version = 1; version <= 5; version++) await snapshots.save(first, version, { version }, { revision: 1 });
    await snapshots.save(second, 1, { version: 1 }, { revision: 1 });
  });

  it('keeps the newest N snapshots of each stream named', async () => {
    const result = await runCli(['snapshots', 'prune', first, second, '--keep', '2', '--config', baseConfig]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`${first}: deleted 3 snapshots, kept the newest 2\n${second}: deleted 0 snapshots, kept the newest 2\n`);
    expect((await snapshots.load(first))?.version).toBe(5);
    expect((await snapshots.load(first, { atOrBelowVersion: 4 }))?.version).toBe(4);
    expect(await snapshots.load(first, { atOrBelowVersion: 3 })).toBeUndefined();
    expect((await snapshots.load(second))?.version).toBe(1);
  });

  it('needs --keep unless the options set snapshots.keep', async () => {
    const result = await runCli(['snapshots', 'prune', first, '--config', configs.json({ tablePrefix: prefix })]);
    expect([result.code, result.errors]).toEqual([2, ['nestjs-dynamo-es: snapshots prune needs --keep N (or snapshots.keep in the options)']]);
    const configured = await runCli(['snapshots', 'prune', first, '--config', configs.json({ tablePrefix: prefix, snapshots: { keep: 1 } })]);
    expect(configured).toMatchObject({ code: 0, stdout: `${first}: deleted 1 snapshot, kept the newest 1\n` });
  });
});

describe('projection rebuild', () => {
  const stream = `pj-${tag}`;

  beforeAll(async () => {
    await store.append(stream, [new AccountOpened(stream, 'pat'), ...deposits(stream, 2)], { expectedVersion: 'no-stream' });
    await indexed();
  });

  it("rebuilds a projection of the config's app, printing progress, and exits 0", async () => {
    const recorder = fixtureRecorder();
    const result = await runCli(['projection', 'rebuild', 'cli-ledger', '--config', configs.projectionApp(SOURCE_LIB, 'cli-ledger', fixtureOptions)]);
    expect(result.stderr).toMatch(/^rebuilding "cli-ledger": \d+%, [\d,]+ events, [\d,]+ events\/s, (ETA|done in) /);
    expect(result.code).toBe(0);
    expect(recorder.resets).toBe(1);
    expect(recorder.handled).toEqual(expect.arrayContaining([`${stream}@1`, `${stream}@2`, `${stream}@3`]));
    expect(result.errors.at(-1)).toMatch(/^rebuilding "cli-ledger": 100%, [\d,]+ events, [\d,]+ events\/s, done in \d+m?s$/);
    expect(result.stdout).toMatch(new RegExp(`^Rebuilt projection "cli-ledger": ${recorder.handled.length.toLocaleString('en-US')} events in \\d+m?s \\([\\d,]+ events/s\\)\\n$`));
  });

  it('Ctrl-C stops the rebuild where it got: exit code 130, one line', async () => {
    const recorder = fixtureRecorder();
    let open!: () => void;
    recorder.gate = new Promise((resolve) => (open = resolve));
    const interrupt = new AbortController();
    const config = configs.projectionApp(SOURCE_LIB, 'cli-stopped', fixtureOptions);
    const rebuilding = runCli(['projection', 'rebuild', 'cli-stopped', '--config', config], { signal: interrupt.signal });
    await waitUntil('the rebuild calls the handler', () => recorder.handled.length === 1);
    interrupt.abort();
    open(); // the handler being called finishes, as on any stop
    const result = await rebuilding;
    expect(result.code).toBe(130);
    expect(result.errors.at(-1)).toMatch(/^nestjs-dynamo-es: interrupted: Projection "cli-stopped" was stopped during its rebuild\./);
    expect(recorder.handled).toHaveLength(1);
  });

  it('an unknown projection is one line naming the registered ones, exit code 2', async () => {
    const result = await runCli(['projection', 'rebuild', 'nope', '--config', configs.projectionApp(SOURCE_LIB, 'cli-ledger', fixtureOptions)]);
    expect([result.code, result.errors]).toEqual([2, [expect.stringMatching(/Projection "nope" is not a registered projection\. .*Registered: "cli-ledger"\.$/)]]);
  });

  it('a projection whose lease a live app instance holds is not touched: one line, exit code 1', async () => {
    @Projection('cli-held', { pollIntervalMs: 50, leaseTtlMs: 60_000 })
    class HeldProjection {
      @ProjectionHandler(AccountOpened, MoneyDeposited)
      on(_event: object, _envelope: FeedEvent): void {}
    }
    const live = await createProjectionApp({ events: tables.events, projections: tables.projections }, { projections: [HeldProjection] });
    try {
      await waitUntil('the live instance holds the lease', () => live.manager.status('cli-held').state === 'live');
      const recorder = fixtureRecorder();
      const result = await runCli(['projection', 'rebuild', 'cli-held', '--config', configs.projectionApp(SOURCE_LIB, 'cli-held', fixtureOptions)]);
      expect(result.code).toBe(1);
      expect(result.errors).toEqual([expect.stringMatching(/^nestjs-dynamo-es: Projection "cli-held" is run by another app instance \(".*", lease valid until .*\)\. .*Nothing was changed\.$/)]);
      expect(recorder.resets).toBe(0);
      expect(live.manager.status('cli-held').state).toBe('live');
    } finally {
      await live.close();
    }
  });

  it('needs an app in the config, without forRoot of its own (exit code 2)', async () => {
    const none = await runCli(['projection', 'rebuild', 'cli-ledger', '--config', baseConfig]);
    expect([none.code, none.errors]).toEqual([2, [expect.stringMatching(/projection rebuild needs the app's projections: export `app` from a \.mjs or \.js config file.*has none$/)]]);
    const rooted = configs.write(
      'mjs',
      `import { DynamoEventSourcingModule } from ${JSON.stringify(SOURCE_LIB)};\nclass AppModule {}\nexport const app = { module: AppModule, imports: [DynamoEventSourcingModule.forRoot({})] };\n`,
    );
    const withRoot = await runCli(['projection', 'rebuild', 'cli-ledger', '--config', rooted]);
    expect([withRoot.code, withRoot.errors]).toEqual([2, [expect.stringMatching(/the config's app imports DynamoEventSourcingModule\.forRoot\(\) itself/)]]);
  });
});

describe('the built CLI, as the package bin runs it', () => {
  // test/global-setup.ts builds dist/ when it is stale; a build of other sources would test old code.
  beforeAll(assertBuildIsCurrent);

  it('starts with a shebang and prints its version', async () => {
    expect(readFileSync(BUILT_CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(await spawnCli(['--version'])).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('fails on an unreachable endpoint with exactly one line on stderr (no SDK notice) and exit code 1', async () => {
    const result = await spawnCli(['tables', 'verify', '--endpoint', DEAD_ENDPOINT, '--table-prefix', prefix]);
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([expect.stringMatching(/^nestjs-dynamo-es: cannot reach DynamoDB at http:\/\/127\.0\.0\.1:1: /)]);
  });

  it('rebuilds a projection of an app loaded by Node itself from a .mjs config', async () => {
    const config = configs.projectionApp(BUILT_LIB, 'cli-spawned', fixtureOptions);
    const result = await spawnCli(['projection', 'rebuild', 'cli-spawned', '--config', config], { DYNAMODB_ENDPOINT: testEndpoint(), AWS_REGION: process.env.AWS_REGION });
    expect(result.stderr).toMatch(/rebuilding "cli-spawned": 100%/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Rebuilt projection "cli-spawned": [\d,]+ events in /);
  });

  it("rebuilds a projection of an app on the package's CommonJS build (a NestJS 11 app), whose classes are not the CLI's", async () => {
    const config = configs.projectionApp(BUILT_CJS_LIB, 'cli-spawned-cjs', fixtureOptions, 'cjs');
    const result = await spawnCli(['projection', 'rebuild', 'cli-spawned-cjs', '--config', config], { DYNAMODB_ENDPOINT: testEndpoint(), AWS_REGION: process.env.AWS_REGION });
    expect(result.stderr).toMatch(/rebuilding "cli-spawned-cjs": 100%/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Rebuilt projection "cli-spawned-cjs": [\d,]+ events in /);
  });

  it('still rebuilds an app written in the 0.4 form: forFeature({ projections }), events listed', async () => {
    const config = configs.projectionApp(BUILT_CJS_LIB, 'cli-spawned-0.4', fixtureOptions, 'cjs', 'forFeature');
    const result = await spawnCli(['projection', 'rebuild', 'cli-spawned-0.4', '--config', config], { DYNAMODB_ENDPOINT: testEndpoint(), AWS_REGION: process.env.AWS_REGION });
    expect(result.stderr).toMatch(/rebuilding "cli-spawned-0.4": 100%/);
    expect(result.code).toBe(0);
  });
});

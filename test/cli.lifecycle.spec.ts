/**
 * The CLI's erasing commands (`stream delete`, `stream truncate`, `streams purge`, `subject forget`)
 * against DynamoDB Local: each asks first (refused without --yes when nobody can answer), prints an
 * erasure report as JSON on stdout, and reports the module's errors in one line with an exit code.
 * Mostly in-process (fast); the refusal without a terminal and one erasure also run the built CLI in a
 * child process, as the package's bin runs (test/global-setup.ts builds dist/ first when it is stale).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from '../lib/cli/run.js';
import { createEventSourcingRuntime, type EventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import { EventStore } from '../lib/event-store/event-store.js';
import type { DynamoEventSourcingModuleOptions } from '../lib/index.js';
import type { ErasureReport } from '../lib/lifecycle/interfaces/erasure-report.interface.js';
import { DataSubject, PersonalData } from '../lib/personal-data/personal-data.decorator.js';
import { REDACTED } from '../lib/personal-data/sealed-value.js';
import { CommittedEventsPublisher } from '../lib/publishing/committed-events.publisher.js';
import { assertBuildIsCurrent } from './support/built-cli.js';
import { CapturedOutput, runCli, spawnCli, type CliResult } from './support/cli-harness.js';
import { ConfigDirectory } from './support/cli-config-files.js';
import { deleteTables, testClientConfig, testEndpoint, uniqueTableName } from './support/dynamodb.js';
import { AccountOpened, MoneyDeposited, TEST_EVENTS } from './support/events.js';
import { EventType } from '../lib/serialization/event-type.decorator.js';

@EventType('CustomerRegistered')
class CustomerRegistered {
  @DataSubject() readonly customerId: string;
  @PersonalData() readonly email: string;

  constructor(customerId: string, email: string) {
    this.customerId = customerId;
    this.email = email;
  }
}

const prefix = `${uniqueTableName('cli-lifecycle')}-`;
/**
 * No boundary cache, and the shortest purge fence that allows (500 ms: a write relying on a head read
 * is still sent within that long; the fence's own tests are the lifecycle's, not the CLI's).
 * Crypto-shredding with a local key.
 */
const options = {
  tablePrefix: prefix,
  feed: false,
  boundaryCache: false,
  lifecycle: { purgeFenceMs: 500 },
  personalData: { keysTable: 'personal-data-keys', wrapping: { localKey: randomBytes(32).toString('base64') } },
} satisfies DynamoEventSourcingModuleOptions;
const configs = new ConfigDirectory();
const config = configs.json(options);
const { personalData: _, ...withoutPersonalData } = options;
const env = { DYNAMODB_ENDPOINT: testEndpoint(), AWS_REGION: process.env.AWS_REGION };

const NO_TERMINAL = /Nothing was done; with no terminal to ask on, confirm with --yes\.$/;

let runtime: EventSourcingRuntime;
let store: EventStore;

beforeAll(async () => {
  const created = await runCli(['tables', 'create', '--config', config]);
  if (created.code !== 0) throw new Error(`tables create failed: ${created.stderr}`);
  runtime = await createEventSourcingRuntime({ ...options, client: new DynamoDBClient(testClientConfig()), events: [...TEST_EVENTS, CustomerRegistered] });
  store = new EventStore(runtime, new CommittedEventsPublisher());
});

afterAll(async () => {
  runtime?.client.destroy();
  await deleteTables(`${prefix}events`, runtime?.options.personalData?.keysTable ?? `${prefix}personal-data-keys`);
  configs.cleanup();
});

/** A stream of `count` events, one commit each (so that every version is an item of its own). */
async function streamOf(streamId: string, count: number): Promise<void> {
  await store.append(streamId, [new AccountOpened(streamId, 'Ada')], { expectedVersion: 0 });
  for (let version = 1; version < count; version++) await store.append(streamId, [new MoneyDeposited(streamId, version)], { expectedVersion: version });
}

/** The versions a read of the stream returns. */
async function versionsOf(streamId: string): Promise<number[]> {
  const versions: number[] = [];
  for await (const envelope of store.read(streamId)) versions.push(envelope.version);
  return versions;
}

/** Runs the CLI in-process with a terminal on stdin that answers `answer`. */
async function runOnTerminal(args: readonly string[], answer: string): Promise<CliResult> {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  stdin.end(`${answer}\n`);
  const stdout = new CapturedOutput();
  const stderr = new CapturedOutput();
  const code = await run(args, { stdout, stderr, env, cwd: process.cwd(), stdin });
  return { code, stdout: stdout.text, stderr: stderr.text, errors: stderr.lines() };
}

/** The report a successful command printed: stdout is exactly one JSON document. */
function reportOf(result: CliResult): ErasureReport {
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as ErasureReport;
}

const actionsOf = (report: ErasureReport) => report.actions.map(({ what, count }) => ({ what, count }));

describe('asking first', () => {
  beforeAll(() => streamOf('refused-1', 3));

  it.each([
    ['stream delete', ['stream', 'delete', 'refused-1']],
    ['stream delete --hard', ['stream', 'delete', 'refused-1', '--hard']],
    ['stream truncate', ['stream', 'truncate', 'refused-1', '--before', '3']],
    ['streams purge', ['streams', 'purge', '--stream', 'refused-1']],
    ['streams purge of every stream', ['streams', 'purge']],
  ])('%s without --yes and without a terminal: refused with exit code 2, saying what it would do, and nothing is done', async (_, args) => {
    const result = await runCli([...args, '--config', config]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.errors.at(-1)).toMatch(NO_TERMINAL);
    expect(result.errors.at(-1)).toMatch(/cannot be undone/);
    expect(await versionsOf('refused-1')).toEqual([1, 2, 3]);
  });

  it('on a terminal, it says what will happen and that it cannot be undone; anything but yes is a no (exit code 1)', async () => {
    await streamOf('asked-1', 2);
    const refused = await runOnTerminal(['stream', 'delete', 'asked-1', '--hard', '--config', config], 'n');
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toContain('Hard-delete stream "asked-1" at version 2');
    expect(refused.stderr).toContain('This cannot be undone.');
    expect(refused.errors.at(-1)).toMatch(/Hard-delete stream "asked-1"\? \[y\/N\] nestjs-dynamo-es: not confirmed: nothing was done$/);
    expect(await versionsOf('asked-1')).toEqual([1, 2]);

    const confirmed = await runOnTerminal(['stream', 'delete', 'asked-1', '--config', config], 'yes');
    expect(reportOf(confirmed)).toMatchObject({ operation: 'stream.delete', streamId: 'asked-1', mode: 'soft' });
    expect(await versionsOf('asked-1')).toEqual([]);
  });
});

describe('stream delete', () => {
  it('soft, without --expected-version: deletes at the version it read, says so, and prints the report', async () => {
    await streamOf('soft-1', 3);
    const result = await runCli(['stream', 'delete', 'soft-1', '--yes', '--config', config]);
    const report = reportOf(result);
    expect(result.errors[0]).toBe('Stream "soft-1" is at version 3: deleting it at that version (as --expected-version 3).');
    expect(report).toMatchObject({ operation: 'stream.delete', streamId: 'soft-1', mode: 'soft' });
    expect(Date.parse(report.completedAt)).toBeGreaterThanOrEqual(Date.parse(report.requestedAt));
    expect(report.actions.map(({ what }) => what)).toContain('tombstone-written');
    expect(report.actions.every(({ where }) => where === `${prefix}events`)).toBe(true);
    // Soft-deleted: read as empty.
    const shown = await runCli(['stream', 'show', 'soft-1', '--config', config]);
    expect(shown).toMatchObject({ code: 1, stdout: '' });
    expect(shown.errors).toEqual([`nestjs-dynamo-es: stream "soft-1" has no events in table "${prefix}events"`]);
    // A soft-deleted stream reads at version 0: a hard delete of it (the usual second step of an erasure) deletes at 0.
    const hard = await runCli(['stream', 'delete', 'soft-1', '--hard', '--yes', '--config', config]);
    expect(reportOf(hard)).toMatchObject({ operation: 'stream.delete', streamId: 'soft-1', mode: 'hard' });
    expect(hard.errors[0]).toBe('Stream "soft-1" is at version 0: deleting it at that version (as --expected-version 0).');
  });

  it('at a wrong --expected-version: exit code 1 with the ConcurrencyError, and nothing deleted', async () => {
    await streamOf('stale-1', 3);
    const result = await runCli(['stream', 'delete', 'stale-1', '--expected-version', '2', '--hard', '--yes', '--config', config]);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.errors.at(-1)).toMatch(/^nestjs-dynamo-es: Concurrency conflict on stream "stale-1": expected version 2, but the stream is at version 3\./);
    expect(await versionsOf('stale-1')).toEqual([1, 2, 3]);
  });

  it('hard, with --out: the report on stdout and in the file; then stream show says the stream was deleted', async () => {
    await streamOf('hard-1', 3);
    const out = join(configs.path, 'hard-1.report.json');
    const result = await runCli(['stream', 'delete', 'hard-1', '--hard', '--expected-version', '3', '--out', out, '--yes', '--config', config]);
    const report = reportOf(result);
    expect(report).toMatchObject({ operation: 'stream.delete', streamId: 'hard-1', mode: 'hard' });
    expect(actionsOf(report)).toContainEqual({ what: 'events-deleted', count: expect.any(Number) });
    expect(readFileSync(out, 'utf8')).toBe(result.stdout);
    expect(result.errors.at(-1)).toBe(`The report was also written to ${out}.`);

    const shown = await runCli(['stream', 'show', 'hard-1', '--config', config]);
    expect(shown).toMatchObject({ code: 1, stdout: '' });
    expect(shown.errors).toEqual([expect.stringMatching(/^nestjs-dynamo-es: Stream "hard-1" was hard-deleted at version 3\b.*cannot be read or appended to again/)]);
    // A second delete is refused the same way.
    const again = await runCli(['stream', 'delete', 'hard-1', '--hard', '--yes', '--config', config]);
    expect(again.code).toBe(1);
    expect(again.errors.at(-1)).toMatch(/Stream "hard-1" was hard-deleted at version 3/);
  });

  it('--out naming a file that exists: refused before anything is done (exit code 2), and the file is left as it was', async () => {
    await streamOf('kept-1', 1);
    const out = join(configs.path, 'earlier.report.json');
    writeFileSync(out, '{"an":"earlier report"}');
    const result = await runCli(['stream', 'delete', 'kept-1', '--hard', '--out', out, '--yes', '--config', config]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.errors.at(-1)).toMatch(/--out .*earlier\.report\.json: the file exists already; .* Nothing was done\.$/);
    expect(readFileSync(out, 'utf8')).toBe('{"an":"earlier report"}');
    expect(await versionsOf('kept-1')).toEqual([1]);
  });

  it('a refused delete leaves no --out file behind', async () => {
    await streamOf('kept-2', 1);
    const out = join(configs.path, 'never.report.json');
    const result = await runCli(['stream', 'delete', 'kept-2', '--out', out, '--config', config]);
    expect(result.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});

describe('stream truncate and streams purge', () => {
  it('truncate hides the versions below --before at once; purge then deletes them; both print their reports', async () => {
    await streamOf('trunc-1', 5);
    const truncated = reportOf(await runCli(['stream', 'truncate', 'trunc-1', '--before', '3', '--yes', '--config', config]));
    expect(truncated).toMatchObject({ operation: 'stream.truncate', streamId: 'trunc-1' });
    expect(actionsOf(truncated)).toEqual([{ what: 'events-retired', count: 2 }]);
    const shown = await runCli(['stream', 'show', 'trunc-1', '--json', '--config', config]);
    expect(shown.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { version: number }).version)).toEqual([3, 4, 5]);

    const purged = reportOf(await runCli(['streams', 'purge', '--stream', 'trunc-1', '--yes', '--config', config]));
    expect(purged).toMatchObject({ operation: 'streams.purge' });
    expect(actionsOf(purged)).toContainEqual({ what: 'events-deleted', count: 2 });
    expect(await versionsOf('trunc-1')).toEqual([3, 4, 5]);
  });

  it('truncate at or below the current truncateBefore changes nothing, asks nothing, and says so', async () => {
    await streamOf('trunc-2', 3);
    reportOf(await runCli(['stream', 'truncate', 'trunc-2', '--before', '3', '--yes', '--config', config]));
    const again = await runCli(['stream', 'truncate', 'trunc-2', '--before', '2', '--config', config]);
    expect(reportOf(again).actions).toEqual([]);
    expect(again.errors).toEqual(['Stream "trunc-2" is already truncated before version 3: nothing to do.']);
  });

  it('truncate without --before is a usage error (exit code 2)', async () => {
    const result = await runCli(['stream', 'truncate', 'trunc-3', '--yes', '--config', config]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.errors).toEqual([expect.stringMatching(/stream truncate needs --before <version>/)]);
  });
});

describe('subject forget', () => {
  /** The email of the customer's registration, as this process reads it. */
  async function emailOf(customerId: string): Promise<string> {
    for await (const envelope of store.read<CustomerRegistered>(`customer-${customerId}`)) return envelope.event.email;
    throw new Error('no event');
  }

  it('refused without a terminal (the data stays readable); with --yes: the key is deleted, the report says so, the field reads as redacted', async () => {
    await store.append('customer-c1', [new CustomerRegistered('c1', 'ada@example.com')], { expectedVersion: 0 });
    const refused = await runCli(['subject', 'forget', 'c1', '--config', config]);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.errors.at(-1)).toMatch(/^nestjs-dynamo-es: subject forget: Forget data subject "c1": .*This cannot be undone\. Nothing was done; with no terminal/);
    expect(await emailOf('c1')).toBe('ada@example.com');

    const report = reportOf(await runCli(['subject', 'forget', 'c1', '--yes', '--config', config]));
    expect(report).toMatchObject({ operation: 'subject.forget', subject: 'c1' });
    expect(actionsOf(report)).toContainEqual({ what: 'data-key-deleted', count: 1 });
    expect(report.actions.find(({ what }) => what === 'data-key-deleted')?.where).toBe(runtime.options.personalData?.keysTable);
    expect(await emailOf('c1')).toBe(REDACTED);
  });

  it('without personalData in the options: exit code 2 with the PersonalDataDisabledError, before asking', async () => {
    const result = await runCli(['subject', 'forget', 'c2', '--config', configs.json(withoutPersonalData)]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.errors).toEqual([expect.stringMatching(/^nestjs-dynamo-es: subject forget needs crypto-shredding, which is not configured: add `personalData: /)]);
  });

  it('an empty subject id: exit code 2, before asking', async () => {
    const result = await runCli(['subject', 'forget', ' ', '--yes', '--config', config]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.errors).toEqual([expect.stringMatching(/^nestjs-dynamo-es: A subject id is a non-empty string/)]);
  });
});

describe('the built CLI', () => {
  beforeAll(assertBuildIsCurrent);

  it('with stdin not a terminal and no --yes: refused, exit code 2, nothing deleted; with --yes: the JSON report on stdout alone', async () => {
    await streamOf('spawned-1', 2);
    const refused = await spawnCli(['stream', 'delete', 'spawned-1', '--hard', '--config', config], env);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.errors.at(-1)).toMatch(NO_TERMINAL);
    expect(await versionsOf('spawned-1')).toEqual([1, 2]);

    const done = await spawnCli(['stream', 'delete', 'spawned-1', '--hard', '--yes', '--config', config], env);
    expect(reportOf(done)).toMatchObject({ operation: 'stream.delete', streamId: 'spawned-1', mode: 'hard' });
  });
});

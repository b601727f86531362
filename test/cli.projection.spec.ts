import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEventSourcingRuntime, type EventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import { EventStore } from '../lib/event-store/event-store.js';
import { createFeedReader } from '../lib/feed/feed-reader.js';
import { FeedIndexTable } from '../lib/feed/index/feed-index-table.js';
import type { DynamoEventSourcingModuleOptions, FeedEvent } from '../lib/index.js';
import { ParkedEventStore } from '../lib/projections/parking/parked-event-store.js';
import { PartitionParking } from '../lib/projections/parking/partition-parking.js';
import { ProjectionStore } from '../lib/projections/projection-store.js';
import { CommittedEventsPublisher } from '../lib/publishing/committed-events.publisher.js';
import { runCli } from './support/cli-harness.js';
import { ConfigDirectory, fixtureRecorder, SOURCE_LIB } from './support/cli-config-files.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { collect } from './support/event-store-app.js';
import { AccountOpened, deposits, TEST_EVENTS } from './support/events.js';

/**
 * `projection status`, `projection parked` and `projection retry-parked`, run in-process on tables
 * this file creates; the index and the projection's items are written here directly (no app runs),
 * so that what the commands must print is known exactly.
 */
const prefix = `${uniqueTableName('clip')}-`;
const tables = { events: `${prefix}events`, projections: `${prefix}projections` };
const options = { tablePrefix: prefix, feed: { indexer: false } } satisfies DynamoEventSourcingModuleOptions;
const configs = new ConfigDirectory();
const config = configs.json(options);
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, verbose: () => undefined, fatal: () => undefined };

let runtime: EventSourcingRuntime;
let store: EventStore;
let projections: ProjectionStore;
let parked: ParkedEventStore;
let index: FeedIndexTable;
let position = 1;

beforeAll(async () => {
  const created = await runCli(['tables', 'create', '--projections', '--config', config]);
  if (created.code !== 0) throw new Error(`tables create failed: ${created.stderr}`);
  runtime = await createEventSourcingRuntime({ ...options, client: new DynamoDBClient(testClientConfig()), events: TEST_EVENTS });
  store = new EventStore(runtime, new CommittedEventsPublisher());
  projections = new ProjectionStore(runtime.client, tables.projections, runtime.options.retry);
  parked = new ParkedEventStore(runtime.client, tables.projections, runtime.options.retry);
  index = new FeedIndexTable(runtime.client, tables.events, runtime.options.retry);
  await index.ensureMeta();
});

afterAll(async () => {
  runtime?.client.destroy();
  configs.cleanup();
  await deleteTables(tables.events, tables.projections);
});

/** Appends and indexes one commit (the next position). */
async function commit(streamId: string, events: object[], expectedVersion: number | 'no-stream'): Promise<void> {
  const { version } = await store.append(streamId, events, { expectedVersion });
  const p = position++;
  await index.append({ position: p, lastPosition: p, commits: [{ streamId, version: version - events.length + 1, commitEnd: version }], checkpoint: { shards: {} }, writtenAt: Date.now() });
}

async function feedEventsOf(streamId: string): Promise<FeedEvent[]> {
  return (await collect(createFeedReader(runtime).pages({ pageSize: 1000 }))).flatMap((page) => page.events).filter((event) => event.streamId === streamId);
}

/** Parks the stream's events in the projection's (one) partition, under a lease it then releases unless `keep`. */
async function parkAll(name: string, streamId: string, keep = false): Promise<void> {
  const acquired = await projections.acquire(name, 'cli-test-holder', 60_000);
  if (!acquired.acquired) throw new Error('not acquired');
  const parking = new PartitionParking(parked, name, name, 'wait', quiet as never);
  const [first, ...rest] = await feedEventsOf(streamId);
  await parking.park(acquired.lease, first!, new Error('poison\nsecond line'), 3, 'failed');
  for (const event of rest) await parking.park(acquired.lease, event, undefined, 0, 'waiting');
  if (!keep) await projections.release(name, acquired.lease);
}

describe('projection status', () => {
  it('prints one row per partition with its lag, exit 0; --json gives the same as one object', async () => {
    const name = 'clip-status';
    const s = `st-${Date.now()}`;
    await commit(s, [new AccountOpened(s, 'pat'), ...deposits(s, 2)], 'no-stream');
    await parkAll(name, s);
    const result = await runCli(['projection', 'status', name, '--config', config]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Projection "${name}": 1 partition, feed index head at position \\d+, 3 parked events \\(projection parked ${name}\\)$`));
    expect(lines[1]).toMatch(/^PARTITION +OWNER +CHECKPOINT +HANDLED +SKIPPED +PARKED +LAG COMMITS +LAG EVENTS +LAG TIME$/);
    expect(lines[2]).toMatch(new RegExp(`^0 +\\(none\\) +0 +0 +0 +3 +\\d+ +\\d+ +\\S+$`));
    const json = await runCli(['projection', 'status', name, '--json', '--config', config]);
    const inspection = JSON.parse(json.stdout) as { partitions: Array<{ parkedCount: number; lag: { commits: number } }>; headPosition: number };
    expect(inspection.partitions).toHaveLength(1);
    expect(inspection.partitions[0]).toMatchObject({ parkedCount: 3, lag: { commits: inspection.headPosition } });
  });

  it('a projection that never ran against the tables: one line, exit code 1', async () => {
    const result = await runCli(['projection', 'status', 'never-ran', '--config', config]);
    expect([result.code, result.errors]).toEqual([1, [expect.stringMatching(/projection "never-ran" has no stored state in table ".*projections": it never ran against these tables$/)]]);
  });
});

describe('projection parked', () => {
  it('lists the parked events in feed order, one line each (--json: one object per line)', async () => {
    const name = 'clip-parked';
    const s = `pk-${Date.now()}`;
    await commit(s, [new AccountOpened(s, 'pat')], 'no-stream');
    await commit(s, deposits(s, 1), 1);
    await parkAll(name, s);
    const result = await runCli(['projection', 'parked', name, '--config', config]);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^\\[${name}\\] "${s}"@1 AccountOpened failed \\(attempts 3, retries 0\\) parked \\S+Z at f[0-9a-f]{8}:\\d+: Error: poison second line$`)),
      expect.stringMatching(new RegExp(`^\\[${name}\\] "${s}"@2 MoneyDeposited waiting \\(attempts 0, retries 0\\) parked \\S+Z at f[0-9a-f]{8}:\\d+$`)),
    ]);
    expect(result.errors).toEqual(['2 parked events']);
    const json = await runCli(['projection', 'parked', name, '--json', '--config', config]);
    expect(json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { version: number; reason: string })).toEqual([
      expect.objectContaining({ streamId: s, version: 1, reason: 'failed', error: expect.objectContaining({ message: 'poison\nsecond line' }) }),
      expect.objectContaining({ streamId: s, version: 2, reason: 'waiting' }),
    ]);
  });
});

describe('projection retry-parked (needs ProjectionManager.retryParked, wired by the lead)', () => {
  const name = 'clip-retry';
  const app = () => configs.projectionApp(SOURCE_LIB, name, { tablePrefix: prefix, feed: { indexer: false } });

  it('retries with the app handlers: exit 1 while the handler still fails, 0 once fixed; events handled in order', async () => {
    const s = `rt-${Date.now()}`;
    await commit(s, [new AccountOpened(s, 'pat')], 'no-stream');
    await commit(s, deposits(s, 1), 1);
    await parkAll(name, s);
    const recorder = fixtureRecorder();
    const failing = Promise.reject(new Error('still poisoned'));
    failing.catch(() => undefined);
    recorder.gate = failing;
    const still = await runCli(['projection', 'retry-parked', name, '--config', app()]);
    expect(still.code).toBe(1);
    expect(still.stdout).toMatch(new RegExp(`^${name}: retried 1: 0 handled, 2 still parked; first failure: "${s}"@1: .*still poisoned\\n`));
    expect(still.stdout).toMatch(/still parked \(see: nestjs-dynamo-es projection parked/);

    recorder.gate = undefined;
    recorder.handled.length = 0;
    const fixed = await runCli(['projection', 'retry-parked', name, '--config', app()]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toBe(`${name}: retried 2: 2 handled, 0 still parked\nProjection "${name}": 2 parked events handled, 0 still parked\n`);
    expect(recorder.handled).toEqual([`${s}@1`, `${s}@2`]);
    expect(await parked.list(name)).toEqual([]);
  });

  it('a live holder that does not answer: a clear line, exit code 1', async () => {
    const s = `rh-${Date.now()}`;
    await commit(s, [new AccountOpened(s, 'pat')], 'no-stream');
    const other = `${name}-held`;
    await parkAll(other, s, true);
    const result = await runCli(['projection', 'retry-parked', other, '--timeout', '1', '--config', configs.projectionApp(SOURCE_LIB, other, { tablePrefix: prefix, feed: { indexer: false } })]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^${other}: the app instance holding it \\("cli-test-holder"\\) did not answer in time`));
  });
});

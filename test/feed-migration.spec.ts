import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  waitUntilTableExists,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom, toArray } from 'rxjs';
import { PassThrough } from 'node:stream';
import { createEventSourcingRuntime, type EventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import { EventStore } from '../lib/event-store/event-store.js';
import { DEFAULT_RETRY } from '../lib/event-store/retry-policy.js';
import { FeedIndexTable } from '../lib/feed/index/feed-index-table.js';
import { FEED_INDEX_META_VERSION, FEED_INDEX_STREAM } from '../lib/feed/index/feed-index-keys.js';
import { ANY, FEED_START, projectionsTableDefinition, StreamPurger } from '../lib/index.js';
import { collect } from './support/event-store-app.js';
import { migrateProjectionCheckpoints } from '../lib/feed/migration/projection-checkpoints-migration.js';
import { CommittedEventsPublisher } from '../lib/publishing/committed-events.publisher.js';
import { CapturedOutput, runCli } from './support/cli-harness.js';
import { ConfigDirectory } from './support/cli-config-files.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { createLegacyEventsTable, legacyItems, writeLegacyCommits, type LegacyCommit } from './support/legacy-tables.js';
import { MoneyDeposited, TEST_EVENTS } from './support/events.js';

/**
 * `feed migrate` on a table exactly as 0.3 wrote it: its GSI `feed`, `feedShard` on each commit's
 * first item, the `$$feed-shards` item, a split commit, commits sharing a millisecond; and a
 * projections table holding 0.3 checkpoints.
 */

const prefix = `${uniqueTableName('migrate')}-`;
const tables = { events: `${prefix}events`, projections: `${prefix}projections` };
const configs = new ConfigDirectory();
const config = configs.json({ tablePrefix: prefix });
/** An hour ago: 0.3's commits predate the stream by far (the migration bisects over them). */
const T = Date.now() - 3_600_000;

let client: DynamoDBClient;
let runtime: EventSourcingRuntime;
let store: EventStore;

/** The commits of the 0.3 table, in the order they were written (not the feed's). */
const LEGACY_COMMITS: readonly LegacyCommit[] = [
  { streamId: 'acc-b', version: 1, events: 1, at: T },
  { streamId: 'acc-a', version: 1, events: 2, at: T }, // same millisecond as acc-b's: ordered by stream id
  { streamId: 'acc-c', version: 1, events: 3, at: T + 5, slices: [3] }, // split over two items
  { streamId: 'acc-a', version: 3, events: 1, at: T + 5 },
  { streamId: 'acc-b', version: 2, events: 3, at: T + 10 },
  { streamId: 'ord:1', version: 1, events: 1, at: T + 10 },
  { streamId: 'acc-a', version: 4, events: 2, at: T + 12 },
  { streamId: 'acc-c', version: 4, events: 1, at: T + 20 },
  { streamId: 'acc-b', version: 5, events: 1, at: T + 20 },
  { streamId: 'ord:1', version: 2, events: 4, at: T + 31, slices: [3, 5] }, // split over three items
  { streamId: 'acc-a', version: 6, events: 1, at: T + 40 },
];

interface Event {
  readonly streamId: string;
  readonly version: number;
  readonly at: number;
}

/** 0.3's feed order, computed here independently of the module: (commit time, stream id, version). */
const compareEvents = (a: Event, b: Event) => a.at - b.at || (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0) || a.version - b.version;
const legacyOrder = [...LEGACY_COMMITS].sort((a, b) => compareEvents(a, b));
const legacyEvents: Event[] = legacyOrder.flatMap((c) => Array.from({ length: c.events }, (_, i) => ({ streamId: c.streamId, version: c.version + i, at: c.at })));

async function createLegacyTables(): Promise<void> {
  await createLegacyEventsTable(client, tables.events);
  await client.send(new CreateTableCommand(projectionsTableDefinition(tables.projections)));
  await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: tables.projections });
  await writeLegacyCommits(client, tables.events, LEGACY_COMMITS);
}

/** A projection item as 0.3 left it: a checkpoint, counters, a released lease (or one held). */
async function putProjection(projection: string, checkpoint?: string, lease?: { owner: string; expiresAt: number }): Promise<void> {
  const Item: Record<string, AttributeValue> = { projection: { S: projection }, eventsHandled: { N: '7' }, leaseEpoch: { N: '3' }, updatedAt: { N: String(T + 50) } };
  if (checkpoint !== undefined) Item.checkpoint = { S: checkpoint };
  if (lease !== undefined) Object.assign(Item, { leaseOwner: { S: lease.owner }, leaseExpiresAt: { N: String(lease.expiresAt) } });
  await client.send(new PutItemCommand({ TableName: tables.projections, Item }));
}

async function deleteProjection(projection: string): Promise<void> {
  await client.send(new DeleteItemCommand({ TableName: tables.projections, Key: { projection: { S: projection } } }));
}

async function checkpointOf(projection: string): Promise<string | undefined> {
  const { Item } = await client.send(new GetItemCommand({ TableName: tables.projections, Key: { projection: { S: projection } }, ConsistentRead: true }));
  return Item?.checkpoint?.S;
}

/** Every commit in the feed index, in position order. */
async function indexedCommits(): Promise<Array<{ position: number; streamId: string; version: number; commitEnd: number; slices?: readonly number[] }>> {
  const index = new FeedIndexTable(client, tables.events, DEFAULT_RETRY);
  const commits = [];
  let next = 1;
  for (let batches = await index.batchesFrom(next, 100, true); batches.length > 0; batches = await index.batchesFrom(next, 100, true)) {
    for (const batch of batches) {
      expect(batch.position).toBe(next); // gap-free
      commits.push(...batch.commits.map((commit, i) => ({ position: batch.position + i, ...commit })));
      next = batch.lastPosition + 1;
    }
  }
  return commits;
}

async function meta(): Promise<Record<string, AttributeValue>> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tables.events, Key: { streamId: { S: FEED_INDEX_STREAM }, version: { N: String(FEED_INDEX_META_VERSION) } }, ConsistentRead: true }),
  );
  return Item!;
}

/** What `replayAll$` delivers from a checkpoint, as (stream, version) pairs. */
async function replayedFrom(from: string): Promise<Array<{ streamId: string; version: number }>> {
  const events = await lastValueFrom(store.replayAll$({ from, pageSize: 4 }).pipe(toArray()));
  return events.map((event) => ({ streamId: event.streamId, version: event.version }));
}

const after = (checkpoint: Event | { at: number }) =>
  legacyEvents.filter((e) => ('streamId' in checkpoint ? compareEvents(e, checkpoint) > 0 : e.at > checkpoint.at)).map(({ streamId, version }) => ({ streamId, version }));

/** The 0.3 checkpoints of the projections: after a whole commit, inside a split commit, at a millisecond two commits share. */
const OLD = {
  whole: `${T + 5}:3:acc-a`, // acc-a's commit 3-3
  middle: `${T + 5}:2:acc-c`, // inside acc-c's split commit 1-3
  time: String(T + 20), // acc-b 5 and acc-c 4 both at T + 20
};

let first: Awaited<ReturnType<typeof runCli>>;
let firstReport: {
  stream: { arn: string; viewType: string; enabledNow: boolean };
  index: { id: string; commitsIndexed: number; positions?: [number, number]; migratedThrough?: number };
  checkpoints: { converted: Array<{ projection: string; from: string; to: string }>; running: unknown[]; changedMeanwhile: unknown[]; unchanged: number; exists: boolean };
  gsi: string;
};

beforeAll(async () => {
  client = new DynamoDBClient(testClientConfig());
  await createLegacyTables();
  await putProjection('whole', OLD.whole);
  await putProjection('middle', OLD.middle);
  await putProjection('time', OLD.time);
  await putProjection('fresh', FEED_START);
  await putProjection('never-saved');
  first = await runCli(['feed', 'migrate', '--config', config]);
  if (first.code !== 0) throw new Error(`feed migrate failed (${first.code}): ${first.stderr}`);
  firstReport = JSON.parse(first.stdout);
  runtime = await createEventSourcingRuntime({ tablePrefix: prefix, clientConfig: testClientConfig(), tableSetup: 'verify', events: TEST_EVENTS });
  store = new EventStore(runtime, new CommittedEventsPublisher());
});

afterAll(async () => {
  runtime?.client.destroy();
  client?.destroy();
  await deleteTables(tables.events, tables.projections);
  configs.cleanup();
});

describe('feed migrate on a table of version 0.3', () => {
  it('enables the stream (NEW_IMAGE) and reports it', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tables.events }));
    expect(Table).toMatchObject({ StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' }, LatestStreamArn: expect.any(String) });
    expect(firstReport.stream).toEqual({ arn: Table!.LatestStreamArn, viewType: 'NEW_IMAGE', enabledNow: true });
    expect(firstReport.gsi).toBe('kept');
    expect(first.stderr).toContain('once no 0.3 instance runs, run nestjs-dynamo-es feed migrate --drop-gsi');
  });

  it("indexes every commit once, in 0.3's order, split commits with their slices", async () => {
    const commits = await indexedCommits();
    expect(commits.map(({ streamId, version, commitEnd, slices }) => ({ streamId, version, commitEnd, slices }))).toEqual(
      legacyOrder.map((c) => ({ streamId: c.streamId, version: c.version, commitEnd: c.version + c.events - 1, slices: c.slices })),
    );
    expect(firstReport.index).toMatchObject({ commitsIndexed: LEGACY_COMMITS.length, positions: [1, LEGACY_COMMITS.length] });
    // All of them predate the stream: the part checkpoints convert into by bisection.
    expect(firstReport.index.migratedThrough).toBe(LEGACY_COMMITS.length);
    expect((await meta()).migratedThrough).toEqual({ N: String(LEGACY_COMMITS.length) });
  });

  it('converts each 0.3 checkpoint so that replayAll$ resumes right after the event it named', async () => {
    expect(firstReport.checkpoints).toMatchObject({ exists: true, running: [], changedMeanwhile: [], unchanged: 2 });
    expect(firstReport.checkpoints.converted.map(({ projection, from }) => [projection, from]).sort()).toEqual(Object.entries(OLD).sort());
    const named: Record<keyof typeof OLD, Event | { at: number }> = {
      whole: { at: T + 5, streamId: 'acc-a', version: 3 },
      middle: { at: T + 5, streamId: 'acc-c', version: 2 },
      time: { at: T + 20 },
    };
    for (const [projection, event] of Object.entries(named) as Array<[keyof typeof OLD, Event | { at: number }]>) {
      const converted = await checkpointOf(projection);
      expect(firstReport.checkpoints.converted).toContainEqual({ projection, from: OLD[projection], to: converted });
      expect(converted).toMatch(new RegExp(`^${firstReport.index.id}:\\d+(:\\d+)?$`));
      expect(await replayedFrom(converted!)).toEqual(after(event));
    }
    // Inside the split commit: the checkpoint names the version.
    expect(await checkpointOf('middle')).toMatch(/:\d+:2$/);
    expect(await checkpointOf('fresh')).toBe(FEED_START);
    expect(await checkpointOf('never-saved')).toBeUndefined();
    expect(await replayedFrom(FEED_START)).toEqual(after({ at: 0 }));
  });

  it('feed convert-checkpoint prints the same conversions, and a checkpoint of the new feed as it is', async () => {
    for (const projection of Object.keys(OLD) as Array<keyof typeof OLD>) {
      const result = await runCli(['feed', 'convert-checkpoint', OLD[projection], '--config', config]);
      expect(result).toMatchObject({ code: 0, stdout: `${await checkpointOf(projection)}\n`, stderr: '' });
    }
    const current = (await checkpointOf('whole'))!;
    expect(await runCli(['feed', 'convert-checkpoint', current, '--config', config])).toMatchObject({ code: 0, stdout: `${current}\n` });
    const early = await runCli(['feed', 'convert-checkpoint', String(T - 1), '--config', config]);
    expect(early).toMatchObject({ code: 0, stdout: `${FEED_START}\n` });
    const bad = await runCli(['feed', 'convert-checkpoint', 'yesterday', '--config', config]);
    expect(bad.code).toBe(2);
    expect(bad.errors).toEqual([expect.stringMatching(/from must be a checkpoint given by the feed/)]);
  });

  it('run again, changes nothing', async () => {
    const before = { commits: await indexedCommits(), meta: await meta(), checkpoints: await Promise.all(['whole', 'middle', 'time', 'fresh'].map(checkpointOf)) };
    const again = await runCli(['feed', 'migrate', '--config', config]);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report).toMatchObject({ stream: { enabledNow: false }, index: { commitsIndexed: 0, migratedThrough: LEGACY_COMMITS.length }, checkpoints: { converted: [], running: [], changedMeanwhile: [] }, gsi: 'kept' });
    expect({ commits: await indexedCommits(), meta: await meta(), checkpoints: await Promise.all(['whole', 'middle', 'time', 'fresh'].map(checkpointOf)) }).toEqual(before);
  });

  it('records migratedThrough on a later run when the run that built the index stopped before recording it', async () => {
    await client.send(
      new UpdateItemCommand({ TableName: tables.events, Key: { streamId: { S: FEED_INDEX_STREAM }, version: { N: String(FEED_INDEX_META_VERSION) } }, UpdateExpression: 'REMOVE migratedThrough' }),
    );
    const again = await runCli(['feed', 'migrate', '--config', config]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).index.migratedThrough).toBe(LEGACY_COMMITS.length);
  });

  it("leaves the index to an app instance's indexer that holds the lease, and still converts checkpoints", async () => {
    const lease = { streamId: { S: '$$feed-indexer' }, version: { N: '0' } };
    await client.send(new PutItemCommand({ TableName: tables.events, Item: { ...lease, owner: { S: 'app-0.4:1:abcd' }, expiresAt: { N: String(Date.now() + 120_000) }, epoch: { N: '1' } } }));
    await putProjection('while-indexing', OLD.whole);
    try {
      const result = await runCli(['feed', 'migrate', '--config', config]);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('An indexer runs (app-0.4:1:abcd holds its lease)');
      expect(JSON.parse(result.stdout).index).toMatchObject({ reconciled: false, commitsIndexed: 0 });
      expect(await checkpointOf('while-indexing')).toBe(await checkpointOf('whole'));
    } finally {
      await client.send(new DeleteItemCommand({ TableName: tables.events, Key: lease }));
      await deleteProjection('while-indexing');
    }
  });

  it('during the upgrade: a commit 0.3 readers never saw (from a 0.4 writer) is delivered after conversion, whatever its time', async () => {
    // A 0.4 writer commits (no feedShard: 0.3's GSI never shows it); then a 0.3 writer commits, and a 0.3 projection handles that one.
    await store.append('acc-new', [new MoneyDeposited('acc-new', 1)], { expectedVersion: ANY });
    const legacy: LegacyCommit = { streamId: 'acc-old', version: 1, events: 1, at: Date.now() + 1 };
    for (const Item of legacyItems(legacy)) await client.send(new PutItemCommand({ TableName: tables.events, Item }));
    await putProjection('upgrading', `${legacy.at}:1:acc-old`);

    const result = await runCli(['feed', 'migrate', '--config', config]);
    expect(result.code).toBe(0);
    const converted = (await checkpointOf('upgrading'))!;
    const replayed = await replayedFrom(converted);
    expect(replayed).toContainEqual({ streamId: 'acc-new', version: 1 });
    // Nothing before the migration's commits comes again.
    expect(replayed.every(({ streamId }) => streamId === 'acc-new' || streamId === 'acc-old')).toBe(true);
  });

  it('leaves the checkpoint of a projection a 0.3 instance runs, or moved on meanwhile, and knows its own write when an answer was lost', async () => {
    const moved = `${T + 40}:6:acc-a`;
    const now = Date.now();
    await putProjection('racing', OLD.whole);
    await putProjection('echoed', OLD.time);
    await putProjection('leased', OLD.middle, { owner: 'host-0.3:1:abc', expiresAt: now + 60_000 });
    await putProjection('taken', `${T + 12}:4:acc-a`);
    const to = (checkpoint: string) => `f00000000:${checkpoint.length}`;
    const migrate = () =>
      migrateProjectionCheckpoints({
        client,
        tableName: tables.projections,
        retry: DEFAULT_RETRY,
        now: () => now,
        convert: async (checkpoint) => {
          // Between the read and the conditional write: the 0.3 instance saves a newer checkpoint, our own write
          // landed already (an attempt whose answer was lost, sent again), or a 0.3 instance takes the projection up.
          if (checkpoint === OLD.whole) await putProjection('racing', moved);
          if (checkpoint === OLD.time) await putProjection('echoed', to(checkpoint));
          if (checkpoint === `${T + 12}:4:acc-a`) await putProjection('taken', checkpoint, { owner: 'host-0.3:2:def', expiresAt: now + 60_000 });
          return to(checkpoint);
        },
      });
    const report = await migrate();
    expect(report.changedMeanwhile).toEqual([{ projection: 'racing', from: OLD.whole, to: to(OLD.whole) }]);
    expect(report.converted).toEqual([{ projection: 'echoed', from: OLD.time, to: to(OLD.time) }]);
    expect([...report.running].sort((a, b) => a.projection.localeCompare(b.projection))).toEqual([
      { projection: 'leased', checkpoint: OLD.middle },
      { projection: 'taken', checkpoint: `${T + 12}:4:acc-a` },
    ]);
    expect(await checkpointOf('racing')).toBe(moved);
    expect(await checkpointOf('leased')).toBe(OLD.middle);
    expect(await checkpointOf('taken')).toBe(`${T + 12}:4:acc-a`);

    // The 0.3 instance stopped (its lease expired): the next run converts it.
    await putProjection('leased', OLD.middle, { owner: 'host-0.3:1:abc', expiresAt: now - 1 });
    expect((await migrate()).converted).toContainEqual({ projection: 'leased', from: OLD.middle, to: to(OLD.middle) });
    for (const projection of ['racing', 'echoed', 'leased', 'taken']) await deleteProjection(projection);
  });

  it('--drop-gsi asks first, and does nothing without an answer', async () => {
    const noTerminal = await runCli(['feed', 'migrate', '--drop-gsi', '--config', config]);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.errors).toEqual([expect.stringMatching(/0\.3 writers still stamp feedShard .* confirm with --yes/)]);

    const answered = new PassThrough() as PassThrough & { isTTY: boolean };
    answered.isTTY = true;
    const stderr = new CapturedOutput();
    const declining = stderr.waitForLine(() => true).then(() => answered.end('n\n'));
    const declined = await runCliWithStdin(['feed', 'migrate', '--drop-gsi', '--config', config], answered, stderr);
    await declining;
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('Delete the index "feed" of table');
    expect(declined.errors.at(-1)).toMatch(/not confirmed: nothing was done/);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tables.events }));
    expect(Table!.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['feed']);
  });

  it('--drop-gsi --yes deletes the GSI and the shard-count item of 0.3, and the table verifies as a 0.4 table', async () => {
    const dropped = await runCli(['feed', 'migrate', '--drop-gsi', '--yes', '--config', config]);
    expect(dropped.code).toBe(0);
    expect(JSON.parse(dropped.stdout).gsi).toBe('dropped');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tables.events }));
    expect(Table!.GlobalSecondaryIndexes).toBeUndefined();
    const { Items = [] } = await client.send(new ScanCommand({ TableName: tables.events, FilterExpression: 'streamId = :s', ExpressionAttributeValues: { ':s': { S: '$$feed-shards' } }, ConsistentRead: true }));
    expect(Items).toEqual([]);
    expect(await runCli(['tables', 'verify', '--config', config])).toMatchObject({ code: 0 });
    const again = await runCli(['feed', 'migrate', '--drop-gsi', '--yes', '--config', config]);
    expect(JSON.parse(again.stdout).gsi).toBe('absent');
  });
});

/**
 * Deleting and retention store new kinds of items (a metadata item at sort key 0, tombstones, purge stubs)
 * but convert nothing: a table 0.3 wrote, once `feed migrate` ran, takes them as it is.
 */
describe('stream lifecycle on streams 0.3 wrote (after feed migrate): no conversion needed', () => {
  let lifecycleRuntime: EventSourcingRuntime;
  let lifecycleStore: EventStore;
  const versionsOf = async (streamId: string) => (await collect(lifecycleStore.read(streamId))).map((e) => e.version);
  const keysOf = async (streamId: string) => {
    const { Items = [] } = await client.send(
      new QueryCommand({ TableName: tables.events, KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'streamId' }, ExpressionAttributeValues: { ':s': { S: streamId } }, ConsistentRead: true }),
    );
    return Items;
  };

  beforeAll(async () => {
    // No boundary cache, so the shortest purge fence: a hard delete erases half a second after it hides.
    lifecycleRuntime = await createEventSourcingRuntime({
      tablePrefix: prefix,
      clientConfig: testClientConfig(),
      tableSetup: 'verify',
      events: TEST_EVENTS,
      boundaryCache: false,
      lifecycle: { purgeFenceMs: 500 },
    });
    lifecycleStore = new EventStore(lifecycleRuntime, new CommittedEventsPublisher());
  });
  afterAll(() => lifecycleRuntime?.client.destroy());

  it("hard-deletes a stream 0.3 wrote (its split commit included): reads refused, its items and its feed index entries erased", async () => {
    const versions = await versionsOf('acc-c');
    const last = versions.at(-1)!;
    expect(versions).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    const report = await lifecycleStore.deleteStream('acc-c', { expectedVersion: last, mode: 'hard' });
    expect(report.actions).toEqual(expect.arrayContaining([expect.objectContaining({ what: 'events-deleted', count: last }), expect.objectContaining({ what: 'feed-index-entries-erased' })]));
    await expect(collect(lifecycleStore.read('acc-c'))).rejects.toMatchObject({ code: 'STREAM_DELETED' });
    // Left: the metadata item, the stub keeping key 1, the tombstone; no item of 0.3's (none carries feedShard any more).
    const left = await keysOf('acc-c');
    expect(left.map((item) => Number(item.version!.N))).toEqual([0, 1, last + 1]);
    expect(left.filter((item) => item.feedShard !== undefined)).toEqual([]);
    const index = await client.send(
      new QueryCommand({ TableName: tables.events, KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'streamId' }, ExpressionAttributeValues: { ':s': { S: FEED_INDEX_STREAM } }, ConsistentRead: true }),
    );
    expect(JSON.stringify(index.Items ?? [])).not.toContain('acc-c');
  });

  it('keeps the newest events of another stream 0.3 wrote (maxCount), and purges the commits before them', async () => {
    const versions = await versionsOf('ord:1');
    const last = versions.at(-1)!;
    await lifecycleStore.setStreamMetadata('ord:1', { maxCount: 2 });
    expect(await versionsOf('ord:1')).toEqual([last - 1, last]);
    const report = await new StreamPurger(lifecycleRuntime).purge({ streamIds: ['ord:1'] });
    expect(report.actions).toEqual([expect.objectContaining({ what: 'events-deleted', count: 1 })]); // commit 1; the split commit 2-5 holds the cut
    expect((await keysOf('ord:1')).map((item) => Number(item.version!.N))).toEqual([0, 1, 2, 3, 5]);
    expect(await versionsOf('ord:1')).toEqual([last - 1, last]);
  });
});

/** runCli with a stdin (the harness's io has none): the prompt's path. */
async function runCliWithStdin(args: string[], stdin: NodeJS.ReadableStream, stderr: CapturedOutput) {
  const { run } = await import('../lib/cli/run.js');
  const stdout = new CapturedOutput();
  const code = await run(args, { stdout, stderr, stdin, env: { DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT, AWS_REGION: process.env.AWS_REGION }, cwd: process.cwd() } as Parameters<typeof run>[1]);
  return { code, stdout: stdout.text, stderr: stderr.text, errors: stderr.lines() };
}

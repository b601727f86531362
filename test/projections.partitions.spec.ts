import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from '@jest/globals';
import { EventStoreErrorCode, Projection, ProjectionHandler, ProjectionItemAttribute as A, type FeedEvent, type ResettableProjection } from '../lib/index.js';
import { partitionOf } from '../lib/projections/partitions/stream-partition.js';
import { ProjectionMetaStore } from '../lib/projections/partitions/projection-meta-store.js';
import { testClientConfig } from './support/dynamodb.js';
import { AccountOpened, MoneyDeposited, deposits } from './support/events.js';
import { createProjectionApp, deleteProjectionTables, projectionTables, storedProjection, waitUntil, type ProjectionApp, type ProjectionTables } from './support/projection-app.js';

const NAME = 'ledger';
const PARTITIONS = 8;

/** What every instance of a test handled, in call order: `streamId@version` per call. */
class Handled {
  readonly calls: string[] = [];
  resets = 0;
}

/** A partitioned projection class whose instances all report to `handled` (each app builds its own instance). */
function ledgerProjection(handled: Handled, partitions = PARTITIONS) {
  @Projection(NAME, { partitions, leaseTtlMs: 1500, pollIntervalMs: 50, pageSize: 20 })
  class LedgerProjection implements ResettableProjection {
    @ProjectionHandler(AccountOpened, MoneyDeposited)
    on(_event: object, envelope: FeedEvent): void {
      handled.calls.push(`${envelope.streamId}@${envelope.version}`);
    }

    reset(): void {
      handled.resets++;
      handled.calls.length = 0;
    }
  }
  return LedgerProjection;
}

/** A partitioned projection that parks after 2 failed calls; `failing` says which events fail for now. */
function parkingProjection(handled: Handled, failing: Set<string>) {
  @Projection('parking-ledger', { partitions: 4, leaseTtlMs: 1500, pollIntervalMs: 50, maxAttempts: 2, parkedStream: 'wait' })
  class ParkingLedgerProjection {
    @ProjectionHandler(AccountOpened, MoneyDeposited)
    on(_event: object, envelope: FeedEvent): void {
      const id = `${envelope.streamId}@${envelope.version}`;
      if (failing.has(id)) throw new Error(`poison ${id}`);
      handled.calls.push(id);
    }
  }
  return ParkingLedgerProjection;
}

/** Counts the handler calls running at once (each waits a few ms, as a database write would). */
class Overlap {
  running = 0;
  most = 0;
  calls = 0;
}

function overlapProjection(overlap: Overlap, concurrency?: number) {
  @Projection('overlap', { partitions: 4, leaseTtlMs: 1500, pollIntervalMs: 50, pageSize: 5, ...(concurrency === undefined ? {} : { concurrency }) })
  class OverlapProjection {
    @ProjectionHandler(AccountOpened, MoneyDeposited)
    async on(): Promise<void> {
      overlap.running++;
      overlap.most = Math.max(overlap.most, overlap.running);
      await new Promise((resolve) => setTimeout(resolve, 3));
      overlap.running--;
      overlap.calls++;
    }
  }
  return OverlapProjection;
}

/** Every stream's versions in the order they were handled, with redeliveries of a suffix collapsed. */
function assertEachStreamInOrder(calls: readonly string[], streams: ReadonlyMap<string, number>): void {
  const seen = new Map<string, number>();
  for (const call of calls) {
    const [streamId, version] = [call.slice(0, call.lastIndexOf('@')), Number(call.slice(call.lastIndexOf('@') + 1))];
    const last = seen.get(streamId) ?? 0;
    // In order, or a redelivery from an earlier point after a partition changed hands: never a gap.
    expect(version).toBeLessThanOrEqual(last + 1);
    seen.set(streamId, Math.max(last, version));
  }
  for (const [streamId, versions] of streams) expect([streamId, seen.get(streamId)]).toEqual([streamId, versions]);
}

async function appendStreams(app: ProjectionApp, count: number, events: number, label = 'acct'): Promise<Map<string, number>> {
  const streams = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const id = `${label}-${i}`;
    await app.store.append(id, [new AccountOpened(id, 'o'), ...deposits(id, events - 1)], { expectedVersion: 'no-stream' });
    streams.set(id, events);
  }
  return streams;
}

const heldHere = (app: ProjectionApp): number => app.manager.status(NAME).partitions!.filter((partition) => partition.here).length;

describe('Partitioned projections (several app instances in one process, DynamoDB Local)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function instance(tables: ProjectionTables, handled: Handled, partitions = PARTITIONS): Promise<ProjectionApp> {
    const app = await createProjectionApp(tables, { projections: [ledgerProjection(handled, partitions)] });
    cleanups.push(() => app.close());
    return app;
  }

  it('two instances share the 8 partitions 4 and 4 and handle every event, each stream in version order; a third joins and they rebalance; one leaves and the others take its partitions', async () => {
    const tables = projectionTables('parts-share');
    cleanups.push(() => deleteProjectionTables(tables));
    const handled = new Handled();
    const first = await instance(tables, handled);
    await waitUntil('the first instance holds every partition', () => heldHere(first) === PARTITIONS, 20_000);
    const second = await instance(tables, handled);
    await waitUntil('the two instances hold 4 partitions each', () => heldHere(first) === 4 && heldHere(second) === 4, 20_000);

    const streams = await appendStreams(first, 40, 5);
    await waitUntil('every event is handled', () => new Set(handled.calls).size === 200, 30_000);
    assertEachStreamInOrder(handled.calls, streams);
    // Each partition's events were handled by the instance holding it.
    const statuses = [first, second].map((app) => app.manager.status(NAME));
    for (const status of statuses) expect(status.partitions).toHaveLength(PARTITIONS);
    expect(new Set(statuses.flatMap((status) => status.partitions!.filter((p) => p.here).map((p) => p.partition))).size).toBe(PARTITIONS);

    const third = await instance(tables, handled);
    await waitUntil('three instances share 8 partitions, none holding more than 3', () => {
      const counts = [first, second, third].map(heldHere);
      return counts.reduce((a, b) => a + b, 0) === PARTITIONS && Math.max(...counts) <= 3 && Math.min(...counts) >= 2;
    }, 20_000);

    await second.close();
    await waitUntil('the remaining two hold every partition, 4 each', () => heldHere(first) === 4 && heldHere(third) === 4, 20_000);
    const more = await appendStreams(third, 16, 3, 'late');
    await waitUntil('events appended after the rebalancing are handled', () => [...more.keys()].every((id) => handled.calls.includes(`${id}@3`)), 30_000);
    assertEachStreamInOrder(handled.calls, new Map([...streams, ...more]));
  });

  it('a poison event in one partition is parked behind which its stream waits, while the other streams and partitions go on; once fixed, a retry from the manager handles the stream in order', async () => {
    const tables = projectionTables('parts-park');
    cleanups.push(() => deleteProjectionTables(tables));
    const handled = new Handled();
    const failing = new Set(['acct-3@2']);
    const app = await createProjectionApp(tables, { projections: [parkingProjection(handled, failing)] });
    cleanups.push(() => app.close());
    const streams = await appendStreams(app, 12, 4);
    const others = [...streams.keys()].filter((id) => id !== 'acct-3');
    await waitUntil('every other stream is handled', () => others.every((id) => handled.calls.includes(`${id}@4`)), 30_000);
    await waitUntil('the poison event and the stream behind it are parked', () => {
      const status = app.manager.status('parking-ledger');
      return status.eventsSkipped === 3;
    }, 30_000);
    expect(handled.calls.filter((call) => call.startsWith('acct-3@'))).toEqual(['acct-3@1']);
    const partition = partitionOf('acct-3', 4);
    const parkedHere = app.manager.status('parking-ledger').partitions!.find((p) => p.partition === partition)!;
    expect(parkedHere.eventsSkipped).toBe(3);
    expect((await storedProjection(tables, `parking-ledger#${partition}`))![A.parkedCount]!.N).toBe('3');

    failing.clear();
    const retried = await app.manager.retryParked('parking-ledger', { timeoutMs: 20_000 });
    expect(retried.total).toMatchObject({ retried: 3, handled: 3, stillParked: 0 });
    expect(handled.calls.filter((call) => call.startsWith('acct-3@'))).toEqual(['acct-3@1', 'acct-3@2', 'acct-3@3', 'acct-3@4']);
    expect((await storedProjection(tables, `parking-ledger#${partition}`))![A.parkedCount]!.N).toBe('0');
    // The stream is no longer held back: its next event is handled as usual.
    await app.store.append('acct-3', deposits('acct-3', 1), { expectedVersion: 4 });
    await waitUntil('the next event of the stream is handled', () => handled.calls.includes('acct-3@5'), 20_000);
  });

  it('an instance handles all the partitions it holds at once, or `concurrency` of them at a time', async () => {
    for (const concurrency of [undefined, 1]) {
      const tables = projectionTables(`parts-conc-${concurrency ?? 'all'}`);
      cleanups.push(() => deleteProjectionTables(tables));
      const overlap = new Overlap();
      const writer = await createProjectionApp(tables, { options: { feed: { indexer: false } } });
      cleanups.push(() => writer.close());
      await appendStreams(writer, 16, 5);
      const app = await createProjectionApp(tables, { projections: [overlapProjection(overlap, concurrency)] });
      cleanups.push(() => app.close());
      await waitUntil('every event is handled', () => overlap.calls >= 80, 30_000);
      if (concurrency === 1) expect(overlap.most).toBe(1);
      else expect(overlap.most).toBeGreaterThan(1);
    }
  });

  it('a stream always goes to the same partition, and the partition items hold the checkpoints', async () => {
    const tables = projectionTables('parts-items');
    cleanups.push(() => deleteProjectionTables(tables));
    const handled = new Handled();
    const app = await instance(tables, handled);
    const streams = await appendStreams(app, 24, 2);
    await waitUntil('every event is handled', () => new Set(handled.calls).size === 48, 30_000);
    await waitUntil('every partition saved its checkpoint', () =>
      Promise.all(Array.from({ length: PARTITIONS }, (_, i) => storedProjection(tables, `${NAME}#${i}`))).then((items) =>
        items.every((item) => item?.[A.checkpoint] !== undefined),
      ),
    );
    // Caught up: every partition (all held here) shows no lag, in commits and in time.
    await waitUntil('every partition shows it is caught up', () =>
      app.manager.status(NAME).partitions!.every((partition) => partition.here && partition.lag?.commits === 0 && partition.lag.ms === 0),
    );
    const meta = (await storedProjection(tables, NAME))!;
    expect(meta[A.partitions]!.N).toBe(String(PARTITIONS));
    expect(meta[A.checkpoint]).toBeUndefined();
    // The handled counts stored per partition add up to the events of the streams that partition owns.
    const expected = new Array<number>(PARTITIONS).fill(0);
    for (const [streamId, versions] of streams) expected[partitionOf(streamId, PARTITIONS)]! += versions;
    await waitUntil('every partition stored its count', async () => {
      const items = await Promise.all(expected.map((_, i) => storedProjection(tables, `${NAME}#${i}`)));
      return items.every((item, i) => Number(item![A.eventsHandled]?.N ?? 0) === expected[i]);
    });
  });

  it('an app declaring another partition count does not run the projection (blocked, naming the rebuild); a rebuild with the new count runs it', async () => {
    const tables = projectionTables('parts-count');
    cleanups.push(() => deleteProjectionTables(tables));
    const handled = new Handled();
    const before = await instance(tables, handled, 1);
    const streams = await appendStreams(before, 6, 3);
    await waitUntil('the unpartitioned projection handled everything', () => handled.calls.length === 18, 20_000);
    await before.close();

    const after = new Handled();
    const app = await instance(tables, after, 4);
    await waitUntil('the projection is blocked', () => app.manager.status(NAME).state === 'blocked', 20_000);
    const status = app.manager.status(NAME);
    expect(status.lastError).toMatchObject({ code: EventStoreErrorCode.PROJECTION_PARTITIONS_CHANGED, storedPartitions: 1, declaredPartitions: 4 });
    expect(status.lastError!.message).toContain('rebuild');
    expect(after.calls).toEqual([]);
    // The unpartitioned checkpoint is untouched.
    expect((await storedProjection(tables, NAME))![A.checkpoint]).toBeDefined();

    const rebuilt = await app.manager.rebuild(NAME);
    expect(rebuilt.eventsHandled).toBe(18);
    expect(after.resets).toBe(1);
    assertEachStreamInOrder(after.calls, streams);
    await waitUntil('the 4 partitions run', () => app.manager.status(NAME).state === 'live' && heldHere(app) === 4, 20_000);
    expect((await storedProjection(tables, NAME))![A.partitions]!.N).toBe('4');
    await app.close();

    // And back to one partition: blocked until rebuilt, then unpartitioned again.
    const single = new Handled();
    const back = await instance(tables, single, 1);
    await waitUntil('the unpartitioned app is blocked', () => back.manager.status(NAME).state === 'blocked', 20_000);
    expect(back.manager.status(NAME).lastError).toMatchObject({ storedPartitions: 4, declaredPartitions: 1 });
    const again = await back.manager.rebuild(NAME);
    expect(again.eventsHandled).toBe(18);
    assertEachStreamInOrder(single.calls, streams);
    const item = (await storedProjection(tables, NAME))!;
    expect(item[A.partitions]).toBeUndefined();
    expect(item[A.checkpoint]).toBeDefined();
    expect(await storedProjection(tables, `${NAME}#0`)).toBeUndefined();
  });

  it('a rebuild resets once, replays every partition in parallel with one progress, and the projection goes on', async () => {
    const tables = projectionTables('parts-rebuild');
    cleanups.push(() => deleteProjectionTables(tables));
    const handled = new Handled();
    const app = await instance(tables, handled);
    const streams = await appendStreams(app, 20, 4);
    await waitUntil('every event is handled', () => new Set(handled.calls).size === 80, 30_000);
    const fractions: number[] = [];
    const done = await app.manager.rebuild(NAME, { onProgress: (progress) => fractions.push(progress.fraction) });
    expect(handled.resets).toBe(1);
    expect(done.fraction).toBe(1);
    expect(done.eventsHandled).toBe(80);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(new Set(handled.calls).size).toBe(80);
    assertEachStreamInOrder(handled.calls, streams);
    expect((await storedProjection(tables, NAME))![A.rebuilding]).toBeUndefined();
    const more = await appendStreams(app, 2, 2, 'after');
    await waitUntil('it follows new commits after the rebuild', () => handled.calls.includes('after-1@2'), 20_000);
    expect(more.size).toBe(2);
  });

  it('a rebuild in an app that does not run the projection (as the CLI does it) replays every partition, then releases every lease and leaves no claim', async () => {
    const tables = projectionTables('parts-cli');
    cleanups.push(() => deleteProjectionTables(tables));
    const handled = new Handled();
    const writer = await instance(tables, handled);
    const streams = await appendStreams(writer, 10, 2);
    await waitUntil('every event is handled', () => new Set(handled.calls).size === 20, 30_000);
    await writer.close();
    const rebuilt = new Handled();
    const cli = await createProjectionApp(tables, { projections: [ledgerProjection(rebuilt)], options: { projections: { autoStart: false } } });
    cleanups.push(() => cli.close());
    const done = await cli.manager.rebuild(NAME);
    expect(done).toMatchObject({ eventsHandled: 20, fraction: 1 });
    assertEachStreamInOrder(rebuilt.calls, streams);
    expect(cli.manager.status(NAME).state).toBe('stopped');
    const items = await Promise.all(Array.from({ length: PARTITIONS }, (_, i) => storedProjection(tables, `${NAME}#${i}`)));
    for (const item of items) expect(item![A.leaseOwner]).toBeUndefined();
    const meta = (await storedProjection(tables, NAME))!;
    expect(meta[A.rebuildBy]).toBeUndefined();
    expect(meta[A.rebuilding]).toBeUndefined();
  });

  it('a rebuild claims the partitions that another instance holds: it gives them up, then takes them back', async () => {
    const tables = projectionTables('parts-rebuild-2');
    cleanups.push(() => deleteProjectionTables(tables));
    const handled = new Handled();
    const first = await instance(tables, handled);
    const second = await instance(tables, handled);
    await waitUntil('the two instances hold 4 partitions each', () => heldHere(first) === 4 && heldHere(second) === 4, 20_000);
    const streams = await appendStreams(first, 10, 3);
    await waitUntil('every event is handled', () => new Set(handled.calls).size === 30, 30_000);
    const done = await first.manager.rebuild(NAME);
    expect(done.eventsHandled).toBe(30);
    expect(handled.resets).toBe(1);
    assertEachStreamInOrder(handled.calls, streams);
    await waitUntil('the partitions are shared again', () => heldHere(first) === 4 && heldHere(second) === 4, 20_000).catch((error) => {
      console.log(JSON.stringify([first, second].map((app) => app.manager.status(NAME).partitions!.map((p) => [p.partition, p.here, p.state, p.owner, p.lastError?.message]))));
      throw error;
    });
  });

  it('a rebuild that changes the count (8 to 4) and goes no further than its claim leaves the projection blocked, not running the new split from the old checkpoints', async () => {
    const tables = projectionTables('parts-recount');
    cleanups.push(() => deleteProjectionTables(tables));
    const handled = new Handled();
    const before = await instance(tables, handled);
    const streams = await appendStreams(before, 12, 3);
    await waitUntil('every event is handled', () => new Set(handled.calls).size === 36, 30_000);
    await before.close();
    // What a rebuilder with 4 partitions leaves when it dies right after claiming the projection.
    const client = new DynamoDBClient(testClientConfig());
    cleanups.push(() => client.destroy());
    const meta = new ProjectionMetaStore(client, tables.projections, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 });
    expect(await meta.claimForRebuild(NAME, 4, 'dead-rebuilder', Date.now() - 1, PARTITIONS)).toBe(true);
    expect((await storedProjection(tables, NAME))![A.rebuilding]?.BOOL).toBe(true);

    const after = new Handled();
    const app = await instance(tables, after, 4);
    await waitUntil('the projection is blocked', () => app.manager.status(NAME).state === 'blocked', 20_000);
    expect(app.manager.status(NAME).lastError).toMatchObject({ code: EventStoreErrorCode.PROJECTION_REBUILD_CUT_SHORT });
    expect(after.calls).toEqual([]);
    await app.manager.rebuild(NAME);
    assertEachStreamInOrder(after.calls, streams);
    // The surplus partitions of the former split are gone.
    expect(await storedProjection(tables, `${NAME}#7`)).toBeUndefined();
    expect(await storedProjection(tables, `${NAME}#3`)).toBeDefined();
  });

  it('a rebuild cut short before reset() completed blocks every partition until the projection is rebuilt again', async () => {
    const tables = projectionTables('parts-cut');
    cleanups.push(() => deleteProjectionTables(tables));
    const handled = new Handled();
    const app = await instance(tables, handled, 2);
    await waitUntil('the projection runs', () => heldHere(app) === 2, 20_000);
    await app.close();
    // What a rebuilder that died between flagging the projection and its reset() leaves.
    const client = new DynamoDBClient(testClientConfig());
    cleanups.push(() => client.destroy());
    const meta = (await storedProjection(tables, NAME))!;
    await client.send(new PutItemCommand({ TableName: tables.projections, Item: { ...meta, [A.rebuilding]: { BOOL: true } } }));

    const next = await instance(tables, handled, 2);
    await waitUntil('the projection is blocked', () => next.manager.status(NAME).state === 'blocked', 20_000);
    expect(next.manager.status(NAME).lastError).toMatchObject({ code: EventStoreErrorCode.PROJECTION_REBUILD_CUT_SHORT });
    await next.manager.rebuild(NAME);
    expect(handled.resets).toBe(1);
    await waitUntil('the projection runs again', () => next.manager.status(NAME).state === 'live', 20_000);
  });
});

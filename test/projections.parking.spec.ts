import { CreateTableCommand, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { EVENT_SOURCING_RUNTIME } from '../lib/dynamo-event-sourcing.constants.js';
import type { EventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import { EventStreamTable } from '../lib/event-store/event-stream-table.js';
import { createFeedReader, isUndecodable } from '../lib/feed/feed-reader.js';
import { FeedIndexTable } from '../lib/feed/index/feed-index-table.js';
import type { IndexedCommit } from '../lib/feed/index/indexed-commit.js';
import {
  EventStoreErrorCode,
  Projection,
  ProjectionHandler,
  ProjectionHandlerError,
  ProjectionLeaseLostError,
  type FeedEvent,
} from '../lib/index.js';
import { inspectProjection } from '../lib/projections/inspection/projection-inspector.js';
import { parkedEventSource } from '../lib/projections/parking/parked-event-reader.js';
import { itemBytes, PARKED_ITEM_TARGET_BYTES, parkedEventKey } from '../lib/projections/parking/parked-event-item.js';
import { ParkedEventStore } from '../lib/projections/parking/parked-event-store.js';
import type { ParkedEvent } from '../lib/projections/parking/parked-event.js';
import { PartitionParking, pendingRetryRequest, type ParkedStreamMode } from '../lib/projections/parking/partition-parking.js';
import { retryParkedEvents } from '../lib/projections/parking/retry-parked-events.js';
import { partitionKey } from '../lib/projections/partitions/partition-keys.js';
import { partitionOf } from '../lib/projections/partitions/stream-partition.js';
import { defineProjections } from '../lib/projections/projection-definitions.js';
import { ProjectionHandlers } from '../lib/projections/projection-handlers.js';
import { ProjectionStore, type ProjectionLease } from '../lib/projections/projection-store.js';
import { projectionsTableDefinition } from '../lib/tables/projections-table.js';
import { deleteTables, uniqueTableName } from './support/dynamodb.js';
import { createEventStoreApp, collect, type EventStoreApp } from './support/event-store-app.js';
import { AccountOpened, deposits, MoneyDeposited } from './support/events.js';

/**
 * Parking against DynamoDB Local: the parked event store (fenced by the partition's lease,
 * idempotent, listed in feed order, item sizes), a partition's parking ('wait' and 'continue'),
 * retries with a handler that fails and is then fixed, the retry request answered by a holder, and
 * the inspector's lag over index batches this test writes itself (no indexer runs).
 */

const silent = new Logger('parking-test');
silent.log = () => undefined;
silent.warn = () => undefined;
silent.error = () => undefined;

let app: EventStoreApp;
let runtime: EventSourcingRuntime;
let projectionsTable: string;
let store: ProjectionStore;
let parkedStore: ParkedEventStore;
let index: FeedIndexTable;
let nextPosition = 1;

beforeAll(async () => {
  app = await createEventStoreApp('parking');
  runtime = app.module.get<EventSourcingRuntime>(EVENT_SOURCING_RUNTIME);
  projectionsTable = uniqueTableName('parking-pr');
  await runtime.client.send(new CreateTableCommand(projectionsTableDefinition(projectionsTable)));
  store = new ProjectionStore(runtime.client, projectionsTable, runtime.options.retry);
  parkedStore = new ParkedEventStore(runtime.client, projectionsTable, runtime.options.retry);
  index = new FeedIndexTable(runtime.client, app.tableName, runtime.options.retry);
  await index.ensureMeta();
});

afterAll(async () => {
  await app.close();
  await deleteTables(projectionsTable);
});

/** Appends events to a stream and indexes the commit as the next position (writtenAt given, for lag). */
async function commit(streamId: string, events: object[], expectedVersion: number | 'no-stream', writtenAt = Date.now()): Promise<IndexedCommit & { position: number }> {
  const { version } = await app.store.append(streamId, events, { expectedVersion });
  const indexed = { streamId, version: version - events.length + 1, commitEnd: version };
  const position = nextPosition++;
  expect(await index.append({ position, lastPosition: position, commits: [indexed], checkpoint: { shards: {} }, writtenAt })).toBe(true);
  return { ...indexed, position };
}

/** The feed's events of `streamId` (as the runner gets them), read from the start of the feed. */
async function feedEventsOf(streamId: string): Promise<FeedEvent[]> {
  const pages = await collect(createFeedReader(runtime).pages({ pageSize: 1000 }));
  return pages.flatMap((page) => page.events).filter((event) => event.streamId === streamId);
}

async function lease(key: string): Promise<ProjectionLease> {
  const acquired = await store.acquire(key, `test-${Math.random().toString(36).slice(2, 8)}`, 60_000);
  if (!acquired.acquired) throw new Error(`lease of ${key} not acquired`);
  return acquired.lease;
}

async function parkedCountOf(key: string): Promise<number> {
  return (await store.readAll([key])).get(key)?.parkedCount ?? 0;
}

const toPark = (projection: string, key: string, streamId: string, position: number, version: number): Omit<ParkedEvent, 'error'> => ({
  projection,
  partitionKey: key,
  streamId,
  version,
  eventId: `e-${position}-${version}`,
  eventType: 'MoneyDeposited',
  checkpoint: `f00000000:${position}`,
  position,
  reason: 'failed',
  attempts: 3,
  parkedAt: new Date(),
  retries: 0,
});

describe('ParkedEventStore', () => {
  it('parks under the lease only: a stale lease is refused and nothing is written', async () => {
    const key = 'fenced';
    const former = await lease(key);
    await store.release(key, former);
    const current = await lease(key);
    const refused = parkedStore.park(former, toPark(key, key, 's-1', 1, 1), new Error('boom'));
    await expect(refused).rejects.toBeInstanceOf(ProjectionLeaseLostError);
    expect(await parkedStore.list(key)).toEqual([]);
    expect(await parkedCountOf(key)).toBe(0);

    const { outcome, parked } = await parkedStore.park(current, toPark(key, key, 's-1', 1, 1), new Error('boom'));
    expect(outcome).toBe('parked');
    expect(parked.error).toMatchObject({ name: 'Error', message: 'boom' });
    expect(await parkedCountOf(key)).toBe(1);
  });

  it('parking the same event again (a retry after a lost answer, a former holder) writes nothing', async () => {
    const key = 'idempotent';
    const held = await lease(key);
    expect((await parkedStore.park(held, toPark(key, key, 's-1', 4, 2), new Error('first'))).outcome).toBe('parked');
    const again = await parkedStore.park(held, toPark(key, key, 's-1', 4, 2), new Error('second'));
    expect(again.outcome).toBe('already-parked');
    expect(await parkedCountOf(key)).toBe(1);
    expect((await parkedStore.list(key)).map((p) => p.error?.message)).toEqual(['first']);
  });

  it('lists in feed order (position as a number, then version), per partition or per projection, and no other projection', async () => {
    const name = 'ordered';
    const [k0, k1] = [partitionKey(name, 0, 2), partitionKey(name, 1, 2)];
    const [l0, l1] = [await lease(k0), await lease(k1)];
    for (const [position, version] of [[10, 2], [9, 1], [10, 1], [2, 3]] as const) await parkedStore.park(l0, toPark(name, k0, 's-a', position, version), new Error('x'));
    await parkedStore.park(l1, toPark(name, k1, 's-b', 5, 1), new Error('x'));
    // A projection whose name starts with this one's: not listed.
    const otherKey = `${name}2`;
    await parkedStore.park(await lease(otherKey), toPark(otherKey, otherKey, 's-c', 1, 1), new Error('x'));

    expect((await parkedStore.list(name, k0)).map((p) => `${p.position}.${p.version}`)).toEqual(['2.3', '9.1', '10.1', '10.2']);
    expect((await parkedStore.list(name)).map((p) => `${p.partitionKey}:${p.position}.${p.version}`)).toEqual([
      `${k0}:2.3`, `${k1}:5.1`, `${k0}:9.1`, `${k0}:10.1`, `${k0}:10.2`,
    ]);
  });

  it('resolve deletes the item and counts down, once; fenced like park', async () => {
    const key = 'resolved';
    const former = await lease(key);
    await parkedStore.park(former, toPark(key, key, 's-1', 3, 1), new Error('x'));
    await store.release(key, former);
    const current = await lease(key);
    await expect(parkedStore.resolve(former, { partitionKey: key, position: 3, version: 1 })).rejects.toBeInstanceOf(ProjectionLeaseLostError);
    expect(await parkedCountOf(key)).toBe(1);
    expect(await parkedStore.resolve(current, { partitionKey: key, position: 3, version: 1 })).toBe(true);
    expect(await parkedStore.resolve(current, { partitionKey: key, position: 3, version: 1 })).toBe(false);
    expect(await parkedCountOf(key)).toBe(0);
    expect(await parkedStore.list(key)).toEqual([]);
  });

  it('keeps items small: long errors are cut (never inside a character), a 1,024-byte stream id still parks', async () => {
    const key = 'sizes';
    const held = await lease(key);
    const huge = new Error(`${'é'.repeat(50_000)}😀`.repeat(2));
    huge.stack = `Error: ${'at somewhere (file.ts:1:1)\n'.repeat(5_000)}`;
    await parkedStore.park(held, toPark(key, key, 'short', 1, 1), huge);
    const longId = 'x'.repeat(1024);
    await parkedStore.park(held, toPark(key, key, longId, 2, 1), huge);
    const raw = async (position: number) =>
      (await runtime.client.send(new GetItemCommand({ TableName: projectionsTable, Key: { projection: { S: parkedEventKey(key, position, 1) } }, ConsistentRead: true }))).Item!;
    const short = await raw(1);
    expect(itemBytes(short)).toBeLessThanOrEqual(PARKED_ITEM_TARGET_BYTES);
    expect(short.errorMessage!.S!.endsWith('…')).toBe(true);
    expect(short.errorMessage!.S!).not.toMatch(/\uFFFD/);
    const long = await raw(2);
    expect(long.streamId!.S).toBe(longId);
    expect(Buffer.byteLength(long.errorMessage!.S!, 'utf8')).toBeGreaterThanOrEqual(150);
    expect(itemBytes(long)).toBeLessThan(2048);
  });

  it('records a failed retry: the new error, one more retry', async () => {
    const key = 'refailed';
    const held = await lease(key);
    const { parked } = await parkedStore.park(held, toPark(key, key, 's-1', 1, 1), new Error('first'));
    await parkedStore.recordRetryFailure(held, parked, new TypeError('second'));
    const [stored] = await parkedStore.list(key);
    expect(stored).toMatchObject({ retries: 1, error: { name: 'TypeError', message: 'second' } });
    expect(stored!.lastRetryAt).toBeInstanceOf(Date);
  });
});

/** A projection whose handler fails while `broken` holds the stream id, recording what it handled. */
@Projection('parking-ledger', { maxAttempts: 2 })
class Ledger {
  readonly broken = new Set<string>();
  readonly handled: string[] = [];

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): void {
    if (this.broken.has(envelope.streamId)) throw new Error(`cannot handle ${envelope.streamId}@${envelope.version}`);
    this.handled.push(`${envelope.streamId}@${envelope.version}`);
  }
}

function ledgerHandlers(): { ledger: Ledger; handlers: ProjectionHandlers } {
  const [definition] = defineProjections([Ledger]);
  const ledger = new Ledger();
  const types = new Map([AccountOpened, MoneyDeposited].map((type) => [type, runtime.registry.findClass(type)!.name] as const));
  return { ledger, handlers: new ProjectionHandlers(definition!, ledger, types, silent) };
}

describe('ProjectionHandlers', () => {
  it('counts an undecodable event as a failed attempt, and gives it up at maxAttempts', async () => {
    const { handlers } = ledgerHandlers();
    const cause = new Error('unknown event type "Gone"');
    const undecodable = {
      event: undefined, undecodable: cause, eventType: 'Gone', eventId: 'e', streamId: 'u-1', version: 1,
      occurredAt: new Date(), commitId: 'c', correlationId: undefined, causationId: undefined, metadata: {}, checkpoint: 'f00000000:1',
    } as unknown as FeedEvent;
    expect(isUndecodable(undecodable)).toBe(true);
    await expect(handlers.handle(undecodable)).rejects.toBeInstanceOf(ProjectionHandlerError);
    const givenUp = await handlers.handle(undecodable);
    expect(givenUp).toBeInstanceOf(ProjectionHandlerError);
    expect(givenUp!.cause).toBe(cause);
  });
});

describe('PartitionParking', () => {
  const parkingFor = (key: string, mode: ParkedStreamMode) => new PartitionParking(parkedStore, key, key, mode, silent);
  const reader = () => parkedEventSource(new EventStreamTable(runtime.client, app.tableName, runtime.options.retry), runtime.registry, 'test');

  it("'wait': a stream's later events are held back behind its parked one; a retry after the fix handles them in order", async () => {
    const key = 'wait-mode';
    const [a, b] = [`wait-a-${Date.now()}`, `wait-b-${Date.now()}`];
    await commit(a, [new AccountOpened(a, 'pat')], 'no-stream');
    await commit(b, [new AccountOpened(b, 'sam')], 'no-stream');
    await commit(a, deposits(a, 2), 1);
    const [a1, a2, a3] = await feedEventsOf(a);
    const [b1] = await feedEventsOf(b);
    const held = await lease(key);
    const parking = parkingFor(key, 'wait');
    await parking.load({ parkedCount: 0 });
    expect(parking.holdsBack(a1!)).toBe(false);
    await parking.park(held, a1!, new Error('poison'), 2, 'failed');
    expect([a2, a3, b1].map((e) => parking.holdsBack(e!))).toEqual([true, true, false]);
    await parking.park(held, a2!, undefined, 0, 'waiting');
    await parking.park(held, a3!, undefined, 0, 'waiting');
    expect(await parkedCountOf(key)).toBe(3);

    // Another holder learns it all at acquisition.
    const next = parkingFor(key, 'wait');
    await next.load({ parkedCount: await parkedCountOf(key) });
    expect([a1, a2, a3, b1].map((e) => next.holdsBack(e!))).toEqual([true, true, true, false]);
    // Only the versions after the stream's first parked one wait: one before it (a replay from an earlier checkpoint) is handled.
    const fromSecond = parkingFor(`${key}-2`, 'wait');
    await fromSecond.load({ parkedCount: 0 });
    await fromSecond.park(await lease(`${key}-2`), a2!, new Error('poison'), 2, 'failed');
    expect([a1, a2, a3].map((e) => fromSecond.holdsBack(e!))).toEqual([false, true, true]);

    const { ledger, handlers } = ledgerHandlers();
    ledger.broken.add(a);
    const failed = await next.retry(held, handlers, reader());
    expect(failed).toMatchObject({ retried: 1, handled: 0, stillParked: 3, errors: [{ streamId: a, version: 1, message: expect.stringContaining(`cannot handle ${a}@1`) }] });
    expect(ledger.handled).toEqual([]);
    expect((await parkedStore.list(key, key)).map((p) => [p.version, p.retries])).toEqual([[1, 1], [2, 0], [3, 0]]);

    ledger.broken.clear();
    const fixed = await next.retry(held, handlers, reader());
    expect(fixed).toEqual({ retried: 3, handled: 3, stillParked: 0, errors: [] });
    expect(ledger.handled).toEqual([`${a}@1`, `${a}@2`, `${a}@3`]);
    expect(await parkedCountOf(key)).toBe(0);
    expect(next.holdsBack(a3!)).toBe(false);
  });

  it("'continue': only the failing event is parked; an event parked already is still held back (not handled twice)", async () => {
    const key = 'continue-mode';
    const a = `cont-a-${Date.now()}`;
    await commit(a, [new AccountOpened(a, 'pat')], 'no-stream');
    await commit(a, deposits(a, 1), 1);
    const [a1, a2] = await feedEventsOf(a);
    const held = await lease(key);
    const parking = parkingFor(key, 'continue');
    await parking.load({ parkedCount: 0 });
    await parking.park(held, a1!, new Error('poison'), 2, 'failed');
    expect(parking.holdsBack(a2!)).toBe(false);
    expect(parking.holdsBack(a1!)).toBe(true);
    await parking.park(held, a2!, new Error('poison too'), 2, 'failed');
    const { ledger, handlers } = ledgerHandlers();
    // a1 fails again; a2 (on its own in 'continue' mode) is retried regardless.
    let calls = 0;
    const report = await parking.retry(held, { callOnce: async (event) => (++calls === 1 ? new Error('still') : handlers.callOnce(event)) }, reader());
    expect(report).toMatchObject({ retried: 2, handled: 1, stillParked: 1 });
    expect(ledger.handled).toEqual([`${a}@2`]);
  });

  it('a retry under a lease lost meanwhile stops at its first write, un-parking nothing', async () => {
    const key = 'lost-retry';
    const a = `lost-a-${Date.now()}`;
    await commit(a, [new AccountOpened(a, 'pat')], 'no-stream');
    const [a1] = await feedEventsOf(a);
    const former = await lease(key);
    const parking = parkingFor(key, 'wait');
    await parking.park(former, a1!, new Error('poison'), 2, 'failed');
    await store.release(key, former);
    await lease(key);
    const { handlers } = ledgerHandlers();
    await expect(parking.retry(former, handlers, reader())).rejects.toBeInstanceOf(ProjectionLeaseLostError);
    expect(await parkedCountOf(key)).toBe(1);
  });
});

describe('retrying from another process (the CLI side)', () => {
  const parked = async (key: string, streamId: string): Promise<ProjectionLease> => {
    await commit(streamId, [new AccountOpened(streamId, 'pat')], 'no-stream');
    const [first] = await feedEventsOf(streamId);
    const held = await lease(key);
    await new PartitionParking(parkedStore, key, key, 'wait', silent).park(held, first!, new Error('poison'), 2, 'failed');
    return held;
  };
  const deps = (name: string, handlers: ProjectionHandlers) => ({
    projection: name,
    partitions: 1,
    mode: 'wait' as const,
    leaseTtlMs: 60_000,
    store,
    parked: parkedStore,
    handlers,
    readEvent: parkedEventSource(new EventStreamTable(runtime.client, app.tableName, runtime.options.retry), runtime.registry, name),
    logger: silent,
  });
  const rawItem = async (key: string): Promise<Record<string, AttributeValue>> =>
    (await runtime.client.send(new GetItemCommand({ TableName: projectionsTable, Key: { projection: { S: key } }, ConsistentRead: true }))).Item!;

  it('a free partition is taken, retried here and released', async () => {
    const name = 'cli-free';
    const held = await parked(name, `free-${Date.now()}`);
    await store.release(name, held);
    const { ledger, handlers } = ledgerHandlers();
    const result = await retryParkedEvents(deps(name, handlers));
    expect(result).toMatchObject({ unanswered: 0, total: { retried: 1, handled: 1, stillParked: 0 }, partitions: [{ partitionKey: name, by: 'this-process' }] });
    expect(ledger.handled).toHaveLength(1);
    expect((await rawItem(name)).leaseOwner).toBeUndefined();
  });

  it('a partition held by a live instance is asked; its answer is the report, and the request is cleared', async () => {
    const name = 'cli-held';
    const held = await parked(name, `held-${Date.now()}`);
    const { ledger, handlers } = ledgerHandlers();
    const retrying = retryParkedEvents(deps(name, handlers), { pollMs: 20, timeoutMs: 30_000 });
    // Plays the holder: its lease renewal returns the item; it answers between pages.
    let request: string | undefined;
    while ((request = pendingRetryRequest(await rawItem(name))) === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    const holderParking = new PartitionParking(parkedStore, name, name, 'wait', silent);
    await holderParking.load({ parkedCount: 1 });
    // A stale lease cannot answer.
    await expect(parkedStore.completeRetryRequest(name, { ...held, epoch: held.epoch - 1 }, request, { retried: 0, handled: 0, stillParked: 0, errors: [] })).rejects.toBeInstanceOf(
      ProjectionLeaseLostError,
    );
    await holderParking.answerRetryRequest(held, request, handlers, deps(name, handlers).readEvent);
    const result = await retrying;
    expect(result).toMatchObject({ unanswered: 0, total: { retried: 1, handled: 1, stillParked: 0 }, partitions: [{ partitionKey: name, by: 'holder' }] });
    expect(ledger.handled).toHaveLength(1);
    const item = await rawItem(name);
    expect([item.retryRequest, item.retryDone, item.retryReport, item.leaseOwner?.S]).toEqual([undefined, undefined, undefined, held.owner]);
  });

  it('a holder that does not answer: the partition is reported unanswered, its events left parked', async () => {
    const name = 'cli-silent';
    await parked(name, `silent-${Date.now()}`);
    const { handlers } = ledgerHandlers();
    const result = await retryParkedEvents(deps(name, handlers), { pollMs: 20, timeoutMs: 200 });
    expect(result).toMatchObject({ unanswered: 1, partitions: [{ partitionKey: name, by: 'unanswered', holder: expect.stringMatching(/^test-/) }] });
    expect(await parkedCountOf(name)).toBe(1);
  });
});

describe('inspectProjection', () => {
  it("tells each partition's owner, checkpoint, parked count and lag from the index batches after its checkpoint", async () => {
    const name = `inspected-${Date.now()}`;
    const count = 2;
    // Streams of both partitions, found rather than assumed.
    const candidates = Array.from({ length: 40 }, (_, i) => `insp-${Date.now()}-${i}`);
    const [s0, s1] = [candidates.find((s) => partitionOf(s, count) === 0)!, candidates.find((s) => partitionOf(s, count) === 1)!];
    const t0 = Date.now() - 60_000;
    const c1 = await commit(s0, [new AccountOpened(s0, 'a'), ...deposits(s0, 2)], 'no-stream', t0);
    const c2 = await commit(s1, [new AccountOpened(s1, 'b')], 'no-stream', t0 + 1_000);
    const c3 = await commit(s1, deposits(s1, 4), 1, t0 + 2_000);
    const c4 = await commit(s0, deposits(s0, 1), 3, t0 + 3_000);
    const { indexId } = (await index.meta())!;
    await runtime.client.send(new PutItemCommand({ TableName: projectionsTable, Item: { projection: { S: name }, partitions: { N: String(count) } } }));
    const [k0, k1] = [partitionKey(name, 0, count), partitionKey(name, 1, count)];
    const l0 = await lease(k0);
    // Partition 0 stands inside c1 (after version 1), partition 1 after c2; partition 1's lease is given up.
    await store.save(k0, l0, { checkpoint: `${indexId}:${c1.position}:1`, eventsHandled: 1, eventsSkipped: 0 });
    await parkedStore.park(l0, toPark(name, k0, s0, c1.position, 2), new Error('x'));
    const l1 = await lease(k1);
    await store.save(k1, l1, { checkpoint: `${indexId}:${c2.position}`, eventsHandled: 1, eventsSkipped: 0 });
    await store.release(k1, l1);

    const now = t0 + 10_000;
    const inspection = await inspectProjection({ client: runtime.client, projectionsTable, eventsTable: app.tableName, retry: runtime.options.retry }, name, { now });
    const head = (await index.head())!.lastPosition;
    expect(inspection).toMatchObject({ name, stored: true, partitionCount: count, headPosition: head });
    const [p0, p1] = inspection.partitions;
    expect(p0).toMatchObject({ partition: 0, key: k0, owner: l0.owner, checkpoint: `${indexId}:${c1.position}:1`, parkedCount: 1, eventsHandled: 1 });
    // Partition 0: the rest of c1 (2 events) and c4 (1); every position from c1 on; the age of c1's batch.
    expect(p0!.lag).toEqual({ commits: head - c1.position + 1, events: 3, eventsLowerBound: false, ms: 10_000 });
    expect(p1!.owner).toBeUndefined();
    // Partition 1: c3 (4 events); positions after c2; the age of c3's batch.
    expect(p1!.lag).toEqual({ commits: head - c2.position, events: 4, eventsLowerBound: false, ms: 8_000 });
    expect(c4.position).toBeLessThanOrEqual(head);

    const bounded = await inspectProjection({ client: runtime.client, projectionsTable, eventsTable: app.tableName, retry: runtime.options.retry }, name, { now, maxBatches: 1 });
    expect(bounded.partitions[1]!.lag).toMatchObject({ commits: head - c2.position, eventsLowerBound: true });
  });

  it('a projection never stored says so', async () => {
    const inspection = await inspectProjection({ client: runtime.client, projectionsTable, eventsTable: app.tableName, retry: runtime.options.retry }, 'never-ran');
    expect(inspection).toMatchObject({ stored: false, partitionCount: 1 });
    expect(EventStoreErrorCode.PARKED_EVENT_NOT_FOUND).toBe('PARKED_EVENT_NOT_FOUND');
  });
});

/**
 * End to end through the runner (needs the lead's wiring of PartitionParking into ProjectionRunner
 * and of ProjectionManager.retryParked): a poison event is retried maxAttempts times, parked with
 * its stream's later events ('wait'), listed, and handled by a retry once the handler is fixed.
 */
describe('a poison event, end to end (runner wiring)', () => {
  const poisoned = new Set<string>();
  const calls: string[] = [];

  @Projection('parking-e2e', { maxAttempts: 3, parkedStream: 'wait', pollIntervalMs: 50, leaseTtlMs: 3_000 })
  class PoisonLedger {
    @ProjectionHandler(AccountOpened, MoneyDeposited)
    on(_event: object, envelope: FeedEvent): void {
      const id = `${envelope.streamId}@${envelope.version}`;
      calls.push(id);
      if (poisoned.has(id)) throw new Error(`poison ${id}`);
    }
  }

  it('is retried, parked with its stream behind it, listed, and handled by a retry after the fix', async () => {
    const { createProjectionApp, deleteProjectionTables, projectionTables, waitUntil } = await import('./support/projection-app.js');
    const tables = projectionTables('parking-e2e');
    const live = await createProjectionApp(tables, { projections: [PoisonLedger] });
    try {
      const [a, b] = ['poison-a', 'poison-b'];
      poisoned.add(`${a}@1`);
      await live.store.append(a, [new AccountOpened(a, 'pat')], { expectedVersion: 'no-stream' });
      await live.store.append(b, [new AccountOpened(b, 'sam')], { expectedVersion: 'no-stream' });
      await live.store.append(a, deposits(a, 1), { expectedVersion: 1 });
      const listed = new ParkedEventStore(live.client, tables.projections, live.runtime.options.retry);
      await waitUntil('the poison event and the one behind it are parked, the other stream handled', async () => (await listed.list('parking-e2e')).length === 2 && calls.includes(`${b}@1`));
      expect(calls.filter((id) => id === `${a}@1`)).toHaveLength(3);
      expect(calls).not.toContain(`${a}@2`);
      expect((await listed.list('parking-e2e')).map((p) => [p.streamId, p.version, p.reason])).toEqual([[a, 1, 'failed'], [a, 2, 'waiting']]);

      poisoned.clear();
      const manager = live.manager as unknown as { retryParked(name: string, options?: object): Promise<{ total: { handled: number; stillParked: number } }> };
      const result = await manager.retryParked('parking-e2e', { timeoutMs: 30_000 });
      expect(result.total).toMatchObject({ handled: 2, stillParked: 0 });
      expect(calls.slice(-2)).toEqual([`${a}@1`, `${a}@2`]);
      expect(await listed.list('parking-e2e')).toEqual([]);
    } finally {
      await live.close();
      await deleteProjectionTables(tables);
    }
  });
});

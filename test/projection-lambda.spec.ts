import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { parseCheckpoint } from '../lib/feed/feed-checkpoint.js';
import { FeedIndexTable } from '../lib/feed/index/feed-index-table.js';
import type { DynamoDBRecord } from '../lib/feed/indexer/stream-records.js';
import { Projection, ProjectionHandler, SpanAttribute, SpanName, type FeedEvent } from '../lib/index.js';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEventHandlersHandler, createProjectionsHandler, FEED_INDEX_BATCH_FILTER_CRITERIA, isIndexBatchRecord, type FeedLambdaHandler } from '../lib/lambda/index.js';
import { ParkedEventStore } from '../lib/projections/parking/parked-event-store.js';
import { partitionOf } from '../lib/projections/partitions/stream-partition.js';
import { ProjectionStore } from '../lib/projections/projection-store.js';
import { testClientConfig } from './support/dynamodb.js';
import { AccountOpened, deposits, MoneyDeposited } from './support/events.js';
import { RequestTap } from './support/fault-injection.js';
import { matchesCriteria } from './support/event-filter.js';
import { containerRecorders, createLambdaFeed, LambdaRecorder, LambdaRecorderModule, lambdaAppModule, lambdaFaults, type LambdaFeed } from './support/lambda-feed-app.js';
import { createProjectionApp, storedProjection } from './support/projection-app.js';
import { idOf } from './support/projection-recorder.js';
import type { Invocation } from './support/stream-event-source.js';

@Projection('lambda-accounts')
class AccountsProjection {
  constructor(private readonly recorder: LambdaRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): Promise<void> {
    return this.recorder.record(envelope);
  }
}

@Projection('lambda-split', { partitions: 4 })
class PartitionedProjection {
  constructor(private readonly recorder: LambdaRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): Promise<void> {
    return this.recorder.record(envelope);
  }
}

/** Parks an event after two failed calls; its stream's later events wait behind it (the default). */
@Projection('lambda-parking', { maxAttempts: 2 })
class ParkingProjection {
  constructor(private readonly recorder: LambdaRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): Promise<void> {
    return this.recorder.record(envelope);
  }
}

/** Parks an event after two failed calls; its stream goes on. */
@Projection('lambda-parking-continue', { maxAttempts: 2, parkedStream: 'continue' })
class ContinueParkingProjection {
  constructor(private readonly recorder: LambdaRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): Promise<void> {
    return this.recorder.record(envelope);
  }
}

/** An @EventsHandler of the app (it gets the event instance only): records `<accountId>@<amount>` of each deposit. */
@Injectable()
@EventsHandler(MoneyDeposited)
class DepositsHandler implements IEventHandler<MoneyDeposited> {
  constructor(private readonly recorder: LambdaRecorder) {}

  async handle(event: MoneyDeposited): Promise<void> {
    await Promise.resolve(); // a rejection, not a synchronous throw: the handler must be awaited
    const key = `${event.accountId}@${event.amount}`;
    this.recorder.attempts.push(key);
    if (lambdaFaults.failWhen(key)) throw new Error(`injected failure at ${key}`);
    this.recorder.keys.push(key);
  }
}

const feeds: LambdaFeed[] = [];
afterAll(async () => {
  for (const feed of feeds) await feed.close();
});

async function setUp(label: string): Promise<LambdaFeed> {
  const feed = await createLambdaFeed(label);
  feeds.push(feed);
  return feed;
}

/** Appends `rounds` commits of 1-3 events to each stream, indexing after each round (so that the index holds several batches). */
async function writeRounds(feed: LambdaFeed, streamIds: readonly string[], rounds: number, commits = { count: 0, events: 0 }): Promise<typeof commits> {
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      streamIds.map((streamId) => {
        const events: object[] = round === 0 && commits.count < streamIds.length ? [new AccountOpened(streamId, 'o')] : deposits(streamId, 1 + (round % 3), 0, round * 10 + 1);
        commits.events += events.length;
        commits.count++;
        return feed.writer.store.append(streamId, events, { expectedVersion: 'any' });
      }),
    );
    await feed.index(commits.count);
  }
  return commits;
}

/** Every event once, each stream's in version order 1, 2, 3... */
function expectOnceInOrder(handled: readonly FeedEvent[], total: number): void {
  expect(new Set(handled.map(idOf)).size).toBe(handled.length);
  expect(handled).toHaveLength(total);
  const next = new Map<string, number>();
  for (const event of handled) {
    expect(idOf(event)).toBe(`${event.streamId}@${(next.get(event.streamId) ?? 0) + 1}`);
    next.set(event.streamId, event.version);
  }
}

const RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
const streamIdsOf = (recorder: LambdaRecorder, streamId: string) => recorder.ids().filter((id) => id.startsWith(`${streamId}@`));
const failuresOf = (invocation: Invocation) => invocation.response?.batchItemFailures.map((failure) => failure.itemIdentifier) ?? [];
const lastPositionOf = (record: DynamoDBRecord) => Number(record.dynamodb!.NewImage!.lastVersion!.N);

function projectionsHandler(feed: LambdaFeed, projections: Function[], extra: Partial<Parameters<typeof createProjectionsHandler>[1]> = {}): FeedLambdaHandler {
  return createProjectionsHandler(lambdaAppModule(projections), { module: feed.moduleOptions, eager: false, retryDelayMs: 1, attemptsPerInvocation: 2, ...extra });
}

describe('Projections and event handlers on AWS Lambda, fed by the feed index batches through a played event source mapping (DynamoDB Local)', () => {
  it('handles every event once, each stream in version order, across several invocations of one container (its context created once)', async () => {
    const feed = await setUp('lp-once');
    const recordersBefore = containerRecorders.length;
    const mapping = feed.mapping(projectionsHandler(feed, [AccountsProjection]), 3);
    const written = await writeRounds(feed, ['a-1', 'a-2', 'a-3'], 4);
    await mapping.deliverUntil(() => containerRecorders.length > recordersBefore && containerRecorders.at(-1)!.handled.length >= written.events);
    const recorder = containerRecorders.at(-1)!;
    expectOnceInOrder(recorder.handled, written.events);
    expect(mapping.invocations.filter((invocation) => invocation.event.Records.some(isIndexBatchRecord)).length).toBeGreaterThan(1);
    expect(mapping.invocations.every((invocation) => invocation.error === undefined && failuresOf(invocation).length === 0)).toBe(true);
    // One application context for all of those invocations.
    expect(containerRecorders.length).toBe(recordersBefore + 1);

    // More events later: read from the stored checkpoint on, nothing twice.
    const more = await writeRounds(feed, ['a-1', 'a-4'], 2, { ...written });
    await mapping.deliverUntil(() => recorder.handled.length >= more.events);
    expectOnceInOrder(recorder.handled, more.events);
    const head = (await new FeedIndexTable(feed.writer.client, feed.tables.events, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }).head())!.lastPosition;
    const stored = await storedProjection(feed.tables, 'lambda-accounts');
    expect(parseCheckpoint(stored!.checkpoint!.S)).toMatchObject({ position: head });
    expect(stored!.leaseOwner).toBeUndefined(); // released at the end of each invocation
  }, 120_000);

  it('traces each feed page and handler call with OpenTelemetry when the module is given a tracer provider', async () => {
    const feed = await setUp('lp-otel');
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const recordersBefore = containerRecorders.length;
    const handler = createProjectionsHandler(lambdaAppModule([AccountsProjection]), { module: { ...feed.moduleOptions, telemetry: { tracerProvider } }, eager: false });
    const mapping = feed.mapping(handler, 10);
    const written = await writeRounds(feed, ['t-1'], 2);
    await mapping.deliverUntil(() => containerRecorders.length > recordersBefore && containerRecorders.at(-1)!.handled.length >= written.events);
    const handled = spans.getFinishedSpans().filter((span) => span.name === SpanName.projectionHandle);
    expect(handled.length).toBeGreaterThanOrEqual(written.events);
    expect(handled.every((span) => span.attributes[SpanAttribute.projection] === 'lambda-accounts')).toBe(true);
    expect(spans.getFinishedSpans().some((span) => span.name === SpanName.feedPage)).toBe(true);
  }, 120_000);

  it('handles nothing again when batches are delivered twice, all over again, or to a cold container', async () => {
    const feed = await setUp('lp-redeliver');
    const recordersBefore = containerRecorders.length;
    const mapping = feed.mapping(projectionsHandler(feed, [AccountsProjection]), 2);
    const written = await writeRounds(feed, ['r-1', 'r-2'], 3);
    await mapping.deliverUntil(() => (containerRecorders.at(-1)?.handled.length ?? 0) >= written.events && containerRecorders.length > recordersBefore, { repeat: true });
    expect(mapping.invocations.some((invocation) => invocation.repeated && invocation.event.Records.some(isIndexBatchRecord))).toBe(true);
    const warm = containerRecorders.at(-1)!;
    mapping.rewind();
    await mapping.deliver();
    expectOnceInOrder(warm.handled, written.events);

    const cold = feed.mapping(projectionsHandler(feed, [AccountsProjection]), 5);
    await cold.deliver();
    expect(cold.invocations.length).toBeGreaterThan(0);
    expect(containerRecorders.length).toBe(recordersBefore + 2);
    expect(containerRecorders.at(-1)!.attempts).toEqual([]);
    expect(warm.handled).toHaveLength(written.events);
  }, 120_000);

  it('reports the batch of a failing event and every later record; on redelivery the earlier events are not handled again', async () => {
    const feed = await setUp('lp-fail');
    const written = await writeRounds(feed, ['f-1', 'f-2', 'f-3'], 4);
    const seen: DynamoDBRecord[] = [];
    // One invocation gets every batch: the first of a commit of three deposits fails (f-2: opened, 2 deposits, then 3).
    const mapping = feed.mapping(projectionsHandler(feed, [AccountsProjection]), 100, seen);
    let failing = true;
    lambdaFaults.failWhen = (key) => failing && key === 'f-2@4';
    try {
      const [invocation] = await mapping.deliver();
      const recorder = containerRecorders.at(-1)!;
      const failures = failuresOf(invocation!);
      expect(failures.length).toBeGreaterThan(0);
      const poison = recorder.failed[0]!;
      expect(recorder.failed.map(idOf)).toEqual(['f-2@4', 'f-2@4']); // attemptsPerInvocation 2
      const { position } = parseCheckpoint(poison.checkpoint);
      // Exactly the batch holding the poison's commit and every batch after it.
      const from = seen.findIndex((record) => lastPositionOf(record) >= position);
      expect(from).toBeGreaterThanOrEqual(0);
      expect(failures).toEqual(seen.slice(from).map((record) => record.dynamodb!.SequenceNumber));
      // Everything before the poison was handled (and saved), nothing after it.
      const before = recorder.handled.length;
      expect(recorder.handled.every((event) => parseCheckpoint(event.checkpoint).position < position)).toBe(true);
      expect(before).toBeGreaterThan(0);

      failing = false;
      await mapping.deliverUntil(() => recorder.handled.length >= written.events);
      // Lambda resumed at the first reported record; the events handled before were not handled again.
      expect(mapping.invocations[1]!.event.Records[0]!.dynamodb!.SequenceNumber).toBe(failures[0]);
      expectOnceInOrder(recorder.handled, written.events);
      expect(recorder.attempts.filter((key) => key === 'f-2@4')).toHaveLength(3);
    } finally {
      lambdaFaults.failWhen = () => false;
    }
  }, 120_000);

  it('runs a partitioned projection across its partitions, leaving a partition that an app instance holds to it', async () => {
    const feed = await setUp('lp-split');
    const streamIds = ['p-1', 'p-2', 'p-3', 'p-6', 'p-8', 'p-9', 'p-10', 'p-11'];
    expect(new Set(streamIds.map((id) => partitionOf(id, 4))).size).toBe(4); // the test's premise: every partition has streams
    // An app instance runs partition 1 (its lease is live).
    const store = new ProjectionStore(feed.writer.client, feed.tables.projections, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 });
    const held = await store.acquire('lambda-split#1', 'app-instance', 60_000);
    expect(held.acquired).toBe(true);
    const mapping = feed.mapping(projectionsHandler(feed, [PartitionedProjection]), 4);
    const written = await writeRounds(feed, streamIds, 3);
    const inOne = (event: FeedEvent) => partitionOf(event.streamId, 4) === 1;
    const eventsOf = (partition: number) => streamIds.filter((id) => partitionOf(id, 4) === partition).length * (1 + 2 + 3); // opened, then 2 and 3 deposits
    await mapping.deliverUntil(async () => containerRecorders.at(-1)?.handled.filter((e) => !inOne(e)).length === written.events - eventsOf(1));
    const recorder = containerRecorders.at(-1)!;
    await mapping.deliver();
    expect(recorder.handled.filter(inOne)).toEqual([]);
    expect(mapping.invocations.every((invocation) => failuresOf(invocation).length === 0)).toBe(true);

    // The instance stops (releases): the next batch brings partition 1 up to date from its checkpoint.
    if (held.acquired) await store.release('lambda-split#1', held.lease);
    const more = await writeRounds(feed, ['p-1'], 1, { ...written });
    await mapping.deliverUntil(() => recorder.handled.length >= more.events);
    expectOnceInOrder(recorder.handled, more.events);
    const items = await store.readAll(['lambda-split#0', 'lambda-split#1', 'lambda-split#2', 'lambda-split#3']);
    const counts = [0, 1, 2, 3].map((i) => items.get(`lambda-split#${i}`)!.position.eventsHandled);
    expect(counts.every((count) => count > 0)).toBe(true);
    expect(counts.reduce((a, b) => a + b)).toBe(more.events);
  }, 120_000);

  it('creates the context again at the next invocation when creating it failed', async () => {
    const feed = await setUp('lp-init');
    let calls = 0;
    const handler = createProjectionsHandler(lambdaAppModule([AccountsProjection]), {
      module: () => {
        if (++calls === 1) throw new Error('secret not readable yet');
        return feed.moduleOptions;
      },
      eager: false,
    });
    const before = containerRecorders.length;
    const mapping = feed.mapping(handler, 100);
    const written = await writeRounds(feed, ['i-1'], 2);
    const [failed] = await mapping.deliver();
    expect(String(failed!.error)).toMatch(/secret not readable yet/);
    await mapping.deliverUntil(() => (containerRecorders.at(-1)?.handled.length ?? 0) >= written.events && containerRecorders.length > before);
    await writeRounds(feed, ['i-2'], 1);
    await mapping.deliver();
    expect(calls).toBe(2);
    expect(containerRecorders.length).toBe(before + 1);
  }, 120_000);

  it("calls the app's @EventsHandler classes for each persisted event, in order, under a checkpoint of their own", async () => {
    const feed = await setUp('lp-handlers');
    const handler = createEventHandlersHandler(lambdaAppModule([], [DepositsHandler]), {
      name: 'lambda-deposits',
      module: feed.moduleOptions,
      eager: false,
      retryDelayMs: 1,
      attemptsPerInvocation: 2,
    });
    const written = await writeRounds(feed, ['h-1', 'h-2'], 4);
    const deposited = written.events - 2; // less the two AccountOpened, which no handler handles
    let failing = true;
    lambdaFaults.failWhen = (key) => failing && key === 'h-2@21';
    try {
      const mapping = feed.mapping(handler, 100);
      const [first] = await mapping.deliver();
      const recorder = containerRecorders.at(-1)!;
      expect(failuresOf(first!).length).toBeGreaterThan(0);
      expect(recorder.keys).not.toContain('h-2@21');
      failing = false;
      await mapping.deliverUntil(() => recorder.keys.length >= deposited);
      expect(new Set(recorder.keys).size).toBe(deposited);
      for (const streamId of ['h-1', 'h-2']) {
        const amounts = recorder.keys.filter((key) => key.startsWith(`${streamId}@`)).map((key) => Number(key.split('@')[1]));
        expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
      }
      expect(recorder.attempts.filter((key) => key === 'h-2@21')).toHaveLength(3);
      expect((await storedProjection(feed.tables, 'lambda-deposits'))?.checkpoint?.S).toMatch(/^f[0-9a-f]{8}:\d+$/);
    } finally {
      lambdaFaults.failWhen = () => false;
    }
  }, 120_000);
});

describe('Parked events on AWS Lambda (maxAttempts, parkedStream), as the in-app runner parks them', () => {
  it("parks an event after maxAttempts failed calls and goes on (the batch succeeds); 'wait' parks its stream's later events; retryParked handles them once fixed", async () => {
    const feed = await setUp('lp-park');
    const written = await writeRounds(feed, ['k-1', 'k-2', 'k-3'], 3); // per stream: opened (1), 2 deposits (2-3), 3 deposits (4-6)
    const mapping = feed.mapping(projectionsHandler(feed, [ParkingProjection]), 100);
    const parked = new ParkedEventStore(feed.writer.client, feed.tables.projections, RETRY);
    const store = new ProjectionStore(feed.writer.client, feed.tables.projections, RETRY);
    let failing = true;
    lambdaFaults.failWhen = (key) => failing && key === 'k-2@2';
    try {
      const [invocation] = await mapping.deliver();
      expect(invocation!.error).toBeUndefined();
      expect(failuresOf(invocation!)).toEqual([]);
      const recorder = containerRecorders.at(-1)!;
      // Two calls (maxAttempts 2, both within the invocation), then parked; the stream's later events are not called.
      expect(recorder.attempts.filter((id) => id.startsWith('k-2@'))).toEqual(['k-2@1', 'k-2@2', 'k-2@2']);
      expectOnceInOrder(recorder.handled.filter((event) => event.streamId !== 'k-2'), written.events - 6);
      expect(streamIdsOf(recorder, 'k-2')).toEqual(['k-2@1']);
      expect((await parked.list('lambda-parking')).map((p) => [p.streamId, p.version, p.reason, p.attempts])).toEqual([
        ['k-2', 2, 'failed', 2],
        ...[3, 4, 5, 6].map((version) => ['k-2', version, 'waiting', 0]),
      ]);
      const head = (await new FeedIndexTable(feed.writer.client, feed.tables.events, RETRY).head())!.lastPosition;
      const item = (await store.readAll(['lambda-parking'])).get('lambda-parking')!;
      expect({ position: parseCheckpoint(item.position.checkpoint).position, handled: item.position.eventsHandled, skipped: item.position.eventsSkipped, parked: item.parkedCount }).toEqual({
        position: head,
        handled: written.events - 5,
        skipped: 5,
        parked: 5,
      });

      // Fixed: the CLI's `projection retry-parked` (ProjectionManager.retryParked in an app context, the lease being free) handles them in order.
      failing = false;
      const ops = await createProjectionApp(feed.tables, {
        projections: [ParkingProjection],
        imports: [LambdaRecorderModule],
        options: { feed: { indexer: false }, projections: { autoStart: false } },
      });
      try {
        const opsRecorder = containerRecorders.at(-1)!;
        expect(opsRecorder).not.toBe(recorder);
        const result = await ops.manager.retryParked('lambda-parking');
        expect(result.total).toMatchObject({ retried: 5, handled: 5, stillParked: 0 });
        expect(opsRecorder.ids()).toEqual(['k-2@2', 'k-2@3', 'k-2@4', 'k-2@5', 'k-2@6']);
      } finally {
        await ops.close();
      }
      expect(await parked.list('lambda-parking')).toEqual([]);

      // The stream's next event reaches the function's handler: nothing holds it back any more.
      await writeRounds(feed, ['k-2'], 1, { ...written });
      await mapping.deliverUntil(() => streamIdsOf(recorder, 'k-2').length > 1);
      expect(streamIdsOf(recorder, 'k-2')).toEqual(['k-2@1', 'k-2@7']);
      expect(mapping.invocations.every((each) => failuresOf(each).length === 0)).toBe(true);
    } finally {
      lambdaFaults.failWhen = () => false;
    }
  }, 120_000);

  it("parks only the failing event with parkedStream 'continue', and answers a retry request found on the partition item before reading", async () => {
    const feed = await setUp('lp-park-continue');
    const written = await writeRounds(feed, ['c-1', 'c-2'], 3);
    const mapping = feed.mapping(projectionsHandler(feed, [ContinueParkingProjection]), 100);
    const key = 'lambda-parking-continue';
    const parked = new ParkedEventStore(feed.writer.client, feed.tables.projections, RETRY);
    let failing = true;
    lambdaFaults.failWhen = (id) => failing && id === 'c-2@2';
    try {
      const [first] = await mapping.deliver();
      expect(failuresOf(first!)).toEqual([]);
      const recorder = containerRecorders.at(-1)!;
      expect(streamIdsOf(recorder, 'c-2')).toEqual(['c-2@1', 'c-2@3', 'c-2@4', 'c-2@5', 'c-2@6']);
      expect((await parked.list(key)).map((p) => [p.streamId, p.version, p.reason])).toEqual([['c-2', 2, 'failed']]);

      // The CLI found the lease held (by an invocation, say) and asks its holder: the next invocation retries first.
      failing = false;
      await parked.requestRetry(key, 'request-1');
      const more = await writeRounds(feed, ['c-1'], 1, { ...written });
      await mapping.deliverUntil(async () => (await parked.retryAnswer(key, 'request-1')).answered);
      expect(await parked.retryAnswer(key, 'request-1')).toMatchObject({ answered: true, report: { retried: 1, handled: 1, stillParked: 0 } });
      expect(streamIdsOf(recorder, 'c-2')).toEqual(['c-2@1', 'c-2@3', 'c-2@4', 'c-2@5', 'c-2@6', 'c-2@2']);
      expect(await parked.list(key)).toEqual([]);
      await mapping.deliverUntil(() => recorder.handled.length >= more.events);
      const item = (await new ProjectionStore(feed.writer.client, feed.tables.projections, RETRY).readAll([key])).get(key)!;
      // The retried event counts as handled once; the parked one stays counted as skipped.
      expect({ handled: item.position.eventsHandled, skipped: item.position.eventsSkipped, parked: item.parkedCount }).toEqual({ handled: more.events, skipped: 1, parked: 0 });
    } finally {
      lambdaFaults.failWhen = () => false;
    }
  }, 120_000);

  it('reports the event for redelivery when parking it fails, and parks it at the redelivery', async () => {
    const feed = await setUp('lp-park-fault');
    const written = await writeRounds(feed, ['q-1', 'q-2'], 2);
    const client = new DynamoDBClient({ ...testClientConfig(), maxAttempts: 1 });
    const tap = new RequestTap(client);
    try {
      const handler = createProjectionsHandler(lambdaAppModule([ParkingProjection]), { module: { ...feed.moduleOptions, client }, eager: false, retryDelayMs: 1, attemptsPerInvocation: 2 });
      const seen: DynamoDBRecord[] = [];
      const mapping = feed.mapping(handler, 100, seen);
      const parked = new ParkedEventStore(feed.writer.client, feed.tables.projections, RETRY);
      lambdaFaults.failWhen = (id) => id === 'q-1@2';
      tap.failNext('TransactWriteItemsCommand', 1, 'ValidationException');
      const [first] = await mapping.deliver();
      const recorder = containerRecorders.at(-1)!;
      expect(tap.count('TransactWriteItemsCommand')).toBe(1);
      const poison = recorder.failed[0]!;
      const position = parseCheckpoint(poison.checkpoint).position;
      expect(failuresOf(first!)).toEqual(seen.slice(seen.findIndex((record) => lastPositionOf(record) >= position)).map((record) => record.dynamodb!.SequenceNumber));
      expect(await parked.list('lambda-parking')).toEqual([]);

      // All but q-1@2 and q-1@3 (parked behind it), and the redelivery that parks them (the first delivery may already have handled the rest).
      await mapping.deliverUntil(async () => recorder.handled.length >= written.events - 2 && (await parked.list('lambda-parking')).length >= 2);
      expect((await parked.list('lambda-parking')).map((p) => [p.streamId, p.version, p.reason])).toEqual([
        ['q-1', 2, 'failed'],
        ['q-1', 3, 'waiting'],
      ]);
      expect(failuresOf(mapping.invocations.at(-1)!)).toEqual([]);
      expectOnceInOrder(recorder.handled.filter((event) => event.streamId === 'q-2'), 3);
    } finally {
      lambdaFaults.failWhen = () => false;
      client.destroy();
    }
  }, 120_000);
});

describe("The invocation's deadline (Lambda's context)", () => {
  it('starts no handler call when no time is left, and does not wait out a backoff that would end after the deadline', async () => {
    const feed = await setUp('lp-deadline');
    await writeRounds(feed, ['d-1', 'd-2'], 2);
    const handler = projectionsHandler(feed, [AccountsProjection], { retryDelayMs: 60_000, attemptsPerInvocation: 3 });
    let remaining = 0;
    const seen: DynamoDBRecord[] = [];
    const mapping = feed.mapping((event) => handler(event, { getRemainingTimeInMillis: () => remaining }), 100, seen);
    const [first] = await mapping.deliver();
    const recorder = containerRecorders.at(-1)!;
    expect(recorder.attempts).toEqual([]);
    expect(failuresOf(first!)).toEqual(seen.map((record) => record.dynamodb!.SequenceNumber));

    // Time enough for calls, not for a 60 s backoff: the failing event is called once, and its record comes back at once.
    remaining = 10_000;
    lambdaFaults.failWhen = (id) => id === 'd-2@2';
    try {
      const [second] = await mapping.deliver();
      expect(recorder.attempts.filter((id) => id === 'd-2@2')).toHaveLength(1);
      expect(failuresOf(second!).length).toBeGreaterThan(0);
      expect(recorder.ids()).toContain('d-1@1');
    } finally {
      lambdaFaults.failWhen = () => false;
    }
  }, 30_000);
});

describe('FEED_INDEX_BATCH_FILTER_CRITERIA', () => {
  it('selects exactly the insertions of feed index batches among the real records of an events table', async () => {
    const feed = await setUp('lp-filter');
    await writeRounds(feed, ['x-1', 'x-2'], 3);
    // The module's other items: the index's saved checkpoint (sort key -1), the in-app indexer's lease written, renewed, deleted.
    const index = new FeedIndexTable(feed.writer.client, feed.tables.events, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 });
    const { head, checkpoint } = await index.state();
    await index.saveCheckpoint(head!.lastPosition, checkpoint!);
    const lease = (expiresAt: number) => new PutItemCommand({ TableName: feed.tables.events, Item: { streamId: { S: '$$feed-indexer' }, version: { N: '0' }, expiresAt: { N: String(expiresAt) } } });
    await feed.writer.client.send(lease(1));
    await feed.writer.client.send(lease(2));
    await feed.writer.client.send(new DeleteItemCommand({ TableName: feed.tables.events, Key: { streamId: { S: '$$feed-indexer' }, version: { N: '0' } } }));
    const all: DynamoDBRecord[] = [];
    const raw = feed.rawMapping(async (event) => {
      all.push(...event.Records);
      return { batchItemFailures: [] };
    }, 1000);
    await raw.deliverUntil(() => all.some((record) => record.eventName === 'REMOVE'));
    const kinds = new Set(all.map((record) => `${record.eventName} ${record.dynamodb!.Keys!.streamId!.S!.startsWith('$$') ? record.dynamodb!.Keys!.streamId!.S : 'event'} ${Math.sign(Number(record.dynamodb!.Keys!.version!.N))}`));
    // The stream holds every kind of record the filter must tell apart.
    expect([...kinds].sort()).toEqual(['INSERT $$feed -1', 'INSERT $$feed 0', 'INSERT $$feed 1', 'INSERT $$feed-indexer 0', 'INSERT event 1', 'MODIFY $$feed-indexer 0', 'REMOVE $$feed-indexer 0']);
    for (const record of all) {
      const batch = record.eventName === 'INSERT' && record.dynamodb!.Keys!.streamId!.S === '$$feed' && Number(record.dynamodb!.Keys!.version!.N) >= 1;
      expect({ key: record.dynamodb!.Keys, event: record.eventName, matches: matchesCriteria(FEED_INDEX_BATCH_FILTER_CRITERIA, record) }).toEqual({ key: record.dynamodb!.Keys, event: record.eventName, matches: batch });
      expect(isIndexBatchRecord(record)).toBe(batch);
    }
  }, 60_000);
});

import 'reflect-metadata';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MetricReader, MeterProvider, type DataPoint, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AggregateRoot, CqrsModule, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ConcurrencyError,
  DynamoEventSourcingModule,
  EventStore,
  getAggregateRepositoryToken,
  Projection,
  ProjectionHandler,
  SnapshotRepository,
  type AggregateRepository,
  type DynamoEventSourcingModuleOptions,
} from '../lib/index.js';
import { SpanAttribute as A, MetricName, SpanName } from '../lib/telemetry/span-names.js';
import { AccountOpened, MoneyDeposited, TEST_EVENTS } from './support/events.js';
import { waitUntil } from './support/projection-app.js';
import { collect } from './support/event-store-app.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';

/** Collects on demand: no timer, no interval to wait for. */
class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

class Account extends AggregateRoot {
  constructor(readonly id: string) {
    super();
  }
  open(owner: string): void {
    this.apply(new AccountOpened(this.id, owner));
  }
}

/** What an @EventsHandler saw: each deposit, with the span active while it ran. */
const published: Array<{ amount: number; activeSpanId: string | undefined }> = [];
@EventsHandler(MoneyDeposited)
class DepositsHandler implements IEventHandler<MoneyDeposited> {
  handle(event: MoneyDeposited): void {
    published.push({ amount: event.amount, activeSpanId: trace.getActiveSpan()?.spanContext().spanId });
  }
}

@Projection('telemetry-deposits', { pollIntervalMs: 50, pageSize: 10 })
class DepositsProjection {
  readonly seen: number[] = [];
  @ProjectionHandler(MoneyDeposited)
  onDeposit(event: MoneyDeposited): void {
    this.seen.push(event.amount);
  }
}

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const metricReader = new CollectingReader();
const meterProvider = new MeterProvider({ readers: [metricReader] });

const named = (name: string): ReadableSpan[] => spans.getFinishedSpans().filter((span) => span.name === name);
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

/** The data points of one metric, as last collected. */
async function points(name: string): Promise<DataPoint<unknown>[]> {
  const { resourceMetrics } = (await metricReader.collect()) as { resourceMetrics: ResourceMetrics };
  return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).filter((metric) => metric.descriptor.name === name).flatMap((metric) => metric.dataPoints as DataPoint<unknown>[]);
}
const sum = (data: DataPoint<unknown>[]): number => data.reduce((total, point) => total + (point.value as number), 0);

/** An app on fresh tables with the given module options, an aggregate and a projection. */
async function createApp(tables: { events: string; snapshots: string; projections: string }, options: Partial<DynamoEventSourcingModuleOptions>) {
  const module: TestingModule = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({
        clientConfig: testClientConfig(),
        tableSetup: 'create',
        events: TEST_EVENTS,
        snapshots: {},
        tables,
        feed: { indexer: { pollIntervalMs: 50 } },
        ...options,
      }),
      DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Account, name: 'telAccount' }], projections: [DepositsProjection] }),
    ],
    providers: [DepositsHandler],
  }).compile();
  await module.init();
  return { module, store: module.get(EventStore) };
}

const freshTables = (label: string) => ({ events: uniqueTableName(`${label}-ev`), snapshots: uniqueTableName(`${label}-sn`), projections: uniqueTableName(`${label}-pr`) });

describe('OpenTelemetry spans and metrics', () => {
  const tables = freshTables('telemetry');
  let app: { module: TestingModule; store: EventStore };
  let accounts: AggregateRepository<Account>;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    app = await createApp(tables, { telemetry: { tracerProvider, meterProvider } });
    accounts = app.module.get(getAggregateRepositoryToken(Account));
  });
  afterAll(async () => {
    await app?.module.close();
    context.disable();
    await deleteTables(tables.events, tables.snapshots, tables.projections);
  });
  beforeEach(() => spans.reset());

  it('traces an append with its attributes and the capacity DynamoDB reports, and counts it', async () => {
    const before = sum(await points(MetricName.eventsAppended));
    await app.store.append('tel-a', [new AccountOpened('a', 'ann'), new MoneyDeposited('a', 5)], { expectedVersion: 'no-stream', commitId: 'tel-a-1' });

    const [append] = named(SpanName.append);
    expect(append!.attributes).toMatchObject({
      [A.streamId]: 'tel-a',
      [A.expectedVersion]: 'no-stream',
      [A.eventCount]: 2,
      [A.commitId]: 'tel-a-1',
      [A.firstVersion]: 1,
      [A.lastVersion]: 2,
      [A.duplicate]: false,
      [A.retries]: 0,
      [A.tableNames]: [tables.events],
    });
    expect(append!.attributes[A.capacityUnits]).toBeGreaterThan(0);
    expect(JSON.parse((append!.attributes[A.consumedCapacity] as string[])[0]!)).toMatchObject({ TableName: tables.events });
    const [write] = named(SpanName.commitWrite);
    expect(parentOf(write!)).toBe(append!.spanContext().spanId);
    expect(write!.attributes).toMatchObject({ [A.dbSystem]: 'dynamodb', [A.attempts]: 1, [A.positionTaken]: false });
    expect(sum(await points(MetricName.eventsAppended)) - before).toBe(2);
    expect((await points(MetricName.appendDuration)).length).toBeGreaterThan(0);
  });

  it('records a conflict on the span (status ERROR, the typed code) and counts it', async () => {
    await app.store.append('tel-b', [new AccountOpened('b', 'bo')], { expectedVersion: 'no-stream' });
    const before = sum(await points(MetricName.conflicts));
    await expect(app.store.append('tel-b', [new MoneyDeposited('b', 1)], { expectedVersion: 0 })).rejects.toBeInstanceOf(ConcurrencyError);

    const failed = named(SpanName.append).find((span) => span.attributes[A.expectedVersion] === '0')!;
    expect(failed.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(failed.attributes).toMatchObject({ [A.errorType]: 'ConcurrencyError', [A.errorCode]: 'CONCURRENCY' });
    expect(failed.events.some((event) => event.name === 'exception')).toBe(true);
    expect(sum(await points(MetricName.conflicts)) - before).toBe(1);
  });

  it("runs EventBus handlers in the caller's context, not under the append's span (which has ended)", async () => {
    const caller = tracerProvider.getTracer('test').startSpan('caller');
    await context.with(trace.setSpan(context.active(), caller), () =>
      app.store.append('tel-publish', [new MoneyDeposited('p', 7)], { expectedVersion: 'no-stream' }),
    );
    caller.end();
    await waitUntil('the handler saw the deposit', () => published.some((seen) => seen.amount === 7));
    const [append] = named(SpanName.append);
    const seen = published.find((entry) => entry.amount === 7)!;
    expect(seen.activeSpanId).toBe(caller.spanContext().spanId);
    expect(seen.activeSpanId).not.toBe(append!.spanContext().spanId);
  });

  it('traces a read over its whole iteration', async () => {
    await app.store.append('tel-r', [new AccountOpened('r', 'rae'), new MoneyDeposited('r', 1), new MoneyDeposited('r', 2)], { expectedVersion: 'no-stream' });
    spans.reset();
    expect(await collect(app.store.read('tel-r', { fromVersion: 2 }))).toHaveLength(2);
    const [read] = named(SpanName.read);
    expect(read!.attributes).toMatchObject({ [A.streamId]: 'tel-r', [A.firstVersion]: 2, [A.eventCount]: 2, [A.direction]: 'forward' });
    expect(read!.attributes[A.capacityUnits]).toBeGreaterThan(0);
  });

  it('nests the append of an aggregate save under its span', async () => {
    const account = new Account('c');
    account.open('cy');
    await accounts.save(account);
    const [save] = named(SpanName.aggregateSave);
    const [append] = named(SpanName.append);
    expect(parentOf(append!)).toBe(save!.spanContext().spanId);
    expect(save!.attributes).toMatchObject({ [A.aggregate]: 'telAccount', [A.streamId]: 'telAccount-c', [A.lastVersion]: 1 });
    // The append's capacity is the save's too.
    expect(save!.attributes[A.capacityUnits]).toBe(append!.attributes[A.capacityUnits]);

    await accounts.load('c');
    const [load] = named(SpanName.aggregateLoad);
    const [read] = named(SpanName.read);
    expect(parentOf(read!)).toBe(load!.spanContext().spanId);
    expect(load!.attributes[A.lastVersion]).toBe(1);
  });

  it('traces snapshot saves and loads', async () => {
    const snapshots = app.module.get(SnapshotRepository);
    await snapshots.save('tel-s', 3, { balance: 7 }, { revision: 2 });
    expect((await snapshots.load('tel-s'))?.state).toEqual({ balance: 7 });
    const [save] = named(SpanName.snapshotSave);
    const [load] = named(SpanName.snapshotLoad);
    expect(save!.attributes).toMatchObject({ [A.streamId]: 'tel-s', [A.snapshotVersion]: 3, [A.snapshotRevision]: 2, [A.itemCount]: 1 });
    expect(save!.attributes[A.capacityUnits]).toBeGreaterThan(0);
    expect(load!.attributes).toMatchObject({ [A.streamId]: 'tel-s', [A.snapshotVersion]: 3, [A.snapshotRevision]: 2 });
  });

  it('traces the feed indexer, projection pages and handler calls under them, and reports the lag', async () => {
    await app.store.append('tel-p', [new MoneyDeposited('p', 1), new MoneyDeposited('p', 2)], { expectedVersion: 'no-stream' });
    const projection = app.module.get(DepositsProjection, { strict: false });
    await waitUntil('the projection has handled both deposits', () => projection.seen.includes(2));
    await waitUntil('the handler span has ended', () => named(SpanName.projectionHandle).some((span) => span.attributes[A.streamId] === 'tel-p' && span.attributes[A.firstVersion] === 2));

    // The indexer's span ends once its batch is written, which wakes the projection: either may finish first.
    await waitUntil('the indexer has traced a batch', () =>
      named(SpanName.feedIndex).some((span) => (span.attributes[A.batchCount] as number) >= 1 && (span.attributes[A.commitCount] as number) >= 1),
    );
    const handles = named(SpanName.projectionHandle).filter((span) => span.attributes[A.streamId] === 'tel-p');
    const pageOf = (handle: ReadableSpan) => named(SpanName.projectionPage).find((span) => span.spanContext().spanId === parentOf(handle));
    await waitUntil('the page span has ended (after its checkpoint is saved)', () => pageOf(handles[0]!) !== undefined);
    const page = pageOf(handles[0]!)!;
    expect(page.attributes).toMatchObject({ [A.projection]: 'telemetry-deposits' });
    expect(handles[0]!.attributes).toMatchObject({ [A.projection]: 'telemetry-deposits', [A.eventType]: 'MoneyDeposited' });

    const lag = await points(MetricName.projectionLagCommits);
    expect(lag.find((point) => point.attributes[A.projection] === 'telemetry-deposits')).toBeDefined();
  });
});

describe('OpenTelemetry off', () => {
  const table = uniqueTableName('telemetry-off');
  afterAll(() => deleteTables(table));

  /** Appends with an app on `options`; resolves to what the SDK recorded meanwhile. */
  async function recordedBy(options: Partial<DynamoEventSourcingModuleOptions>): Promise<{ spans: number; events: number }> {
    const module = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'create', events: TEST_EVENTS, tables: { events: table }, feed: false, ...options })],
    }).compile();
    await module.init();
    try {
      spans.reset();
      const before = sum(await points(MetricName.eventsAppended));
      await module.get(EventStore).append(`off-${Math.random()}`, [new AccountOpened('o', 'oz')], { expectedVersion: 'no-stream' });
      return { spans: spans.getFinishedSpans().length, events: sum(await points(MetricName.eventsAppended)) - before };
    } finally {
      await module.close();
    }
  }

  it('records nothing with telemetry: false, even when given providers elsewhere', async () => {
    expect(await recordedBy({ telemetry: false })).toEqual({ spans: 0, events: 0 });
  });

  it("records nothing without providers when the app registered no OpenTelemetry SDK (the API's globals are no-ops)", async () => {
    expect(await recordedBy({})).toEqual({ spans: 0, events: 0 });
    // The same app with providers does record: the two cases above are not silent for another reason.
    expect(await recordedBy({ telemetry: { tracerProvider, meterProvider } })).toEqual({ spans: 2, events: 1 });
  });
});

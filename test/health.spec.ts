import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication, Logger, Query } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { createServer } from 'node:net';
import { DynamoEventSourcingHealthIndicator, DynamoEventSourcingHealthModule } from '../lib/health/index.js';
import { DynamoEventSourcingModule, Projection, ProjectionHandler, ProjectionManager, EventStore, type DynamoEventSourcingModuleOptions, type FeedEvent } from '../lib/index.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { RequestTap } from './support/fault-injection.js';
import { AccountOpened, deposits, MoneyDeposited, TEST_EVENTS } from './support/events.js';
import { deleteProjectionTables, projectionTables, waitUntil } from './support/projection-app.js';
import { ProjectionRecorder, ProjectionRecorderModule } from './support/projection-recorder.js';

@Projection('health-ledger', { pollIntervalMs: 50, pageSize: 1 })
class LedgerProjection {
  constructor(readonly recorder: ProjectionRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): Promise<void> {
    return this.recorder.record(envelope);
  }
}

/** A health endpoint as an app writes one: Terminus's HealthCheckService, our indicator, options from the query. */
@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventSourcing: DynamoEventSourcingHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  all(@Query('maxLagCommits') maxLagCommits?: string) {
    return this.health.check([() => this.eventSourcing.isHealthy('event-sourcing', maxLagCommits === undefined ? {} : { maxLagCommits: Number(maxLagCommits) })]);
  }

  @Get('tables')
  @HealthCheck()
  tables(@Query('fresh') fresh?: string) {
    return this.health.check([() => this.eventSourcing.tables('dynamodb', { verifyTables: true, ...(fresh === undefined ? {} : { verifyIntervalMs: 0 }) })]);
  }

  @Get('projections')
  @HealthCheck()
  projections(@Query('maxLagCommits') maxLagCommits: string, @Query('scope') scope: 'app' | 'instance') {
    return this.health.check([
      () => this.eventSourcing.projections('projections', { maxLagCommits: Number(maxLagCommits), lagScope: scope }),
      () => this.eventSourcing.feedIndexer('feed-indexer'),
    ]);
  }
}

interface HealthApp {
  readonly app: INestApplication;
  readonly url: string;
  readonly tap: RequestTap;
  get(path: string): Promise<{ status: number; body: HealthBody }>;
  close(): Promise<void>;
}

interface HealthBody {
  status: string;
  details: Record<string, Record<string, any>>;
}

async function startHealthApp(options: Partial<DynamoEventSourcingModuleOptions>, withProjection: boolean, client = new DynamoDBClient(testClientConfig())): Promise<HealthApp> {
  const tap = new RequestTap(client);
  const module = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({ client, tableSetup: 'create', events: TEST_EVENTS, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, ...options }),
      ...(withProjection ? [DynamoEventSourcingModule.forFeature({ projections: [LedgerProjection], imports: [ProjectionRecorderModule] })] : []),
      TerminusModule.forRoot({ logger: false }),
      DynamoEventSourcingHealthModule,
    ],
    controllers: [HealthController],
  }).compile();
  const app = module.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return {
    app,
    url,
    tap,
    async get(path) {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: (await response.json()) as HealthBody };
    },
    async close() {
      await app.close();
      client.destroy();
    },
  };
}

/** A port nothing listens on: taken from the OS, then freed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('DynamoEventSourcingHealthIndicator with Terminus', () => {
  const tables = projectionTables('health');
  const wrongSnapshots = uniqueTableName('health-wrong');
  let main: HealthApp;
  let recorder: ProjectionRecorder;
  let manager: ProjectionManager;
  let store: EventStore;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    main = await startHealthApp({ tables: { events: tables.events, projections: tables.projections }, feed: { indexer: { pollIntervalMs: 50 } } }, true);
    recorder = main.app.get(ProjectionRecorder, { strict: false });
    manager = main.app.get(ProjectionManager);
    store = main.app.get(EventStore);
  });

  afterAll(async () => {
    await main?.close();
    await deleteProjectionTables(tables);
    await deleteTables(wrongSnapshots);
  });

  it('is up with its tables present, a live projection and the indexer running; reuses the table description', async () => {
    await store.append('h-1', [new AccountOpened('h-1', 'hal')], { expectedVersion: 'no-stream' });
    await waitUntil('the projection handled the event', () => recorder.handled.length === 1 && manager.status('health-ledger').state === 'live');

    const { status, body } = await main.get('/health');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    const report = body.details['event-sourcing']!;
    expect(report).toMatchObject({
      status: 'up',
      dynamodb: {
        status: 'up',
        reachable: true,
        tables: { events: { name: tables.events, matches: true }, projections: { name: tables.projections, matches: true } },
      },
      projections: { status: 'up', lagScope: 'instance', projections: { 'health-ledger': { state: 'live', lag: { commits: 0 } } } },
      feedIndexer: { status: 'up' },
    });
    expect(['indexing', 'standby', 'reconciling']).toContain(report.feedIndexer.state);

    // Within verifyIntervalMs: no DescribeTable, one GetItem probe.
    const sentBefore = main.tap.sent.length;
    expect((await main.get('/health')).status).toBe(200);
    const sent = main.tap.sent.slice(sentBefore);
    expect(sent).not.toContain('DescribeTableCommand');
    expect(sent).toContain('GetItemCommand');
  });

  it('is down naming the table and what differs, or that it is missing', async () => {
    const client = new DynamoDBClient(testClientConfig());
    try {
      // A "snapshots" table with another key: what a wrong table name would point at.
      await client.send(
        new CreateTableCommand({
          TableName: wrongSnapshots,
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } finally {
      client.destroy();
    }
    const missing = uniqueTableName('health-missing');
    const other = await startHealthApp(
      { tableSetup: 'none', feed: false, snapshots: {}, tables: { events: tables.events, snapshots: wrongSnapshots, projections: missing } },
      false,
    );
    try {
      const { status, body } = await other.get('/health/tables');
      expect(status).toBe(503);
      const report = body.details.dynamodb!;
      expect(report.status).toBe('down');
      expect(report.tables.events).toEqual({ name: tables.events, matches: true });
      expect(report.tables.snapshots.differences[0]).toMatch(/^key schema is \[id \(HASH, S\)\], expected \[streamId/);
      expect(report.message).toContain(`Table "${wrongSnapshots}" does not match`);
      await deleteTables(wrongSnapshots);
      const again = await other.get('/health/tables?fresh');
      expect(again.body.details.dynamodb!.tables.snapshots.differences).toEqual([expect.stringMatching(/^it does not exist \(create it with `nestjs-dynamo-es tables create`/)]);
    } finally {
      await other.close();
    }
  });

  it('does not send a failing DescribeTable again on every probe: it waits before describing again', async () => {
    const client = new DynamoDBClient({ ...testClientConfig(), maxAttempts: 1 });
    const other = await startHealthApp({ tableSetup: 'none', tables: { events: tables.events } }, false, client);
    try {
      other.tap.failNext('DescribeTableCommand', 1, 'ThrottlingException');
      const first = await other.get('/health/tables');
      expect(first.status).toBe(503);
      expect(first.body.details.dynamodb!.message).toMatch(/ThrottlingException/);
      const sentBefore = other.tap.sent.length;
      const second = await other.get('/health/tables');
      expect(second.status).toBe(503);
      expect(other.tap.sent.slice(sentBefore)).not.toContain('DescribeTableCommand');
    } finally {
      await other.close();
    }
  });

  it('is down when DynamoDB cannot be reached, naming the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const client = new DynamoDBClient({ ...testClientConfig(), endpoint, maxAttempts: 1 });
    const unreachable = await startHealthApp({ tableSetup: 'none', feed: false, tables: { events: tables.events } }, false, client);
    try {
      const { status, body } = await unreachable.get('/health');
      expect(status).toBe(503);
      expect(body.details['event-sourcing']).toMatchObject({
        status: 'down',
        dynamodb: { status: 'down', reachable: false, endpoint },
        message: expect.stringMatching(new RegExp(`^Cannot reach DynamoDB at ${endpoint}: .*ECONNREFUSED`)),
      });
    } finally {
      await unreachable.close();
    }
  });

  it('is down when a projection lags over the threshold: app-wide while it is stopped, and in the instance reading it', async () => {
    await manager.stop('health-ledger');
    await store.append('h-1', deposits('h-1', 1), { expectedVersion: 1 });
    await store.append('h-2', [new AccountOpened('h-2', 'ida')], { expectedVersion: 'no-stream' });
    await store.append('h-2', deposits('h-2', 1), { expectedVersion: 1 });

    // The indexer indexes the commits by itself: wait until the tables show them.
    let app = await main.get('/health/projections?maxLagCommits=2&scope=app');
    await waitUntil('the three commits are indexed', async () => {
      app = await main.get('/health/projections?maxLagCommits=2&scope=app');
      return app.body.details.projections!.projections['health-ledger'].lag?.commits === 3;
    });
    expect(app.status).toBe(503);
    expect(app.body.details.projections).toMatchObject({
      status: 'down',
      lagScope: 'app',
      projections: { 'health-ledger': { state: 'stopped', problem: "lagging: it is 3 commits behind the feed's head, over maxLagCommits 2" } },
    });
    expect(app.body.details['feed-indexer']!.status).toBe('up');
    // This instance does not read it: stopped is up, with a note.
    const instance = await main.get('/health/projections?maxLagCommits=2&scope=instance');
    expect(instance.status).toBe(200);
    expect(instance.body.details.projections!.projections['health-ledger'].note).toMatch(/^not running in this instance/);

    // Reading again (one commit per page), held at the first: its lag as of that read.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    recorder.holdWhen = () => held;
    await manager.start('health-ledger');
    try {
      await waitUntil('the projection is held at the first event of its first page', () => recorder.attempts.includes('h-1@2'));
      const reading = await main.get('/health/projections?maxLagCommits=1&scope=instance');
      expect(reading.status).toBe(503);
      expect(reading.body.details.projections!.projections['health-ledger'].problem).toMatch(/^lagging: it is 2 commits behind/);
    } finally {
      recorder.holdWhen = () => undefined;
      release();
    }
    await waitUntil('the projection caught up', () => recorder.handled.length === 4 && manager.status('health-ledger').lag?.commits === 0);
    expect((await main.get('/health?maxLagCommits=1')).status).toBe(200);
  });

  it('is down while a projection is failing, with its error', async () => {
    recorder.failWhen = (event) => event.streamId === 'h-3';
    await store.append('h-3', [new AccountOpened('h-3', 'bo')], { expectedVersion: 'no-stream' });
    await waitUntil('the projection is failing', () => manager.status('health-ledger').state === 'failing');
    const { status, body } = await main.get('/health');
    expect(status).toBe(503);
    expect(body.details['event-sourcing']).toMatchObject({
      status: 'down',
      dynamodb: { status: 'up' },
      projections: { status: 'down', projections: { 'health-ledger': { state: 'failing', problem: expect.stringContaining('injected failure at h-3@1') } } },
      message: expect.stringMatching(/^Projection "health-ledger" is failing/),
    });
    recorder.failWhen = () => false;
  });
});

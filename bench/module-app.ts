import { Module, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoEventSourcingModule,
  EventStore,
  everyNEvents,
  getAggregateRepositoryToken,
  SnapshotRepository,
  type AggregateRepository,
  type FeedOptions,
  type TableSetup,
} from '../lib/index.js';
import { BenchAccount, SnapshottedBenchAccount } from './bench-account.aggregate.js';
import { BENCH_EVENT_CLASSES } from './events.js';

export interface ModuleApp {
  readonly store: EventStore;
  readonly snapshots: SnapshotRepository;
  /** BenchAccount without snapshots: every load replays the whole stream. */
  readonly accounts: AggregateRepository<BenchAccount>;
  /** The same account with a snapshot every 100 events. */
  readonly snapshottedAccounts: AggregateRepository<SnapshottedBenchAccount>;
  close(): Promise<void>;
}

/** How often the snapshotted account takes a snapshot. */
export const SNAPSHOT_EVERY = 100;

/** The accounts' registered names: their streams are `<name>-<id>`. */
export const ACCOUNT_NAMES = { plain: 'bench_account', snapshotted: 'bench_account_snap' } as const;

/**
 * A Nest application context wired as an application would wire it: CqrsModule plus the module,
 * publishing committed events on the EventBus (the default), snapshots on, and the bench account
 * registered with forFeature. The client is passed in so that the benchmark can meter its
 * requests; the module does not destroy a client it was given.
 */
export async function startModuleApp(client: DynamoDBClient, tables: { events: string; snapshots: string }, feed: FeedOptions | false = {}): Promise<ModuleApp> {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({ client, tableSetup: 'create', tables, snapshots: {}, events: BENCH_EVENT_CLASSES, feed }),
      DynamoEventSourcingModule.forFeature({
        aggregates: [
          { type: BenchAccount, name: ACCOUNT_NAMES.plain },
          { type: SnapshottedBenchAccount, name: ACCOUNT_NAMES.snapshotted, snapshots: { policy: everyNEvents(SNAPSHOT_EVERY) } },
        ],
      }),
    ],
  })
  class BenchModule {}

  // abortOnError: false, or Nest would process.exit(1) silently on a start-up error, skipping the
  // benchmark's clean-up (and leaving DynamoDB Local running).
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'], abortOnError: false });
  return {
    store: app.get(EventStore),
    snapshots: app.get(SnapshotRepository),
    accounts: app.get(getAggregateRepositoryToken(BenchAccount)),
    snapshottedAccounts: app.get(getAggregateRepositoryToken(SnapshottedBenchAccount)),
    close: () => app.close(),
  };
}

/** An app with only the event store (no snapshots, nothing published), on an events table of its own, for the feed workloads. */
export interface FeedApp {
  readonly store: EventStore;
  readonly context: INestApplicationContext;
  close(): Promise<void>;
}

export interface FeedAppOptions {
  /** The module's `feed` option. Default `{}`: the feed on, its indexer in this app (under the lease). */
  readonly feed?: FeedOptions | false;
  /** `@Projection` classes to run in this app, and the projections table they keep their checkpoints in. */
  readonly projections?: { readonly classes: Type[]; readonly table: string };
}

/**
 * The module on one events table, for the feed workloads: the feed reads every commit of its
 * table, so each feed workload has a table of its own. `tableSetup: 'none'` in the child
 * processes that only read a table the parent created.
 */
export async function startFeedApp(client: DynamoDBClient, eventsTable: string, tableSetup: TableSetup, options: FeedAppOptions = {}): Promise<FeedApp> {
  const { projections } = options;
  @Module({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({
        client,
        tableSetup,
        tables: projections === undefined ? { events: eventsTable } : { events: eventsTable, projections: projections.table },
        events: BENCH_EVENT_CLASSES,
        feed: options.feed ?? {},
        publishEvents: false,
      }),
      ...(projections === undefined ? [] : [DynamoEventSourcingModule.forFeature({ projections: projections.classes })]),
    ],
  })
  class FeedBenchModule {}

  const app = await NestFactory.createApplicationContext(FeedBenchModule, { logger: ['error', 'warn'], abortOnError: false });
  return { store: app.get(EventStore), context: app, close: () => app.close() };
}

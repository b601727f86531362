import { Module } from '@nestjs/common';
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
import { DEFAULT_FEED } from '../lib/options/resolve-module-options.js';
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

/** The main app's feed is the module's default (4 shards, 2 s settle window), as an application gets it. */
export const DEFAULT_FEED_SHARDS = DEFAULT_FEED.shards;

/**
 * The feed of the apps on the feed workloads' own tables. Their commits are all written before
 * they are read, and DynamoDB Local updates indexes synchronously, so a short settle window (the
 * high-water mark is now - 100 ms) loses nothing and saves waiting 2 s before each read.
 */
export const BENCH_FEED: Required<FeedOptions> = { shards: 4, settleMs: 100 };

/** The accounts' registered names: their streams are `<name>-<id>`. */
export const ACCOUNT_NAMES = { plain: 'bench_account', snapshotted: 'bench_account_snap' } as const;

/**
 * A Nest application context wired as an application would wire it: CqrsModule plus the module,
 * publishing committed events on the EventBus (the default), snapshots on, and the bench account
 * registered with forFeature. The client is passed in so that the benchmark can meter its
 * requests; the module does not destroy a client it was given.
 */
export async function startModuleApp(client: DynamoDBClient, tables: { events: string; snapshots: string }): Promise<ModuleApp> {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({ client, tableSetup: 'create', tables, snapshots: {}, events: BENCH_EVENT_CLASSES }),
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
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false, abortOnError: false });
  return {
    store: app.get(EventStore),
    snapshots: app.get(SnapshotRepository),
    accounts: app.get(getAggregateRepositoryToken(BenchAccount)),
    snapshottedAccounts: app.get(getAggregateRepositoryToken(SnapshottedBenchAccount)),
    close: () => app.close(),
  };
}

/** An app with only the event store, on its own events table with the {@link BENCH_FEED} feed (no snapshots, nothing published). */
export interface FeedApp {
  readonly store: EventStore;
  close(): Promise<void>;
}

/**
 * The module on one events table, for the feed workloads: the feed reads every commit of its
 * table, so each feed workload has a table of its own. `tableSetup: 'none'` in the child
 * processes that only read a table the parent created.
 */
export async function startFeedApp(client: DynamoDBClient, eventsTable: string, tableSetup: TableSetup): Promise<FeedApp> {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({
        client,
        tableSetup,
        tables: { events: eventsTable },
        events: BENCH_EVENT_CLASSES,
        feed: BENCH_FEED,
        publishEvents: false,
      }),
    ],
  })
  class FeedBenchModule {}

  const app = await NestFactory.createApplicationContext(FeedBenchModule, { logger: false, abortOnError: false });
  return { store: app.get(EventStore), close: () => app.close() };
}

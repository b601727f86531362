import type { DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { TableMismatchError } from '../../errors/table-mismatch.error.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { eventsTableDefinition } from '../../tables/events-table.js';
import { compareTable } from '../../tables/table-provisioner.js';
import { enableStream, hasLegacyFeedIndex, streamStateOf } from '../../tables/table-stream.js';
import { describeTable } from '../../tables/table-wait.js';
import { FeedIndexTable } from '../index/feed-index-table.js';
import { reconcileFeedIndex } from '../indexer/feed-reconciler.js';
import { withIndexerLease } from '../indexer/indexer-lease.js';
import { openCheckpointConversion } from './checkpoint-conversion.js';
import { bisect } from './checkpoint-converter.js';
import { CommitTimes } from './commit-times.js';
import { IndexCommitSource } from './index-commit-source.js';
import { dropLegacyFeedIndex } from './legacy-feed-index.js';
import { readMigrationMarker, recordMigratedThrough } from './migration-marker.js';
import { migrateProjectionCheckpoints, type ProjectionCheckpointsReport } from './projection-checkpoints-migration.js';

export interface FeedMigrationOptions {
  readonly client: DynamoDBClient;
  readonly eventsTable: string;
  readonly projectionsTable: string;
  readonly retry: Required<RetryOptions>;
  /** Delete 0.3's GSI (and its shard-count item) at the end: only once no 0.3 process runs. */
  readonly dropGsi?: boolean;
  readonly streamsClient?: DynamoDBStreamsClient;
  /** Progress, one line at a time. */
  readonly log?: (message: string) => void;
}

/** What `feed migrate` did, as it prints it. */
export interface FeedMigrationReport {
  readonly table: string;
  readonly stream: { readonly arn: string; readonly viewType: string; readonly enabledNow: boolean };
  readonly index: {
    readonly id: string;
    /** False when an app instance's indexer held the lease: it keeps the index complete, and this run did not touch it. */
    readonly reconciled: boolean;
    /** Commits this run added to the index (0 on a run after a complete one). */
    readonly commitsIndexed: number;
    readonly positions?: readonly [first: number, last: number];
    readonly scannedItems: number;
    /** Positions 1 to this are in 0.3's order: the part 0.3 checkpoints convert into exactly. */
    readonly migratedThrough?: number;
  };
  readonly checkpoints: ProjectionCheckpointsReport;
  /** 0.3's GSI `feed`: deleted by this run, kept (no --drop-gsi), or not there. */
  readonly gsi: 'dropped' | 'kept' | 'absent';
}

/**
 * Moves an events table from 0.3's GSI feed to the feed on DynamoDB Streams. Every step is
 * idempotent, so the whole is safe to run again, and safe while 0.3 and 0.4 writers run:
 * 1. enables the table's stream (NEW_IMAGE) if it has none, and waits for it;
 * 2. holding the in-app indexers' lease (or leaving the index to the indexer that holds it), indexes
 *    the commits the feed index lacks, from the table, in 0.3's order (the reconciler), then reads
 *    the stream to its tip so that the indexer goes on from there;
 * 3. when the migration built the index from empty, records on the index's meta item the last
 *    position of the commits made before the stream existed (`migratedThrough`): they are in 0.3's
 *    order, and 0.3 checkpoints convert into them by bisection;
 * 4. converts the 0.3 checkpoints stored in the projections table (conditional writes);
 * 5. with `dropGsi`, deletes 0.3's GSI.
 * @throws TableMismatchError when the table is missing, has other keys, or a stream of a view type the feed cannot read.
 */
export async function migrateFeed(options: FeedMigrationOptions): Promise<FeedMigrationReport> {
  const { client, eventsTable: tableName, retry } = options;
  const log = options.log ?? (() => undefined);
  const definition = eventsTableDefinition(tableName);
  const table = await describeTable(client, tableName);
  if (table === undefined) throw new TableMismatchError(tableName, ['it does not exist (check the table name, prefix, region and endpoint)']);
  const keys = compareTable(eventsTableDefinition(tableName, { feed: false }), table);
  if (keys.length > 0) throw new TableMismatchError(tableName, keys);

  const enabledNow = streamStateOf(definition, table).kind === 'missing';
  if (enabledNow) log(`Enabling the DynamoDB Stream (NEW_IMAGE) of table "${tableName}"...`);
  const streamed = await enableStream(client, definition);

  const index = new FeedIndexTable(client, tableName, retry);
  const reconciled = await underIndexerLease(options, async () => {
    const builtByMigration = await indexBuiltByMigration(index);
    const report = await reconcileFeedIndex({ client, tableName, retry, streamsClient: options.streamsClient, writer: MIGRATION_WRITER, log });
    const marker = await readMigrationMarker(client, tableName, retry);
    if (builtByMigration && marker?.migratedThrough === undefined) {
      const head = await index.head();
      const through = head === undefined ? 0 : await lastPositionBeforeStream(options, streamed, head.lastPosition);
      if (through > 0) await recordMigratedThrough(client, tableName, through, retry);
    }
    return report;
  });

  const conversion = (await openCheckpointConversion(client, tableName, retry))!;
  const checkpoints = await migrateProjectionCheckpoints({ client, tableName: options.projectionsTable, retry, convert: (checkpoint) => conversion.convert(checkpoint), log });

  let gsi: FeedMigrationReport['gsi'] = hasLegacyFeedIndex(table) ? 'kept' : 'absent';
  if (options.dropGsi === true) {
    log('Deleting 0.3\'s global secondary index "feed"...');
    gsi = await dropLegacyFeedIndex(client, tableName, retry);
  }
  return {
    table: tableName,
    stream: { arn: streamed.LatestStreamArn!, viewType: streamed.StreamSpecification!.StreamViewType!, enabledNow },
    index: {
      id: conversion.indexId,
      reconciled: reconciled !== undefined,
      commitsIndexed: reconciled?.indexedCommits ?? 0,
      positions: reconciled?.firstPosition === undefined ? undefined : [reconciled.firstPosition, reconciled.lastPosition!],
      scannedItems: reconciled?.scannedItems ?? 0,
      migratedThrough: conversion.migratedThrough,
    },
    checkpoints,
    gsi,
  };
}

/** The `writer` of the index batches the migration writes. */
export const MIGRATION_WRITER = 'feed migrate';
/** Runs `work` under the indexer lease (see withIndexerLease). */
function underIndexerLease<T>(options: FeedMigrationOptions, work: () => Promise<T>): Promise<T | undefined> {
  return withIndexerLease({ client: options.client, tableName: options.eventsTable, retry: options.retry, log: options.log }, work);
}

/**
 * Whether the index starts with commits this migration took from the table: it is empty (this run
 * builds it), or its first batch was written by an earlier run that stopped before recording
 * `migratedThrough`. Only then is its first part in 0.3's order.
 */
async function indexBuiltByMigration(index: FeedIndexTable): Promise<boolean> {
  const first = await index.batchHolding(1);
  return first === undefined || first.writer === MIGRATION_WRITER;
}

/**
 * How far behind the stream's creation a commit must be for us to take it as written by 0.3 (a 0.4
 * writer starts only once the table has its stream): the clock skew tolerated between the host
 * that enabled the stream and the writers.
 */
export const MAX_CLOCK_SKEW_MS = 60_000;

/**
 * The last position of the index just built from empty that holds a commit made before the
 * stream existed (minus {@link MAX_CLOCK_SKEW_MS}): up to there the index holds 0.3's commits in
 * 0.3's order (the reconciler sorted what it scanned). What follows (commits written while the
 * migration ran, taken from the stream in arrival order, some perhaps by 0.4 writers) is newer:
 * a bisection on commit time over the whole index finds the boundary. 0 when the stream's creation
 * time is unknown: conversions then read the index commit by commit (always right, only slower).
 */
async function lastPositionBeforeStream(options: FeedMigrationOptions, table: TableDescription, lastPosition: number): Promise<number> {
  const created = table.LatestStreamLabel === undefined ? Number.NaN : Date.parse(`${table.LatestStreamLabel.replace(/Z$/, '')}Z`);
  if (!Number.isFinite(created)) return 0;
  const { client, eventsTable, retry } = options;
  const source = new IndexCommitSource(new FeedIndexTable(client, eventsTable, retry), new CommitTimes(client, eventsTable, retry), 0);
  const before = created - MAX_CLOCK_SKEW_MS;
  return (await bisect(source, lastPosition, ({ at }) => ({ kind: at < before ? 'covered' : 'after' }))).position;
}

import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { DEFAULT_RETRY, type RetryOptions } from '../event-store/retry-policy.js';
import type { DynamoEventSourcingModuleOptions } from '../interfaces/dynamo-event-sourcing-module-options.interface.js';
import type { EventRegistration } from '../serialization/event-type-registry.js';
import type { FeedIndexerOptions, FeedOptions } from '../feed/interfaces/feed-options.interface.js';
import type { BoundaryCacheOptions } from '../event-store/interfaces/boundary-cache-options.interface.js';
import type { ProjectionsModuleOptions } from '../projections/interfaces/projections-module-options.interface.js';
import type { SnapshotOptions } from '../snapshots/interfaces/snapshot-options.interface.js';
import { TABLE_SETUPS, type TableSetup } from '../tables/table-setup.js';
import type { TelemetryOptions } from '../telemetry/interfaces/telemetry-options.interface.js';
import { describeValue } from '../errors/describe-value.js';
import type { LifecycleOptions } from '../lifecycle/interfaces/lifecycle-options.interface.js';
import { writeWindowMs } from '../event-store/append-positions.js';
import { describeArgument, isArraySafely, isRevokedProxy } from '../event-store/argument-shape.js';
import { resolvePersonalDataOptions, type ResolvedPersonalDataOptions } from '../personal-data/resolve-personal-data-options.js';

/** The module's options, checked, with defaults filled in. */
export interface ResolvedModuleOptions {
  client?: DynamoDBClient;
  clientConfig: DynamoDBClientConfig;
  eventsTable: string;
  tableSetup: TableSetup;
  events: EventRegistration[];
  retry: Required<RetryOptions>;
  publishEvents: boolean;
  /** The snapshots table's full name (prefix included); set up only when `snapshots` is. */
  snapshotsTable: string;
  /** Undefined when snapshots are off. */
  snapshots?: ResolvedSnapshotOptions;
  /** `trustMs: 0` (and `verifyEveryAppend`) with `boundaryCache: false`. */
  boundaryCache: ResolvedBoundaryCacheOptions;
  /** Undefined when the feed is off (`feed: false`). */
  feed?: ResolvedFeedOptions;
  /** The projections table's full name (prefix included); set up only when projections are registered. */
  projectionsTable: string;
  projections: Required<ProjectionsModuleOptions>;
  /** `false`: record nothing; otherwise the providers to use (the global ones when not given). */
  telemetry: TelemetryOptions | false;
  lifecycle: Required<LifecycleOptions>;
  /** Crypto-shredding; undefined when off. */
  personalData?: ResolvedPersonalDataOptions;
}

/** The `feed` option, checked. */
export interface ResolvedFeedOptions {
  /** The in-app indexer's settings; undefined with `indexer: false` (it runs elsewhere). */
  readonly indexer?: Required<FeedIndexerOptions>;
  /** Options of 0.3's GSI feed that were given and are ignored now (`shards`, `settleMs`): logged at start-up. */
  readonly ignored: readonly string[];
}

export const DEFAULT_FEED_INDEXER: Required<FeedIndexerOptions> = { pollIntervalMs: 200, leaseTtlMs: 10_000, maxStreams: 100_000 };
/** 0.3's options of the GSI feed: accepted (so that 0.3 configurations start), ignored, and warned about. */
const RETIRED_FEED_OPTIONS = ['shards', 'settleMs'];

export const DEFAULT_BOUNDARY_CACHE: Required<BoundaryCacheOptions> = { trustMs: 5_000, maxStreams: 10_000 };

/** The `boundaryCache` option, checked. */
export interface ResolvedBoundaryCacheOptions extends Required<BoundaryCacheOptions> {
  /** `boundaryCache: false`: every append reads the stream's head first, `NO_STREAM` ones too. */
  readonly verifyEveryAppend: boolean;
}

/** The `snapshots` option, checked. Undefined settings mean "off". */
export interface ResolvedSnapshotOptions {
  keep?: number;
  ttlSeconds?: number;
}

const KNOWN_OPTIONS = ['client', 'clientConfig', 'tablePrefix', 'tables', 'tableSetup', 'events', 'retry', 'publishEvents', 'snapshots', 'feed', 'projections', 'boundaryCache', 'telemetry', 'lifecycle', 'personalData'];
const KNOWN_TABLES = ['events', 'snapshots', 'projections'];
const SNAPSHOT_OPTIONS = ['keep', 'ttlSeconds'];
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

/** An object option: not null, an array or a revoked Proxy (which would throw the engine's TypeError on first use). */
const isObjectOption = <T>(value: T): value is T & object =>
  value !== null && typeof value === 'object' && !isRevokedProxy(value) && !Array.isArray(value);

/** Validates options at start-up so that a typo fails fast with the option's name, not at the first append. */
export function resolveModuleOptions(options: DynamoEventSourcingModuleOptions | undefined): ResolvedModuleOptions {
  if (!isObjectOption(options)) {
    throw new InvalidModuleOptionsError('(options)', `must be an object; got ${describeArgument(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new InvalidModuleOptionsError(key, `is not an option. Known options: ${KNOWN_OPTIONS.join(', ')}.`);
    }
  }
  const {
    client,
    clientConfig = {},
    tablePrefix = '',
    tables = {},
    tableSetup = 'verify',
    events = [],
    retry = {},
    publishEvents = true,
    snapshots,
    feed = {},
    projections = {},
    boundaryCache = {},
    telemetry = {},
    lifecycle = {},
    personalData,
  } = options;

  if (client !== undefined && (!isObjectOption(client) || typeof client.send !== 'function')) {
    throw new InvalidModuleOptionsError('client', `must be a DynamoDBClient from @aws-sdk/client-dynamodb; got ${describeArgument(client)}.`);
  }
  if (!isObjectOption(clientConfig)) {
    throw new InvalidModuleOptionsError('clientConfig', `must be a DynamoDBClientConfig object; got ${describeArgument(clientConfig)}.`);
  }
  if (typeof tablePrefix !== 'string') throw new InvalidModuleOptionsError('tablePrefix', 'must be a string.');
  if (!isObjectOption(tables)) throw new InvalidModuleOptionsError('tables', `must be an object such as { events: "events" }; got ${describeArgument(tables)}.`);
  for (const key of Object.keys(tables)) {
    if (!KNOWN_TABLES.includes(key)) {
      throw new InvalidModuleOptionsError(`tables.${key}`, `is not a table of this module. Known tables: ${KNOWN_TABLES.join(', ')}.`);
    }
    // Not left to string concatenation: ['ledger'] or 12345 would pass as a table name.
    const name: unknown = (tables as Record<string, unknown>)[key];
    if (name !== undefined && typeof name !== 'string') {
      throw new InvalidModuleOptionsError(`tables.${key}`, `must be a table name (a string); got ${describeArgument(name)}.`);
    }
  }
  const eventsTable = tableName(tablePrefix, tables, 'events');
  const snapshotsTable = tableName(tablePrefix, tables, 'snapshots');
  if (snapshots !== undefined && snapshotsTable === eventsTable) {
    throw new InvalidModuleOptionsError('tables.snapshots', `names the events table ("${eventsTable}"); snapshots need a table of their own.`);
  }
  if (tables.snapshots !== undefined && snapshots === undefined) {
    // Naming a table for a feature that is off is most likely a forgotten `snapshots` option.
    throw new InvalidModuleOptionsError('tables.snapshots', 'is set, but snapshots are off: add `snapshots: {}` to turn them on.');
  }
  // Whether it collides with another table matters only in apps with projections: checked when they start.
  const projectionsTable = tableName(tablePrefix, tables, 'projections');
  if (!TABLE_SETUPS.includes(tableSetup)) {
    throw new InvalidModuleOptionsError('tableSetup', `must be one of ${TABLE_SETUPS.map((s) => `'${s}'`).join(', ')}; got ${describeValue(tableSetup)}.`);
  }
  if (!isArraySafely(events)) throw new InvalidModuleOptionsError('events', `must be an array of event classes; got ${describeArgument(events)}.`);
  if (typeof publishEvents !== 'boolean') throw new InvalidModuleOptionsError('publishEvents', `must be true or false; got ${describeValue(publishEvents)}.`);
  const resolvedCache = resolveBoundaryCache(boundaryCache);
  return {
    client,
    clientConfig,
    eventsTable,
    tableSetup,
    events,
    retry: resolveRetry(retry),
    publishEvents,
    snapshotsTable,
    snapshots: snapshots === undefined ? undefined : resolveSnapshots(snapshots),
    feed: feed === false ? undefined : resolveFeed(feed),
    boundaryCache: resolvedCache,
    lifecycle: resolveLifecycle(lifecycle, resolvedCache.trustMs),
    projectionsTable,
    projections: resolveProjections(projections),
    telemetry: resolveTelemetry(telemetry),
    personalData: personalData === undefined ? undefined : resolvePersonalDataOptions(personalData, tablePrefix, [eventsTable, snapshotsTable, projectionsTable]),
  };
}

const TELEMETRY_PROVIDERS = { tracerProvider: 'getTracer', meterProvider: 'getMeter' } as const;

function resolveTelemetry(telemetry: TelemetryOptions | false): TelemetryOptions | false {
  if (telemetry === false) return false;
  if (!isObjectOption(telemetry)) {
    throw new InvalidModuleOptionsError('telemetry', `must be an object such as { tracerProvider, meterProvider } ({} for OpenTelemetry's global providers), or false to record nothing; got ${describeArgument(telemetry)}.`);
  }
  for (const key of Object.keys(telemetry)) {
    if (!(key in TELEMETRY_PROVIDERS)) {
      throw new InvalidModuleOptionsError(`telemetry.${key}`, `is not a telemetry option. Known: ${Object.keys(TELEMETRY_PROVIDERS).join(', ')}.`);
    }
  }
  // Each read once: what was checked is what is used.
  const { tracerProvider, meterProvider } = telemetry;
  const checked = { tracerProvider, meterProvider };
  for (const [key, method] of Object.entries(TELEMETRY_PROVIDERS)) {
    const provider: unknown = checked[key as keyof typeof checked];
    if (provider !== undefined && (!isObjectOption(provider) || typeof (provider as Record<string, unknown>)[method] !== 'function')) {
      throw new InvalidModuleOptionsError(`telemetry.${key}`, `must be an OpenTelemetry ${key === 'tracerProvider' ? 'TracerProvider' : 'MeterProvider'} (with ${method}()); got ${describeArgument(provider)}.`);
    }
  }
  return checked;
}

function resolveProjections(projections: ProjectionsModuleOptions): Required<ProjectionsModuleOptions> {
  if (!isObjectOption(projections)) {
    throw new InvalidModuleOptionsError('projections', 'must be an object such as { autoStart: false } ({} for the defaults).');
  }
  for (const key of Object.keys(projections)) {
    if (key !== 'autoStart') throw new InvalidModuleOptionsError(`projections.${key}`, 'is not a projections option. Known: autoStart.');
  }
  const { autoStart = true } = projections;
  if (typeof autoStart !== 'boolean') throw new InvalidModuleOptionsError('projections.autoStart', `must be true or false; got ${describeValue(autoStart)}.`);
  return { autoStart };
}

function resolveBoundaryCache(cache: BoundaryCacheOptions | false): ResolvedBoundaryCacheOptions {
  if (cache === false) return { trustMs: 0, maxStreams: 0, verifyEveryAppend: true };
  if (!isObjectOption(cache)) {
    throw new InvalidModuleOptionsError('boundaryCache', 'must be an object such as { trustMs: 5000 } ({} for the defaults), or false to read the head before every append.');
  }
  for (const key of Object.keys(cache)) {
    if (!(key in DEFAULT_BOUNDARY_CACHE)) {
      throw new InvalidModuleOptionsError(`boundaryCache.${key}`, `is not a boundary cache option. Known: ${Object.keys(DEFAULT_BOUNDARY_CACHE).join(', ')}.`);
    }
  }
  const { trustMs = DEFAULT_BOUNDARY_CACHE.trustMs, maxStreams = DEFAULT_BOUNDARY_CACHE.maxStreams } = cache;
  if (!Number.isSafeInteger(trustMs) || trustMs < 0) {
    throw new InvalidModuleOptionsError('boundaryCache.trustMs', `must be a whole number of milliseconds >= 0; got ${describeValue(trustMs)}.`);
  }
  if (!Number.isSafeInteger(maxStreams) || maxStreams < 0) {
    throw new InvalidModuleOptionsError('boundaryCache.maxStreams', `must be a whole number >= 0; got ${describeValue(maxStreams)}.`);
  }
  return { trustMs, maxStreams, verifyEveryAppend: false };
}

/** Added to `trustMs` for the default purge fence: covers a request in flight and clock rates. */
const PURGE_FENCE_MARGIN_MS = 5_000;

function resolveLifecycle(lifecycle: LifecycleOptions, trustMs: number): Required<LifecycleOptions> {
  if (!isObjectOption(lifecycle)) throw new InvalidModuleOptionsError('lifecycle', 'must be an object such as { purgeFenceMs: 10000 } ({} for the defaults).');
  for (const key of Object.keys(lifecycle)) {
    if (key !== 'purgeFenceMs' && key !== 'clock') throw new InvalidModuleOptionsError(`lifecycle.${key}`, 'is not a lifecycle option. Known: purgeFenceMs, clock.');
  }
  // Date.now looked up at each call (not taken once): a test that replaces Date.now changes commit times too.
  const { purgeFenceMs = trustMs + PURGE_FENCE_MARGIN_MS, clock = () => Date.now() } = lifecycle;
  const shortest = writeWindowMs(trustMs);
  if (!Number.isSafeInteger(purgeFenceMs) || purgeFenceMs < shortest) {
    throw new InvalidModuleOptionsError(
      'lifecycle.purgeFenceMs',
      `must be a whole number of milliseconds >= ${shortest} (boundaryCache.trustMs, at least 500): a shorter fence would let an append relying on what it read earlier land among deleted items; got ${describeValue(purgeFenceMs)}.`,
    );
  }
  if (typeof clock !== 'function') throw new InvalidModuleOptionsError('lifecycle.clock', `must be a function returning Unix milliseconds; got ${describeArgument(clock)}.`);
  return { purgeFenceMs, clock };
}

function resolveFeed(feed: FeedOptions): ResolvedFeedOptions {
  if (!isObjectOption(feed)) {
    throw new InvalidModuleOptionsError('feed', 'must be an object such as { indexer: { pollIntervalMs: 200 } } ({} for the defaults), or false to turn the feed off.');
  }
  const ignored: string[] = [];
  for (const key of Object.keys(feed)) {
    if (RETIRED_FEED_OPTIONS.includes(key)) ignored.push(key);
    else if (key !== 'indexer') throw new InvalidModuleOptionsError(`feed.${key}`, 'is not a feed option. Known: indexer.');
  }
  const { indexer = {} } = feed;
  if (indexer === false) return { ignored };
  if (!isObjectOption(indexer)) {
    throw new InvalidModuleOptionsError('feed.indexer', 'must be an object such as { pollIntervalMs: 200 } ({} for the defaults), or false when the indexer runs elsewhere (a Lambda function).');
  }
  for (const key of Object.keys(indexer)) {
    if (!(key in DEFAULT_FEED_INDEXER)) {
      throw new InvalidModuleOptionsError(`feed.indexer.${key}`, `is not an indexer option. Known: ${Object.keys(DEFAULT_FEED_INDEXER).join(', ')}.`);
    }
  }
  const { pollIntervalMs = DEFAULT_FEED_INDEXER.pollIntervalMs, leaseTtlMs = DEFAULT_FEED_INDEXER.leaseTtlMs, maxStreams = DEFAULT_FEED_INDEXER.maxStreams } = indexer;
  // Below 50 ms a shard is read more often than DynamoDB Streams allows (about 5 reads per second per shard, with room for a second reader).
  if (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 50 || pollIntervalMs > 60_000) {
    throw new InvalidModuleOptionsError('feed.indexer.pollIntervalMs', `must be a whole number of milliseconds from 50 to 60000; got ${describeValue(pollIntervalMs)}.`);
  }
  if (!Number.isInteger(leaseTtlMs) || leaseTtlMs < 1_000 || leaseTtlMs > 3_600_000) {
    throw new InvalidModuleOptionsError('feed.indexer.leaseTtlMs', `must be a whole number of milliseconds from 1000 to 3600000; got ${describeValue(leaseTtlMs)}.`);
  }
  if (!Number.isSafeInteger(maxStreams) || maxStreams < 1) {
    throw new InvalidModuleOptionsError('feed.indexer.maxStreams', `must be a whole number >= 1; got ${describeValue(maxStreams)}.`);
  }
  return { indexer: { pollIntervalMs, leaseTtlMs, maxStreams }, ignored };
}

function tableName(prefix: string, tables: Record<string, string | undefined>, table: string): string {
  const name = prefix + (tables[table] ?? table);
  if (!TABLE_NAME.test(name)) {
    throw new InvalidModuleOptionsError(
      tables[table] === undefined ? 'tablePrefix' : `tables.${table}`,
      `gives the table name "${name}", which DynamoDB does not allow (3 to 255 of a-z, A-Z, 0-9, _ . -).`,
    );
  }
  return name;
}

function resolveSnapshots(snapshots: SnapshotOptions): ResolvedSnapshotOptions {
  if (!isObjectOption(snapshots)) {
    throw new InvalidModuleOptionsError('snapshots', 'must be an object such as { keep: 3 } ({} for the defaults).');
  }
  for (const key of Object.keys(snapshots)) {
    if (!SNAPSHOT_OPTIONS.includes(key)) {
      throw new InvalidModuleOptionsError(`snapshots.${key}`, `is not a snapshot option. Known: ${SNAPSHOT_OPTIONS.join(', ')}.`);
    }
  }
  const { keep, ttlSeconds } = snapshots;
  if (keep !== undefined && (!Number.isSafeInteger(keep) || keep < 1)) {
    throw new InvalidModuleOptionsError('snapshots.keep', `must be a whole number >= 1 (snapshots kept per stream); got ${describeValue(keep)}.`);
  }
  if (ttlSeconds !== undefined && (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1)) {
    throw new InvalidModuleOptionsError('snapshots.ttlSeconds', `must be a whole number of seconds >= 1; got ${describeValue(ttlSeconds)}.`);
  }
  return { keep, ttlSeconds };
}

function resolveRetry(retry: RetryOptions): Required<RetryOptions> {
  if (!isObjectOption(retry)) throw new InvalidModuleOptionsError('retry', `must be an object such as { maxAttempts: 8 }; got ${describeArgument(retry)}.`);
  const resolved = { ...DEFAULT_RETRY };
  for (const [key, value] of Object.entries(retry)) {
    if (!(key in DEFAULT_RETRY)) {
      throw new InvalidModuleOptionsError(`retry.${key}`, `is not a retry option. Known: ${Object.keys(DEFAULT_RETRY).join(', ')}.`);
    }
    if (value !== undefined) resolved[key as keyof RetryOptions] = value as number;
  }
  const { maxAttempts, baseDelayMs, maxDelayMs } = resolved;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    throw new InvalidModuleOptionsError('retry.maxAttempts', `must be a whole number from 1 to 100; got ${describeValue(maxAttempts)}.`);
  }
  if (!Number.isFinite(baseDelayMs) || baseDelayMs < 0) {
    throw new InvalidModuleOptionsError('retry.baseDelayMs', `must be a number >= 0; got ${describeValue(baseDelayMs)}.`);
  }
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < baseDelayMs) {
    throw new InvalidModuleOptionsError('retry.maxDelayMs', `must be a number >= retry.baseDelayMs (${baseDelayMs}); got ${describeValue(maxDelayMs)}.`);
  }
  return resolved;
}

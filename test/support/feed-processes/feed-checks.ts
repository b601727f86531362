import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { DynamoEventSourcingModule, EventStore, FEED_START, type FeedEvent } from '../../../lib/index.js';
import { DEFAULT_RETRY } from '../../../lib/event-store/retry-policy.js';
import { FeedIndexTable } from '../../../lib/feed/index/feed-index-table.js';
import { latestStreamArn } from '../../../lib/feed/indexer/latest-stream-arn.js';
import { EventItemAttribute as A } from '../../../lib/tables/events-table.js';
import { deleteTables, testClientConfig, uniqueTableName } from '../dynamodb.js';
import { TEST_EVENTS } from '../events.js';
import { indexedCommits } from '../raw-commits.js';
import type { Ack, FeedTables, Handled } from './feed-messages.js';

export const feedTables = (label: string): FeedTables => ({ events: uniqueTableName(`${label}-ev`), projections: uniqueTableName(`${label}-pr`) });

/** The test's own app instance: it creates the tables (the events table with its stream) and reads the feed; it does not index. */
export interface ParentApp {
  readonly module: TestingModule;
  readonly store: EventStore;
  readonly client: DynamoDBClient;
  /** The index's last position (0 while empty), read strongly consistent. */
  indexHead(): Promise<number>;
  close(): Promise<void>;
}

export async function createParentApp(tables: FeedTables): Promise<ParentApp> {
  const client = new DynamoDBClient({ ...testClientConfig(), maxAttempts: 8 });
  const module = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({ client, tableSetup: 'create', events: TEST_EVENTS, feed: { indexer: false }, tables: { events: tables.events, projections: tables.projections } }),
    ],
  }).compile();
  await module.init();
  const index = new FeedIndexTable(client, tables.events, DEFAULT_RETRY);
  return {
    module,
    store: module.get(EventStore),
    client,
    indexHead: async () => (await index.head())?.lastPosition ?? 0,
    async close() {
      await module.close();
      client.destroy();
      await deleteTables(tables.events, tables.projections);
    },
  };
}

/** Every event of `replayAll$` from FEED_START, as `[streamId, version, checkpoint]`. */
export function replayEverything(store: EventStore, pageSize = 1000): Promise<Array<readonly [string, number, string]>> {
  return new Promise((resolve, reject) => {
    const events: Array<readonly [string, number, string]> = [];
    store.replayAll$({ from: FEED_START, pageSize }).subscribe({
      next: (event: FeedEvent) => events.push([event.streamId, event.version, event.checkpoint]),
      error: reject,
      complete: () => resolve(events),
    });
  });
}

/**
 * What is wrong with a sequence of delivered events against the streams' expected last versions:
 * per stream, versions 1..last with nothing missing and nothing out of order; `exactly-once` also
 * counts a repeat as a problem, `at-least-once` allows repeats of events already delivered (a
 * redelivery after a restart), but never an event ahead of the next one due. Empty when right.
 */
export function deliveryProblems(delivered: Iterable<readonly [string, number, ...unknown[]]>, expected: ReadonlyMap<string, number>, mode: 'exactly-once' | 'at-least-once'): string[] {
  const problems: string[] = [];
  const reached = new Map<string, number>();
  let repeats = 0;
  for (const [streamId, version] of delivered) {
    const last = reached.get(streamId) ?? 0;
    if (version === last + 1) reached.set(streamId, version);
    else if (version <= last) {
      repeats++;
      if (mode === 'exactly-once') problems.push(`${streamId}@${version} delivered again (after ${streamId}@${last})`);
    } else {
      problems.push(`${streamId}@${version} delivered after ${streamId}@${last}: ${last + 1}-${version - 1} skipped or out of order`);
      reached.set(streamId, version); // one problem per hole, not one per event after it
    }
  }
  for (const [streamId, last] of expected) {
    const got = reached.get(streamId) ?? 0;
    if (got !== last) problems.push(`${streamId}: delivered up to version ${got}, the table holds ${last}`);
  }
  for (const streamId of reached.keys()) if (!expected.has(streamId)) problems.push(`${streamId}: delivered, but no writer wrote it`);
  return problems.length > 20 ? [...problems.slice(0, 20), `... and ${problems.length - 20} more`] : problems;
}

/** Each stream's last version, from the writers' acknowledgements. */
export function lastVersions(acks: Iterable<Ack>): Map<string, number> {
  const last = new Map<string, number>();
  for (const ack of acks) last.set(ack.streamId, Math.max(last.get(ack.streamId) ?? 0, ack.commitEnd));
  return last;
}

/** What a follower process handled, in order, as its messages come. */
export class HandledLog {
  readonly events: Handled[] = [];
  private readonly highest = new Map<string, number>();

  add(events: readonly Handled[]): void {
    for (const event of events) {
      this.events.push(event);
      this.highest.set(event[0], Math.max(this.highest.get(event[0]) ?? 0, event[1]));
    }
  }

  /** How many different events it handled. */
  distinct(): number {
    return new Set(this.events.map(([streamId, version]) => `${streamId}@${version}`)).size;
  }

  /** Whether it handled each stream's last event (the earlier ones are checked by deliveryProblems). */
  reached(expected: ReadonlyMap<string, number>): boolean {
    for (const [streamId, last] of expected) if ((this.highest.get(streamId) ?? 0) < last) return false;
    return true;
  }
}

/** Percentiles of a set of durations in ms. */
export function percentiles(values: readonly number[]): { count: number; p50: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: Math.round(sorted.at(-1) ?? NaN) };
}

/**
 * From acknowledgement (in the writer) to the first call of a handler with the commit's first event
 * (in the follower), per commit, in ms by the machine's clock: for the test output only.
 */
export function deliveryLatencies(acks: Iterable<Ack>, handled: Iterable<Handled>): number[] {
  const firstHandled = new Map<string, number>();
  for (const [streamId, version, at] of handled) {
    const key = `${streamId}@${version}`;
    if (!firstHandled.has(key)) firstHandled.set(key, at);
  }
  const latencies: number[] = [];
  for (const ack of acks) {
    const at = firstHandled.get(`${ack.streamId}@${ack.version}`);
    if (at !== undefined) latencies.push(at - ack.ackAt);
  }
  return latencies;
}

/**
 * Split commits of the table (several items, `commitLastVersion` set) whose index entry does not
 * name exactly their items (`slices`: the first versions of the items after the first), and how
 * many split commits the table holds.
 */
export async function splitCommitProblems(client: DynamoDBClient, tableName: string): Promise<{ splitCommits: number; problems: string[] }> {
  const items = new Map<string, number[]>(); // `${streamId} ${commitId}` → item versions
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start, ProjectionExpression: '#s, #v, #c, #l', ExpressionAttributeNames: { '#s': A.streamId, '#v': A.version, '#c': A.commitId, '#l': A.commitLastVersion } }));
    for (const item of page.Items ?? []) {
      if (item[A.commitLastVersion] === undefined) continue;
      const key = `${item[A.streamId]!.S} ${item[A.commitId]!.S}`;
      items.set(key, [...(items.get(key) ?? []), Number(item[A.version]!.N)]);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const indexed = new Map((await indexedCommits(client, tableName)).map((commit) => [`${commit.streamId}@${commit.version}`, commit]));
  const problems: string[] = [];
  for (const [key, versions] of items) {
    versions.sort((a, b) => a - b);
    const streamId = key.split(' ')[0]!;
    const commit = indexed.get(`${streamId}@${versions[0]}`);
    const slices = JSON.stringify(commit?.slices ?? []);
    if (slices !== JSON.stringify(versions.slice(1))) problems.push(`${streamId}@${versions[0]}: items at ${versions.join(', ')}, index slices ${commit === undefined ? '(not indexed)' : slices}`);
  }
  return { splitCommits: items.size, problems };
}

/** Calls `read` at most every `ms` (a condition checked on every child message would read the table far too often). */
export function throttled<T>(read: () => Promise<T>, ms: number, initial: T): () => Promise<T> {
  let last = initial;
  let at = 0;
  return async () => {
    if (Date.now() - at < ms) return last;
    at = Date.now();
    last = await read();
    return last;
  };
}

/** How many shards the table's DynamoDB Stream has had (open and closed; DynamoDB Local keeps one). */
export async function streamShards(client: DynamoDBClient, tableName: string): Promise<number> {
  const stream = await latestStreamArn(client, tableName);
  if (stream === undefined) throw new Error(`${tableName} has no stream`);
  const streams = new DynamoDBStreamsClient(testClientConfig());
  try {
    let shards = 0;
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: stream.streamArn, ExclusiveStartShardId: start }));
      shards += StreamDescription?.Shards?.length ?? 0;
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start !== undefined);
    return shards;
  } finally {
    streams.destroy();
  }
}

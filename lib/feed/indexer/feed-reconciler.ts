import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { commitEnd, decodeItemHeader, type EventItemHeader } from '../../event-store/event-item.codec.js';
import { EventStreamTable } from '../../event-store/event-stream-table.js';
import { RESERVED_STREAM_PREFIX } from '../../event-store/input-validation.js';
import { withRetries } from '../../event-store/request-retry.js';
import { sleep, type RetryOptions } from '../../event-store/retry-policy.js';
import { isPurgeStub, STREAM_METADATA_VERSION } from '../../lifecycle/stream-metadata-item.codec.js';
import { EventItemAttribute as E } from '../../tables/events-table.js';
import { FeedIndexTable } from '../index/feed-index-table.js';
import type { IndexedCommit } from '../index/indexed-commit.js';
import type { IndexerCheckpoint } from '../index/indexer-checkpoint.js';
import { CommitResolver } from './commit-resolver.js';
import { FeedIngester } from './feed-ingester.js';
import { StreamHeads } from './stream-heads.js';
import { StreamShardReader } from './stream-shard-reader.js';
import { streamsClientFor } from './streams-client.js';
import { latestStreamArn } from './latest-stream-arn.js';
import { FeedStreamMissingError } from '../../errors/feed-stream-missing.error.js';
import { StreamIntegrityError } from '../../errors/stream-integrity.error.js';
import type { Telemetry } from '../../telemetry/telemetry.js';

export interface ReconcileOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly retry: Required<RetryOptions>;
  /** A DynamoDB Streams client; by default one with the DynamoDB client's config. */
  readonly streamsClient?: DynamoDBStreamsClient;
  readonly writer?: string;
  readonly log?: (message: string) => void;
  /** Called after each batch the reconciliation writes (wakes feed readers of this process). */
  readonly onIndexed?: () => void;
  /** A span per batch written (default none). */
  readonly telemetry?: Telemetry;
}

export interface ReconcileReport {
  /** Commits the reconciliation added to the index (from the table, then from the stream). */
  readonly indexedCommits: number;
  readonly scannedItems: number;
  /** Streams the index knew before the reconciliation. */
  readonly streams: number;
  readonly firstPosition?: number;
  readonly lastPosition?: number;
  readonly streamArn: string;
}

/**
 * Streams deliver a record some time after its write (tens of milliseconds, measured; AWS says
 * "near-real time"): the last read of the stream goes on at least this long after the scan, so that
 * records of commits the scan indexed are read (and dropped) here rather than by the indexer.
 */
const STREAM_DELAY_MS = 2_000;
const IDLE_POLL_MS = 100;

/**
 * Rebuilds what the feed index is missing from the events table itself: after records were lost
 * (the indexer was down longer than the stream keeps them, or a shard was trimmed before it was
 * read), and to build the index of a table written before the feed existed (0.3).
 *
 * 1. Reads the whole index: each stream's last indexed version (kept for every stream, in memory).
 * 2. Reads the stream from its oldest record to its newest, only to learn the shard positions P.
 * 3. Scans the table (strongly consistent) for commits newer than the index holds, and appends them
 *    in commit-time order (0.3's feed order; each stream in version order), checkpoint P.
 * 4. Reads the stream from P on, indexing what is new and dropping what step 3 indexed, until it
 *    is at the newest record and `STREAM_DELAY_MS` past the scan; saves that checkpoint.
 * Batches written during 2-4 are marked `reconciling`: an indexer that finds the mark on the index
 * head (this run died) runs the reconciliation again, which is idempotent.
 */
export async function reconcileFeedIndex(options: ReconcileOptions): Promise<ReconcileReport> {
  const { client, tableName, retry } = options;
  const log = options.log ?? (() => undefined);
  const stream = await latestStreamArn(client, tableName);
  if (stream === undefined) throw new FeedStreamMissingError(tableName);
  const streamsClient = options.streamsClient ?? streamsClientFor(client);
  const index = new FeedIndexTable(client, tableName, retry);
  const events = new EventStreamTable(client, tableName, retry);
  const heads = new StreamHeads(Number.MAX_SAFE_INTEGER);
  const ingester = new FeedIngester({ index, events, heads, retry, writer: options.writer ?? 'reconciler', telemetry: options.telemetry });
  await index.ensureMeta();

  await ingester.warmUp(Number.MAX_SAFE_INTEGER);
  heads.markComplete();
  const streams = heads.size;
  const before = ingester.lastPosition;
  log(`Feed reconciliation: the index holds ${before} commits of ${streams} streams.`);

  const reader = new StreamShardReader(streamsClient, stream.streamArn, retry);
  let shards: Record<string, string> = {};
  for (;;) {
    const poll = await reader.poll({ streamArn: stream.streamArn, shards });
    shards = poll.shards;
    if (poll.atTip) break;
  }

  const scan = await scanNewCommits(client, tableName, retry, heads, new CommitResolver(events, retry), log);
  const scannedAt = Date.now();
  log(`Feed reconciliation: scanned ${scan.scannedItems} items, ${scan.commits.length} commits to index.`);
  if ((await ingester.appendCommits(scan.commits, { streamArn: stream.streamArn, shards, reconciling: true })).length > 0) options.onIndexed?.();

  let checkpoint: IndexerCheckpoint = { streamArn: stream.streamArn, shards };
  for (;;) {
    const poll = await reader.poll(checkpoint);
    let taken = poll.records.length;
    if (poll.records.length > 0) {
      const result = await ingester.ingest(poll.records, { reached: poll.shards, streamArn: stream.streamArn, onRaceLost: 'throw', reconciling: true });
      taken = result.taken.size;
      if (result.batches.length > 0) options.onIndexed?.();
      if (taken < poll.records.length) reader.reset();
    }
    checkpoint = taken < poll.records.length ? ingester.checkpoint! : { ...ingester.checkpoint, streamArn: stream.streamArn, shards: poll.shards };
    if (poll.atTip && Date.now() >= scannedAt + STREAM_DELAY_MS) break;
    if (poll.atTip) await sleep(IDLE_POLL_MS);
  }
  const { reconciling: _done, ...final } = checkpoint;
  await ingester.saveCheckpoint(final);
  const indexedCommits = ingester.lastPosition - before;
  log(`Feed reconciliation: done, ${indexedCommits} commits indexed (positions ${before + 1}-${ingester.lastPosition}).`);
  if (options.streamsClient === undefined) streamsClient.destroy();
  return {
    indexedCommits,
    scannedItems: scan.scannedItems,
    streams,
    firstPosition: indexedCommits > 0 ? before + 1 : undefined,
    lastPosition: indexedCommits > 0 ? ingester.lastPosition : undefined,
    streamArn: stream.streamArn,
  };
}

const HEADER_NAMES = { '#s': E.streamId, '#v': E.version, '#l': E.lastVersion, '#c': E.commitId, '#a': E.committedAt, '#cl': E.commitLastVersion };

/** The commits the index does not hold yet, in commit-time order (each stream in version order). */
async function scanNewCommits(
  client: DynamoDBClient,
  tableName: string,
  retry: Required<RetryOptions>,
  heads: StreamHeads,
  resolver: CommitResolver,
  log: (message: string) => void,
): Promise<{ commits: IndexedCommit[]; scannedItems: number }> {
  const newItems = new Map<string, EventItemHeader[]>();
  let scannedItems = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await withRetries({ operation: `Scan of table "${tableName}"`, retry, kind: 'read', advice: 'Nothing was written; run the reconciliation again.' }, () =>
      client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ProjectionExpression: '#s, #v, #l, #c, #a, #cl', ExpressionAttributeNames: HEADER_NAMES, ExclusiveStartKey: start })),
    );
    for (const raw of page.Items ?? []) {
      const streamId = raw[E.streamId]?.S;
      if (streamId === undefined || streamId.startsWith(RESERVED_STREAM_PREFIX) || raw[E.commitId] === undefined) continue;
      // A stream's metadata item (sort key 0) is never a commit; a purge stub stands for purged commits, which are not indexed.
      if (raw[E.version]?.N === String(STREAM_METADATA_VERSION)) continue;
      scannedItems++;
      const item = decodeItemHeader(raw);
      if (isPurgeStub(item)) continue;
      if (commitEnd(item) <= (heads.get(streamId) ?? 0)) continue;
      const list = newItems.get(streamId);
      if (list === undefined) newItems.set(streamId, [item]);
      else list.push(item);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);

  const commits: Array<{ commit: IndexedCommit; at: number }> = [];
  for (const [streamId, items] of newItems) {
    items.sort((a, b) => a.version - b.version);
    const from = (heads.get(streamId) ?? 0) + 1;
    const through = Math.max(...items.map(commitEnd));
    // The table is the truth here: read the stream's new part as commits (complete, checked for gaps and overlaps).
    const times = new Map(items.map((item) => [item.version, item.committedAt]));
    let previous = -Infinity;
    let stream: IndexedCommit[];
    try {
      stream = await resolver.commitsBetween(streamId, from, through);
    } catch (error) {
      if (!(error instanceof StreamIntegrityError)) throw error;
      log(`Feed reconciliation: ${error.message} Its commits from version ${from} are left out of the feed until it is repaired (README, "Repairing a stream"); then reconcile again.`);
      continue;
    }
    for (const commit of stream) {
      // Commit-time order across streams, but never against a stream's own version order.
      previous = Math.max(previous, times.get(commit.version) ?? previous);
      commits.push({ commit, at: previous });
    }
  }
  commits.sort((a, b) => a.at - b.at || (a.commit.streamId < b.commit.streamId ? -1 : a.commit.streamId > b.commit.streamId ? 1 : 0) || a.commit.version - b.commit.version);
  return { commits: commits.map(({ commit }) => commit), scannedItems };
}

import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventStreamTable } from '../../event-store/event-stream-table.js';
import { RESERVED_STREAM_PREFIX } from '../../event-store/input-validation.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { FeedStreamMissingError } from '../../errors/feed-stream-missing.error.js';
import { FeedStreamViewTypeError } from '../../errors/feed-stream-view-type.error.js';
import { EventItemAttribute as E } from '../../tables/events-table.js';
import { FeedIndexTable } from '../index/feed-index-table.js';
import type { IndexerCheckpoint } from '../index/indexer-checkpoint.js';
import { FeedIngester, IndexRaceLostError } from './feed-ingester.js';
import { reconcileFeedIndex } from './feed-reconciler.js';
import { IndexerLease } from './indexer-lease.js';
import { StreamHeads } from './stream-heads.js';
import { StreamShardReader } from './stream-shard-reader.js';
import { streamsClientFor } from './streams-client.js';
import { latestStreamArn } from './latest-stream-arn.js';
import { NO_TELEMETRY } from '../../telemetry/no-telemetry.js';
import type { Telemetry } from '../../telemetry/telemetry.js';

/** The in-app indexer's settings (module option `feed.indexer`, resolved). */
export interface FeedIndexerSettings {
  readonly pollIntervalMs: number;
  readonly leaseTtlMs: number;
  readonly maxStreams: number;
}

export type FeedIndexerState = 'stopped' | 'standby' | 'indexing' | 'reconciling' | 'failing';

/** What the in-app indexer is doing in this instance. */
export interface FeedIndexerStatus {
  readonly state: FeedIndexerState;
  /** The last index position this instance knows of (written by it or read at takeover). */
  readonly lastPosition: number;
  readonly lastError?: Error;
}

/** What the indexer is built with. */
export interface FeedIndexerDeps {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly retry: Required<RetryOptions>;
  readonly settings: FeedIndexerSettings;
  /** Called after each batch written: the feed has advanced. */
  readonly onIndexed?: () => void;
  readonly logger: IndexerLogger;
  /** Default: one made from `client`'s config (and destroyed on stop). */
  readonly streamsClient?: DynamoDBStreamsClient;
  /** A span per batch of records taken into the index, the reconciliation's included (default none). */
  readonly telemetry?: Telemetry;
}

interface IndexerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The tail of the index read at takeover, so that recent streams' order is checked without table reads. */
const WARM_UP_POSITIONS = 10_000;
/** A checkpoint advanced only by records that needed no batch is saved at most this often. */
const SAVE_CHECKPOINT_EVERY_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;
/** Records live 24 hours: an index this stale may have missed a whole shard. */
const ORPHANS_SUSPECT_AFTER_MS = 23 * 60 * 60 * 1000;

/**
 * Runs the feed indexer in this app instance: on standby until it holds the indexer lease, then
 * reads the events table's DynamoDB Stream shard by shard and hands what it reads to the
 * FeedIngester, which appends it to the feed index. Wakes this process's feed readers (projections)
 * after each batch. Lost records (the stream trimmed them before they were read) are recovered by
 * a reconciliation from the table.
 */
export class FeedIndexer {
  private state: FeedIndexerState = 'stopped';
  private lastError?: Error;
  private running?: Promise<void>;
  private stopping = false;
  private wake?: () => void;

  private readonly streamsClient: DynamoDBStreamsClient;
  private readonly lease: IndexerLease;
  private readonly heads: StreamHeads;
  private readonly ingester: FeedIngester;
  private leading = false;
  private renewal?: NodeJS.Timeout;
  private reader?: StreamShardReader;
  private streamArn?: string;
  /** Where the stream has been read to: the index's checkpoint, or further when the records since needed no batch. */
  private checkpoint?: IndexerCheckpoint;
  private savedAt = 0;

  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retry: Required<RetryOptions>;
  private readonly settings: FeedIndexerSettings;
  private readonly onIndexed: () => void;
  private readonly logger: IndexerLogger;
  private readonly ownsStreamsClient: boolean;
  private readonly telemetry: Telemetry;

  constructor(deps: FeedIndexerDeps) {
    this.telemetry = deps.telemetry ?? NO_TELEMETRY;
    ({ client: this.client, tableName: this.tableName, retry: this.retry, settings: this.settings, logger: this.logger } = deps);
    this.onIndexed = deps.onIndexed ?? (() => undefined);
    this.ownsStreamsClient = deps.streamsClient === undefined;
    this.streamsClient = deps.streamsClient ?? streamsClientFor(deps.client);
    this.lease = new IndexerLease(this.client, this.tableName, this.settings.leaseTtlMs, this.retry);
    this.heads = new StreamHeads(this.settings.maxStreams);
    this.ingester = new FeedIngester({
      index: new FeedIndexTable(this.client, this.tableName, this.retry),
      events: new EventStreamTable(this.client, this.tableName, this.retry),
      heads: this.heads,
      retry: this.retry,
      writer: this.lease.id,
      logger: this.logger,
      telemetry: this.telemetry,
    });
  }

  status(): FeedIndexerStatus {
    const status = { state: this.state, lastPosition: this.ingester.lastPosition };
    return this.lastError === undefined ? status : { ...status, lastError: this.lastError };
  }

  /** Starts following the stream (on standby while another instance holds the lease). */
  start(): void {
    if (this.running !== undefined) return;
    this.stopping = false;
    this.state = 'standby';
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops after the request in flight, and releases the lease so that another instance takes over at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    await this.resign();
    this.state = 'stopped';
    if (this.ownsStreamsClient) this.streamsClient.destroy();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        if (!this.leading) {
          const check = await this.lease.acquire();
          if (!check.held) {
            this.state = 'standby';
            // Check again when the holder's lease would lapse, or a third of the TTL from now, whichever is first.
            await this.pause(Math.max(50, Math.min(this.settings.leaseTtlMs / 3, check.expiresAt - Date.now() + 50)));
            continue;
          }
          try {
            await this.lead();
          } catch (error) {
            await this.resign();
            throw error;
          }
        }
        await this.step();
        failures = 0;
        if (this.state === 'failing') this.state = 'indexing';
      } catch (error) {
        if (this.stopping) break;
        if (error instanceof IndexRaceLostError) {
          this.logger.warn(`Feed indexer: another instance wrote position ${error.position} first; this one stands by.`);
          await this.resign();
          continue;
        }
        failures++;
        this.lastError = error as Error;
        this.state = 'failing';
        const delay = Math.min(MAX_BACKOFF_MS, this.settings.pollIntervalMs * 2 ** failures);
        this.logger.error(`Feed indexer failed (attempt ${failures}), retrying from its checkpoint in ${delay} ms: ${(error as Error).message}`);
        this.reader?.reset();
        this.checkpoint = this.ingester.checkpoint ?? this.checkpoint;
        await this.pause(delay);
      }
    }
  }

  /** Just took the lease: learn the index's head and recent streams, and reconcile if the index cannot go on from its checkpoint. */
  private async lead(): Promise<void> {
    this.leading = true;
    this.state = 'indexing';
    this.renewal = setInterval(() => void this.renew(), Math.max(10, this.settings.leaseTtlMs / 3));
    this.renewal.unref();
    this.heads.clear();
    this.ingester.forget();
    await this.ingester.warmUp(WARM_UP_POSITIONS);
    const stream = await latestStreamArn(this.client, this.tableName);
    if (stream === undefined) throw new FeedStreamMissingError(this.tableName);
    if (stream.viewType !== 'NEW_IMAGE' && stream.viewType !== 'NEW_AND_OLD_IMAGES') throw FeedStreamViewTypeError.withoutNewImage(stream.viewType, stream.streamArn);
    this.streamArn = stream.streamArn;
    this.reader = new StreamShardReader(this.streamsClient, stream.streamArn, this.retry);
    const checkpoint = this.ingester.checkpoint;
    const reason =
      checkpoint?.reconciling === true ? 'a reconciliation was cut short'
      : checkpoint?.streamArn !== undefined && checkpoint.streamArn !== stream.streamArn ? 'the table has a new stream'
      : checkpoint !== undefined && Object.keys(checkpoint.shards).length === 0 && !this.ingester.empty ? 'the index was written without shard positions (by a Lambda indexer)'
      : this.ingester.empty && (await this.tableHasEvents()) ? 'the index is empty but the table holds events'
      : undefined;
    this.checkpoint = checkpoint ?? { streamArn: stream.streamArn, shards: {} };
    this.logger.log(`Feed indexer runs in this instance, from index position ${this.ingester.lastPosition}.`);
    if (reason !== undefined) await this.reconcile(reason);
  }

  /** One read of every shard, and its records into the index. */
  private async step(): Promise<void> {
    const reader = this.reader;
    if (!this.leading || reader === undefined) return;
    const poll = await reader.poll(this.checkpoint!);
    if (poll.lost) {
      await this.reconcile('records were trimmed from the stream before they were read');
      return;
    }
    // A shard whose parent nobody read: fine when that parent ended long ago, but after a day of downtime
    // a whole shard may have expired unread, and its children look just like this.
    const writtenAt = this.ingester.lastWrittenAt;
    if (poll.orphans.length > 0 && writtenAt !== undefined && Date.now() - writtenAt > ORPHANS_SUSPECT_AFTER_MS) {
      await this.reconcile(`shards ${poll.orphans.join(', ')} have parents that were never read, and the index was last written ${Math.round((Date.now() - writtenAt) / 3_600_000)} h ago`);
      return;
    }
    let taken = poll.records.length;
    if (poll.records.length > 0) {
      const result = await this.ingester.ingest(poll.records, { reached: poll.shards, streamArn: this.streamArn, onRaceLost: 'throw' });
      taken = result.taken.size;
      if (result.batches.length > 0) {
        this.savedAt = Date.now();
        this.onIndexed();
      }
    }
    if (taken < poll.records.length) {
      // The rest did not fit one batch: read again from the checkpoint of what was written.
      reader.reset();
      this.checkpoint = this.ingester.checkpoint ?? this.checkpoint;
    } else {
      this.checkpoint = { ...(this.ingester.checkpoint ?? this.checkpoint!), streamArn: this.streamArn, shards: poll.shards };
      if (Date.now() - this.savedAt >= SAVE_CHECKPOINT_EVERY_MS && JSON.stringify(this.checkpoint) !== JSON.stringify(this.ingester.checkpoint)) {
        await this.ingester.saveCheckpoint(this.checkpoint);
        this.savedAt = Date.now();
      }
    }
    if (poll.atTip) await this.pause(this.settings.pollIntervalMs);
  }

  private async reconcile(reason: string): Promise<void> {
    this.state = 'reconciling';
    this.logger.warn(`Feed indexer: reconciling the index with the table (${reason}).`);
    await reconcileFeedIndex({ client: this.client, tableName: this.tableName, retry: this.retry, streamsClient: this.streamsClient, writer: this.lease.id, log: (m) => this.logger.log(m), onIndexed: this.onIndexed, telemetry: this.telemetry });
    // The reconciliation wrote as another ingester: learn its result as at a takeover.
    this.heads.clear();
    this.ingester.forget();
    await this.ingester.warmUp(WARM_UP_POSITIONS);
    this.checkpoint = this.ingester.checkpoint;
    this.reader?.reset();
    this.state = 'indexing';
  }

  private async renew(): Promise<void> {
    if (!this.leading) return;
    try {
      if (!(await this.lease.renew())) {
        this.logger.warn('Feed indexer: lease lost (taken over after it lapsed); this instance stands by.');
        await this.resign();
      }
    } catch (error) {
      this.logger.warn(`Feed indexer: renewing the lease failed (${(error as Error).message}); trying again at the next renewal.`);
    }
  }

  private async resign(): Promise<void> {
    this.leading = false;
    clearInterval(this.renewal);
    this.renewal = undefined;
    this.reader?.reset();
    this.reader = undefined;
    this.ingester.forget();
    await this.lease.release();
    if (!this.stopping) this.state = 'standby';
  }

  /** Whether the table holds any event (not only the module's own items): reads until it finds one. */
  private async tableHasEvents(): Promise<boolean> {
    let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ TableName: this.tableName, Limit: 100, ProjectionExpression: '#s', ExpressionAttributeNames: { '#s': E.streamId }, ExclusiveStartKey: start }));
      if ((page.Items ?? []).some((item) => !item[E.streamId]!.S!.startsWith(RESERVED_STREAM_PREFIX))) return true;
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return false;
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

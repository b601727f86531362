import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { EventStreamTable } from '../event-store/event-stream-table.js';
import { DEFAULT_RETRY, type RetryOptions } from '../event-store/retry-policy.js';
import { FeedIndexTable } from '../feed/index/feed-index-table.js';
import type { ChangeRecord } from '../feed/indexer/change-record.js';
import { FeedIngester, IngestError } from '../feed/indexer/feed-ingester.js';
import { StreamHeads } from '../feed/indexer/stream-heads.js';
import { changeRecordFromLambda, type DynamoDBStreamEvent } from '../feed/indexer/stream-records.js';

/** Options of {@link createFeedIndexerHandler}. */
export interface FeedIndexerHandlerOptions {
  /** The events table's name, before the prefix (as `tables.events` in the module's options). */
  readonly tableName: string;
  /** Prepended to the table name, as the module's `tablePrefix`. Default none. */
  readonly tablePrefix?: string;
  /** Config of the DynamoDB client the handler creates (region and credentials come from the Lambda environment by default). */
  readonly clientConfig?: DynamoDBClientConfig;
  /** A client to use as it is (`clientConfig` is then ignored). */
  readonly client?: DynamoDBClient;
  /** Retries of throttled and failed requests, as the module's `retry` option. */
  readonly retry?: RetryOptions;
  /**
   * Streams whose last indexed version a container keeps in memory between invocations (default
   * 100,000, about 100 bytes each), as the module's `feed.indexer.maxStreams`.
   */
  readonly maxStreams?: number;
  /** Where the handler reports failures (default: the console, which Lambda sends to CloudWatch Logs). */
  readonly logger?: { log(message: string): void; warn(message: string): void };
}

/** Lambda's partial batch response (the event source mapping needs `FunctionResponseTypes: ['ReportBatchItemFailures']`). */
export interface FeedIndexerResponse {
  /** The records to deliver again, by sequence number; Lambda resumes from the lowest one. */
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** Commits of the index read into memory at a container's first invocation, to recognise redelivered records. */
const WARM_UP_POSITIONS = 10_000;
const DEFAULT_MAX_STREAMS = 100_000;

/**
 * The feed indexer as the handler of an AWS Lambda function, for an event source mapping on the
 * events table's DynamoDB Stream (see README, "Running the indexer on AWS Lambda"):
 *
 * ```ts
 * export const handler = createFeedIndexerHandler({ tableName: 'events', tablePrefix: process.env.TABLE_PREFIX });
 * ```
 *
 * It indexes each batch with the same ingestion code as the in-app indexer (exactly once, in each
 * stream's version order) and answers with a partial batch response: the records whose commits did
 * not reach the index, from the first of them on, so that Lambda delivers them again. The client
 * and the ingester live as long as the container (created here, not per invocation): the stream
 * heads they learn make most redeliveries cost nothing. A record of a stream with the wrong view
 * type (no new image) fails the invocation with a FeedStreamViewTypeError naming the fix.
 */
export function createFeedIndexerHandler(options: FeedIndexerHandlerOptions): (event: DynamoDBStreamEvent) => Promise<FeedIndexerResponse> {
  if (typeof options.tableName !== 'string' || options.tableName.length === 0) {
    throw new InvalidModuleOptionsError('tableName', 'must name the events table (createFeedIndexerHandler).');
  }
  const tableName = `${options.tablePrefix ?? ''}${options.tableName}`;
  const retry: Required<RetryOptions> = { ...DEFAULT_RETRY, ...options.retry };
  const client = options.client ?? new DynamoDBClient(options.clientConfig ?? {});
  const logger = options.logger ?? console;
  const ingester = new FeedIngester({
    index: new FeedIndexTable(client, tableName, retry),
    events: new EventStreamTable(client, tableName, retry),
    heads: new StreamHeads(options.maxStreams ?? DEFAULT_MAX_STREAMS),
    retry,
    // Unique per container: after a lost answer, the ingester recognises its own batch by it.
    writer: `lambda:${process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'feed-indexer'}:${randomBytes(4).toString('hex')}`,
    logger,
  });
  let warm: Promise<void> | undefined;

  return async (event) => {
    const offered: Array<{ record: ChangeRecord; sequenceNumber: string }> = [];
    let streamArn: string | undefined;
    for (const raw of event.Records) {
      // Throws on a record without its new image (wrong view type): the whole invocation fails, loudly.
      const record = changeRecordFromLambda(raw);
      streamArn ??= raw.eventSourceARN;
      if (record !== undefined) offered.push({ record, sequenceNumber: record.sequenceNumber });
    }
    // Nothing but the module's own items (index batches, the lease) or modifications: nothing to index.
    if (offered.length === 0) return { batchItemFailures: [] };

    warm ??= ingester.warmUp(WARM_UP_POSITIONS).catch((error: unknown) => {
      warm = undefined; // the next invocation tries again
      throw error;
    });
    await warm;
    let taken: ReadonlySet<ChangeRecord>;
    try {
      // Lambda records carry no shard id: the batch keeps the index head's shard checkpoint as it is.
      ({ taken } = await ingester.ingest(
        offered.map(({ record }) => record),
        { streamArn, onRaceLost: 'retry' },
      ));
    } catch (error) {
      if (!(error instanceof IngestError)) throw error;
      taken = error.taken;
      logger.warn(
        `Feed indexer: ${offered.length - countTaken(offered, taken)} of ${offered.length} records of the batch were not indexed and are reported for redelivery: ${error.message}`,
      );
    }
    // Every record whose commit is not in the index, in event order: Lambda resumes from the first of them.
    return { batchItemFailures: offered.filter(({ record }) => !taken.has(record)).map(({ sequenceNumber }) => ({ itemIdentifier: sequenceNumber })) };
  };
}

const countTaken = (offered: ReadonlyArray<{ record: ChangeRecord }>, taken: ReadonlySet<ChangeRecord>): number => offered.filter(({ record }) => taken.has(record)).length;

import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { DynamoEventSourcingModule, type DynamoEventSourcingModuleOptions } from '../../lib/index.js';
import type { DynamoDBRecord, DynamoDBStreamEvent } from '../../lib/feed/indexer/stream-records.js';
import { createFeedIndexerHandler, FEED_INDEX_BATCH_FILTER_CRITERIA, type FeedLambdaHandler } from '../../lib/lambda/index.js';
import { projectionsTableDefinition } from '../../lib/tables/projections-table.js';
import { provisionTable } from '../../lib/tables/table-provisioner.js';
import { testClientConfig } from './dynamodb.js';
import { TEST_EVENTS } from './events.js';
import { filtered, type FilterCriteria } from './event-filter.js';
import { createProjectionApp, deleteProjectionTables, projectionTables, type ProjectionApp, type ProjectionTables } from './projection-app.js';
import { ProjectionRecorder } from './projection-recorder.js';
import { StreamEventSource } from './stream-event-source.js';

/** The indexer function's documented filter (README, "The Lambda indexer's event source mapping"). */
export const INDEXER_FILTER: FilterCriteria = { Filters: [{ Pattern: '{"dynamodb":{"NewImage":{"commitId":{"S":[{"exists":true}]}}}}' }] };

/** Every recorder a Lambda container's application context built, in creation order: one per context (module init). */
export const containerRecorders: LambdaRecorder[] = [];

/** Faults for recorders not made yet (a container's recorder is made at its first invocation). */
export const lambdaFaults: { failWhen: (key: string) => boolean } = { failWhen: () => false };

/** A ProjectionRecorder that says when its context creates it (once per container), failing as `lambdaFaults` says. */
@Injectable()
export class LambdaRecorder extends ProjectionRecorder implements OnModuleInit {
  /** What event handlers (which get no envelope) handled, as keys they make. */
  readonly keys: string[] = [];

  constructor() {
    super();
    this.failWhen = (event) => lambdaFaults.failWhen(`${event.streamId}@${event.version}`);
  }

  onModuleInit(): void {
    containerRecorders.push(this);
  }
}

@Module({ providers: [LambdaRecorder], exports: [LambdaRecorder] })
export class LambdaRecorderModule {}

/** The app module a function is given: its projections with forFeature (and more providers), without forRoot. */
export function lambdaAppModule(projections: Function[], providers: DynamicModule['providers'] = []): DynamicModule {
  class LambdaTestAppModule {}
  return {
    module: LambdaTestAppModule,
    imports: [LambdaRecorderModule, ...(projections.length === 0 ? [] : [DynamoEventSourcingModule.forFeature({ projections: projections as never[], imports: [LambdaRecorderModule] })])],
    providers,
  };
}

/**
 * A Lambda setup on DynamoDB Local: an app that writes events (no in-app indexer), the indexer
 * function behind its filtered mapping, and a mapping for the function under test behind the batch
 * filter, both played on the events table's stream.
 */
export interface LambdaFeed {
  readonly tables: ProjectionTables;
  readonly writer: ProjectionApp;
  readonly streamArn: string;
  readonly indexer: StreamEventSource;
  /** The module options of the function under test. */
  readonly moduleOptions: DynamoEventSourcingModuleOptions;
  /** A mapping on the stream for `handler` behind the batch filter; `seen` gets the records it was given. */
  mapping(handler: FeedLambdaHandler, batchSize: number, seen?: DynamoDBRecord[]): StreamEventSource;
  /** A mapping on the stream without a filter. */
  rawMapping(handler: FeedLambdaHandler, batchSize: number): StreamEventSource;
  /** Indexes everything written so far (delivers to the indexer function until the index holds `commits` commits). */
  index(commits: number): Promise<void>;
  close(): Promise<void>;
}

export async function createLambdaFeed(label: string): Promise<LambdaFeed> {
  const tables = projectionTables(label);
  const writer = await createProjectionApp(tables, { options: { feed: { indexer: false } } });
  const client = new DynamoDBClient(testClientConfig());
  const streams = new DynamoDBStreamsClient(testClientConfig());
  await provisionTable(client, projectionsTableDefinition(tables.projections), 'create');
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tables.events }));
  const streamArn = Table!.LatestStreamArn!;
  const retry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
  const indexerHandler = createFeedIndexerHandler({ tableName: tables.events, client, retry, logger: { log: () => undefined, warn: () => undefined } });
  let indexed = 0;
  const indexer = new StreamEventSource({
    client: streams,
    streamArn,
    batchSize: 100,
    handler: filtered(INDEXER_FILTER, async (event: DynamoDBStreamEvent) => {
      const response = await indexerHandler(event);
      indexed += event.Records.length - response.batchItemFailures.length;
      return response;
    }),
  });
  const moduleOptions: DynamoEventSourcingModuleOptions = { client, events: TEST_EVENTS, retry, tables: { events: tables.events, projections: tables.projections } };
  return {
    tables,
    writer,
    streamArn,
    indexer,
    moduleOptions,
    mapping: (handler, batchSize, seen) => new StreamEventSource({ client: streams, streamArn, batchSize, handler: filtered(FEED_INDEX_BATCH_FILTER_CRITERIA, handler, seen) }),
    rawMapping: (handler, batchSize) => new StreamEventSource({ client: streams, streamArn, batchSize, handler }),
    async index(commits) {
      await indexer.deliverUntil(() => indexed >= commits);
    },
    async close() {
      await writer.close();
      client.destroy();
      streams.destroy();
      await deleteProjectionTables(tables);
    },
  };
}

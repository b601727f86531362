/**
 * Cold start of a projections Lambda handler on this machine: the time from importing the handler
 * module (bench/lambda-cold-start-handler.ts: NestJS, the app's module, `createProjectionsHandler`)
 * to the first event handled, in a fresh Node process each time, invoked with a recorded DynamoDB
 * Streams event of the feed index (real records read from the table's stream, as Lambda's JSON).
 *
 *   npm run build && node dist/bench/lambda-cold-start.js        (COLD_START_RUNS=<n>, default 7)
 *
 * On DynamoDB Local (started here, or DYNAMODB_ENDPOINT); prints each run and the median.
 */
import 'reflect-metadata';
import { DeleteItemCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoEventSourcingModule, EventStore, projectionsTableDefinition } from '../lib/index.js';
import { FeedIndexTable } from '../lib/feed/index/feed-index-table.js';
import { isIndexBatchRecord } from '../lib/lambda/index.js';
import { provisionTable } from '../lib/tables/table-provisioner.js';
import { benchTableName, deleteTables, openDynamoDbTarget } from './dynamodb-target.js';
import { ColdStartDeposited } from './lambda-cold-start-event.js';

const RUNS = Number(process.env.COLD_START_RUNS ?? 7);
const STREAMS = 10;
const EVENTS_PER_STREAM = 10;

const target = await openDynamoDbTarget();
const client = new DynamoDBClient(target.clientConfig);
const events = benchTableName('latency');
const projections = `${events}-projections`;
try {
  // Events written by an app whose in-app indexer builds the feed index.
  @Module({ imports: [DynamoEventSourcingModule.forRoot({ client, tableSetup: 'create', tables: { events, projections }, events: [ColdStartDeposited] })] })
  class WriterModule {}
  const writer = await NestFactory.createApplicationContext(WriterModule, { logger: false });
  const store = writer.get(EventStore);
  for (let i = 0; i < EVENTS_PER_STREAM; i++) {
    await Promise.all(Array.from({ length: STREAMS }, (_, s) => store.append(`cold-${s}`, [new ColdStartDeposited(`cold-${s}`, i + 1)], { expectedVersion: 'any' })));
  }
  const index = new FeedIndexTable(client, events, { maxAttempts: 8, baseDelayMs: 25, maxDelayMs: 2000 });
  while (((await index.head())?.lastPosition ?? 0) < STREAMS * EVENTS_PER_STREAM) await new Promise((resolve) => setTimeout(resolve, 50));
  await writer.close();
  await provisionTable(client, projectionsTableDefinition(projections), 'create');

  // The recorded event: the stream's index batch records, as Lambda delivers them.
  const records = await streamRecords(target.clientConfig, events);
  const event = { Records: records.map((record) => lambdaJson(record)).filter(isIndexBatchRecord) };
  const folder = mkdtempSync(join(tmpdir(), 'cold-start-'));
  const eventFile = join(folder, 'event.json');
  writeFileSync(eventFile, JSON.stringify(event));
  console.log(`Recorded event: ${event.Records.length} index batch record(s) covering ${STREAMS * EVENTS_PER_STREAM} commits; ${RUNS} cold starts on ${target.description}`);

  const child = fileURLToPath(new URL('./lambda-cold-start-child.js', import.meta.url));
  const endpoint = (target.clientConfig as { endpoint?: string }).endpoint;
  const results: Array<Record<string, number>> = [];
  for (let run = 1; run <= RUNS; run++) {
    // From the start of the feed each time: the projection has every event to handle.
    await client.send(new DeleteItemCommand({ TableName: projections, Key: { projection: { S: 'cold-start-balances' } } }));
    const output = execFileSync(process.execPath, [child, eventFile], {
      env: { ...process.env, COLD_START_ENDPOINT: String(endpoint ?? ''), COLD_START_EVENTS_TABLE: events, COLD_START_PROJECTIONS_TABLE: projections },
      encoding: 'utf8',
    });
    const result = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, number>;
    results.push(result);
    console.log(`run ${run}: ${JSON.stringify(result)}`);
  }
  const median = (key: string) => results.map((r) => r[key]!).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
  console.log(
    `median: import ${median('importMs').toFixed(0)} ms, import -> first event handled ${median('importToFirstEventMs').toFixed(0)} ms, ` +
      `import -> response ${median('importToResponseMs').toFixed(0)} ms (node start -> import ${median('processStartToImportMs').toFixed(0)} ms)`,
  );
} finally {
  await deleteTables(client, [events, projections]).catch(() => undefined);
  client.destroy();
  await target.stop();
}

/** Every record of the table's stream now (one shard on a fresh table). */
async function streamRecords(config: DynamoDBClient['config'] | object, tableName: string): Promise<_Record[]> {
  const streams = new DynamoDBStreamsClient(config as never);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: Table!.LatestStreamArn! }));
    const records: _Record[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      let { ShardIterator: iterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: Table!.LatestStreamArn!, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
      while (iterator !== undefined) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records.push(...(page.Records ?? []));
        if ((page.Records ?? []).length === 0) break;
        iterator = page.NextShardIterator;
      }
    }
    return records;
  } finally {
    streams.destroy();
  }
}

/** A record as Lambda's JSON has it (strings and numbers only are read by the handler). */
function lambdaJson(record: _Record) {
  const stream = record.dynamodb!;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: stream.Keys,
      NewImage: stream.NewImage,
      SequenceNumber: stream.SequenceNumber,
      StreamViewType: stream.StreamViewType,
      ApproximateCreationDateTime: stream.ApproximateCreationDateTime === undefined ? undefined : Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000),
    },
  } as Parameters<typeof isIndexBatchRecord>[0];
}

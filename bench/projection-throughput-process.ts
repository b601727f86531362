/**
 * A child process of the projection throughput workload (projection-throughput.ts): one app
 * instance running one `@Projection` (BENCH_PROJECTION_TASK says its name and options) whose
 * handler waits `handlerDelayMs` per event (a setTimeout: an I/O-bound handler, as one writing to a
 * database). It neither writes nor indexes (`feed: { indexer: false }`), and starts the projection
 * when the parent says `go` (`projections: { autoStart: false }`), so that every instance of a run
 * starts at once, whatever their start-up times. Reports its handler calls (count, first and last
 * call times on this machine's clock) every 100 ms.
 */
import 'reflect-metadata';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DynamoEventSourcingModule, Projection, ProjectionHandler, ProjectionManager } from '../lib/index.js';
import { BENCH_EVENT_CLASSES, MoneyDeposited, MoneyWithdrawn, TransferRequested } from './events.js';

export interface ThroughputTask {
  readonly clientConfig: DynamoDBClientConfig;
  readonly eventsTable: string;
  readonly projectionsTable: string;
  readonly projection: string;
  readonly partitions: number;
  /** `@Projection` option `concurrency`: partitions one instance handles at once (default all). */
  readonly concurrency?: number;
  readonly leaseTtlMs: number;
  readonly handlerDelayMs: number;
}

export type FromThroughputChild =
  | { readonly type: 'ready' }
  | { readonly type: 'handled'; readonly count: number; readonly firstAt?: number; readonly lastAt?: number }
  | { readonly type: 'failed'; readonly message: string };

const send = (message: FromThroughputChild): Promise<void> =>
  new Promise((resolve) => (process.connected ? process.send!(message, undefined, {}, () => resolve()) : resolve()));

async function fail(error: unknown): Promise<never> {
  await send({ type: 'failed', message: (error as Error)?.stack ?? String(error) });
  process.exit(1);
}

const task = JSON.parse(process.env.BENCH_PROJECTION_TASK ?? '') as ThroughputTask;
let count = 0;
let firstAt: number | undefined;
let lastAt: number | undefined;

class SlowHandlerProjection {
  @ProjectionHandler(MoneyDeposited, MoneyWithdrawn, TransferRequested)
  async on(): Promise<void> {
    firstAt ??= Date.now();
    await new Promise((resolve) => setTimeout(resolve, task.handlerDelayMs));
    count++;
    lastAt = Date.now();
  }
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  Projection(task.projection, {
    partitions: task.partitions,
    leaseTtlMs: task.leaseTtlMs,
    ...(task.concurrency === undefined ? {} : { concurrency: task.concurrency }),
  })(SlowHandlerProjection);
  const client = new DynamoDBClient(task.clientConfig);
  @Module({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({
        client,
        tableSetup: 'verify',
        tables: { events: task.eventsTable, projections: task.projectionsTable },
        events: BENCH_EVENT_CLASSES,
        feed: { indexer: false },
        publishEvents: false,
        projections: { autoStart: false },
      }),
      DynamoEventSourcingModule.forFeature({ projections: [SlowHandlerProjection] }),
    ],
  })
  class ThroughputModule {}
  const app = await NestFactory.createApplicationContext(ThroughputModule, { logger: ['error', 'warn'], abortOnError: false });
  setInterval(() => void send({ type: 'handled', count, firstAt, lastAt }), 100);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'go') void app.get(ProjectionManager).start().catch(fail);
    if (message.type === 'close') void app.close().then(() => process.exit(0), fail);
  });
  await send({ type: 'ready' });
}

process.on('disconnect', () => process.exit(0)); // the parent is gone
main().catch(fail);

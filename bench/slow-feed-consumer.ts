/**
 * A child process of the memory workload (memory-workload.ts): replays the feed of one table
 * through `replayAll$` to a slow asynchronous consumer, stops after a given number of events, and
 * reports its own peak memory to the parent over IPC. A fresh process per measurement, so that
 * each peak is that of its replay alone.
 */
import 'reflect-metadata';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { take } from 'rxjs';
import { handleInOrder } from '../lib/index.js';
import { startFeedApp } from './module-app.js';

/** What the parent asks for, in the BENCH_SLOW_CONSUMER environment variable (JSON). */
export interface SlowConsumerTask {
  readonly clientConfig: DynamoDBClientConfig;
  readonly tableName: string;
  readonly events: number;
  readonly pageSize: number;
  /** CPU time each event takes to handle, in µs, on top of a trip through the event loop. */
  readonly busyMicros: number;
}

/** What the child reports back. */
export interface SlowConsumerReport {
  readonly events: number;
  readonly seconds: number;
  /** RSS once the app has started, before the replay (bytes). */
  readonly startupRss: number;
  /** process.resourceUsage().maxRSS: the process's peak resident set, in KiB. */
  readonly maxRssKiB: number;
  /** Highest V8 heapUsed seen, sampled every 1,000 events (bytes): live objects and garbage not collected yet. */
  readonly peakHeapUsed: number;
  /** V8 heapUsed after a full GC at the end, the replay's subscription closed but the app still up (bytes): what is retained. */
  readonly liveHeapAfterGc: number;
}

const SAMPLE_EVERY = 1_000;

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const task = JSON.parse(process.env.BENCH_SLOW_CONSUMER ?? '') as SlowConsumerTask;
  const client = new DynamoDBClient(task.clientConfig);
  // No indexer here: the parent's indexed everything before this process started.
  const app = await startFeedApp(client, task.tableName, 'none', { feed: { indexer: false } });
  const startupRss = process.memoryUsage.rss();
  let events = 0;
  let peakHeapUsed = 0;
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    app.store
      .replayAll$({ pageSize: task.pageSize })
      .pipe(
        handleInOrder(async () => {
          await new Promise(setImmediate); // an asynchronous handler: each event waits for the event loop
          // And takes some CPU, like a projection's own work. performance.now(), not hrtime.bigint(): a
          // BigInt per spin would make the consumer allocate ~20 KB per event, garbage that is not the replay's.
          const until = performance.now() + task.busyMicros / 1_000;
          while (performance.now() < until);
          if (++events % SAMPLE_EVERY === 0) peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
        }),
        take(task.events),
      )
      .subscribe({ error: reject, complete: resolve });
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
  const maxRssKiB = process.resourceUsage().maxRSS; // before the GC below, which only lowers usage
  (globalThis as { gc?: () => void }).gc?.(); // the parent forks with --expose-gc
  const report: SlowConsumerReport = { events, seconds, startupRss, maxRssKiB, peakHeapUsed, liveHeapAfterGc: process.memoryUsage().heapUsed };
  await app.close();
  client.destroy();
  process.send!(report, () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

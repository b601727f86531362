import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EventGenerator } from './event-generator.js';
import { FeedIndexProbe } from './feed-index-probe.js';
import { startFeedApp } from './module-app.js';
import type { SlowConsumerReport, SlowConsumerTask } from './slow-feed-consumer.js';
import { forEachConcurrently } from './workloads.js';

/**
 * 200,000 events (1,000 streams of 20 commits of 10 events, ~20 s to write at 16 commits in
 * flight), replayed by a slow consumer in a fresh process per measurement: its peak RSS after
 * 50,000 events and after all 200,000 should be about the same, since replayAll$ holds at most one
 * page of unhandled events whatever the feed's length.
 */
const CONFIG = {
  streams: 1_000,
  commitsPerStream: 20,
  eventsPerCommit: 10,
  concurrency: 16,
  pageSize: 500,
  /** Per event, on top of a setImmediate: well over what reading an event costs (~20-25 µs at 40-50k events/s). */
  busyMicros: 40,
  measuredEvents: [50_000, 200_000],
};

/** One child's replay: how far it went and the memory it needed. */
export interface MemoryMeasurement {
  readonly workload: string;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly startupRssMb: number;
  readonly peakRssMb: number;
  readonly peakHeapUsedMb: number;
  readonly liveHeapAfterGcMb: number;
}

const MB = 1024 * 1024;
const count = (n: number) => n.toLocaleString('en-US');

/**
 * Writes the events to `tableName` (a table of its own) with the feed's indexer in this app, waits
 * until the feed index holds them all, then measures each replay in a child process (which runs no
 * indexer). `observer`: a client without a meter, for the index head.
 */
export async function slowConsumerMemoryWorkload(
  client: DynamoDBClient,
  observer: DynamoDBClient,
  clientConfig: DynamoDBClientConfig,
  tableName: string,
): Promise<MemoryMeasurement[]> {
  const { streams, commitsPerStream, eventsPerCommit, concurrency } = CONFIG;
  const total = streams * commitsPerStream * eventsPerCommit;
  const started = Date.now();
  const app = await startFeedApp(client, tableName, 'create');
  let writtenIn = 0;
  let indexedIn = 0;
  try {
    // Events generated stream by stream as the writes go, so that 200,000 never sit in memory at once.
    const generator = new EventGenerator(9_090);
    const streamIds = Array.from({ length: streams }, () => generator.accountStreamId());
    await forEachConcurrently(streamIds, concurrency, async (streamId) => {
      let version = 0;
      for (let c = 0; c < commitsPerStream; c++) {
        version = (await app.store.append(streamId, generator.batch(streamId, eventsPerCommit), { expectedVersion: version, publish: false })).version;
      }
    });
    writtenIn = Date.now() - started;
    await new FeedIndexProbe(observer, tableName).waitForHead(streams * commitsPerStream, 120_000, 'memory workload');
    indexedIn = Date.now() - started;
  } finally {
    await app.close();
  }
  console.log(
    `peak RSS: wrote ${count(total)} events (${count(streams * commitsPerStream)} commits over ${count(streams)} streams, ${concurrency} in flight) ` +
      `in ${(writtenIn / 1000).toFixed(1)} s, all in the feed index ${((indexedIn - writtenIn) / 1000).toFixed(1)} s later; replaying them with replayAll$ (page ${CONFIG.pageSize}) to a consumer taking ` +
      `a setImmediate and ${CONFIG.busyMicros} µs of CPU per event, in a fresh process per measurement`,
  );
  const measurements: MemoryMeasurement[] = [];
  for (const events of CONFIG.measuredEvents) {
    const task: SlowConsumerTask = { clientConfig, tableName, events, pageSize: CONFIG.pageSize, busyMicros: CONFIG.busyMicros };
    const report = await runChild(task);
    if (report.events !== events) throw new Error(`the slow consumer handled ${report.events} events; expected ${events}`);
    const measurement: MemoryMeasurement = {
      workload: `peak RSS, slow consumer, ${count(events)} events`,
      events,
      eventsPerSecond: report.events / report.seconds,
      startupRssMb: report.startupRss / MB,
      peakRssMb: (report.maxRssKiB * 1024) / MB,
      peakHeapUsedMb: report.peakHeapUsed / MB,
      liveHeapAfterGcMb: report.liveHeapAfterGc / MB,
    };
    console.log(
      `  ${count(events)} events: ${Math.round(measurement.eventsPerSecond)} events/s, RSS ${measurement.startupRssMb.toFixed(1)} MB after start-up, ` +
        `peak ${measurement.peakRssMb.toFixed(1)} MB; heap used: peak ${measurement.peakHeapUsedMb.toFixed(1)} MB, ${measurement.liveHeapAfterGcMb.toFixed(1)} MB live after a full GC`,
    );
    measurements.push(measurement);
  }
  return measurements;
}

function runChild(task: SlowConsumerTask): Promise<SlowConsumerReport> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./slow-feed-consumer.js', import.meta.url)), [], {
      env: { ...process.env, BENCH_SLOW_CONSUMER: JSON.stringify(task) },
      execArgv: ['--expose-gc'], // for the live heap at the end only: the replay runs with V8's own GC timing
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: SlowConsumerReport | undefined;
    child.on('message', (message) => (report = message as SlowConsumerReport));
    child.on('error', reject);
    child.on('exit', (code) => (report !== undefined ? resolve(report) : reject(new Error(`the slow consumer exited with code ${code} without a report`))));
  });
}

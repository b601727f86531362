import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { CapacityMeter, type CapacityTally } from './capacity-meter.js';
import { EventGenerator } from './event-generator.js';
import type { BankEvent } from './events.js';
import { FeedIndexProbe, phaseIndexCost, type IndexCost } from './feed-index-probe.js';
import { percentiles, type Percentiles } from './feed-latency-workload.js';
import { FeedIndexerService } from '../lib/index.js';
import { startFeedApp, type FeedApp } from './module-app.js';
import { runWritePlan, writePlan } from './workloads.js';
import { ModuleContender } from './contenders.js';

/**
 * Offered loads and how long each is held: long enough for some 40 index batches at each rate (the
 * indexer writes about one batch per poll, every 200 ms, when there is something new), 4,000
 * commits at the high one. About 25 s per commit size.
 */
const CONFIG = {
  loads: [
    { commitsPerSecond: 10, seconds: 10 },
    { commitsPerSecond: 100, seconds: 8 },
    { commitsPerSecond: 1_000, seconds: 4 },
  ],
  eventsPerCommit: [1, 10],
  /** Streams in rotation: at 1,000 commits/s each gets a commit every 200 ms, well over an append's latency. */
  streams: 200,
  /** A machine that cannot keep up queues appends; past this many in flight the writer waits (and the achieved rate shows it). */
  maxInFlight: 64,
  warmupCommits: 1_000,
};

/** One paced run: the module's appends at an offered rate, and what they and the feed index cost. */
export interface PacedWriteMeasurement {
  readonly workload: string;
  readonly eventsPerCommit: number;
  readonly offeredCommitsPerSecond: number;
  readonly achievedCommitsPerSecond: number;
  readonly commits: number;
  readonly events: number;
  /** The app's client while the appends ran: its commits' items, and the lease writes of its indexer. */
  readonly tally: CapacityTally;
  readonly seconds: number;
  /** The index batches holding the run's commits, read back once the indexer had them all. */
  readonly index: IndexCost;
  /** Sent to acknowledged. */
  readonly append: Percentiles;
}

/**
 * 1-event and 10-event commits with the feed on (its in-app indexer in this app), written by a
 * paced writer at 10, 100 and 1,000 commits/s offered: the commit k of a run is sent at start +
 * k / rate (or as soon as a slot frees when 64 are in flight), each stream's appends in order.
 * Each run starts once the indexer has indexed everything before it, and its index cost is that
 * of the batches holding its commits, billed by their item size. On a table of its own, with a
 * client and meter of its own.
 */
export async function pacedWriteWorkloads(clientConfig: DynamoDBClientConfig, observer: DynamoDBClient, tableName: string): Promise<PacedWriteMeasurement[]> {
  const client = new DynamoDBClient(clientConfig);
  const meter = new CapacityMeter();
  meter.attach(client);
  const probe = new FeedIndexProbe(observer, tableName);
  const app = await startFeedApp(client, tableName, 'create');
  try {
    let written = CONFIG.warmupCommits;
    console.log(`paced writes with the feed on: warm-up (${CONFIG.warmupCommits} commits), then ${CONFIG.loads.map((l) => `${l.commitsPerSecond} commits/s for ${l.seconds} s`).join(', ')}, for 1-event and 10-event commits`);
    await runWritePlan(new ModuleContender(app.store), writePlan(31, CONFIG.warmupCommits / 10, 10, 1), 8);
    const measurements: PacedWriteMeasurement[] = [];
    let seed = 100;
    for (const eventsPerCommit of CONFIG.eventsPerCommit) {
      for (const { commitsPerSecond, seconds } of CONFIG.loads) {
        const before = await probe.waitForHead(written, 60_000, 'paced writes');
        await indexerIndexing(app);
        const commits = commitsPerSecond * seconds;
        const plan = pacedPlan(seed++, commits, eventsPerCommit);
        let run: { elapsedMs: number; latencies: number[] } | undefined;
        const tally = await meter.measure(async () => (run = await runPaced(app, plan, commitsPerSecond)));
        written += commits;
        const workload = `${eventsPerCommit}-event commits, feed on, ${commitsPerSecond.toLocaleString('en-US')} commits/s offered`;
        const index = await phaseIndexCost(probe, before, commits, new Set(plan.map((c) => c.streamId)), workload);
        const measurement: PacedWriteMeasurement = {
          workload,
          eventsPerCommit,
          offeredCommitsPerSecond: commitsPerSecond,
          achievedCommitsPerSecond: commits / (run!.elapsedMs / 1000),
          commits,
          events: commits * eventsPerCommit,
          tally,
          seconds: run!.elapsedMs / 1000,
          index,
          append: percentiles(run!.latencies),
        };
        console.log(
          `  ${workload}: ${Math.round(measurement.achievedCommitsPerSecond)} commits/s achieved; ${index.batches} index batches ` +
            `(${(index.commits / index.batches).toFixed(1)} commits, ${Math.round(index.itemBytes / index.batches)} B each), ${index.writeUnits} WU`,
        );
        measurements.push(measurement);
      }
    }
    return measurements;
  } finally {
    await app.close();
    client.destroy();
  }
}

/**
 * Waits until the app's indexer is indexing (not reconciling). The warm-up's first commits land
 * before the indexer has started, on a table whose index is empty, so it reconciles: and after a
 * reconciliation it reads the index back (strongly consistent Queries), which must not fall into
 * the first measured run. Once the index holds every commit written so far, it is indexing again
 * only after that read.
 */
async function indexerIndexing(app: FeedApp): Promise<void> {
  const service = app.context.get(FeedIndexerService);
  const deadline = Date.now() + 30_000;
  while (service.status()?.state !== 'indexing') {
    if (Date.now() > deadline) throw new Error(`paced writes: the feed indexer is ${service.status()?.state} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface PlannedCommit {
  readonly streamId: string;
  readonly expectedVersion: number;
  readonly events: readonly BankEvent[];
}

/** The run's commits, generated before it starts: streams in rotation, each at the version its previous commit left. */
function pacedPlan(seed: number, commits: number, eventsPerCommit: number): PlannedCommit[] {
  const generator = new EventGenerator(seed);
  const streams = Array.from({ length: Math.min(CONFIG.streams, commits) }, () => generator.accountStreamId());
  return Array.from({ length: commits }, (_, k) => {
    const streamId = streams[k % streams.length]!;
    return { streamId, expectedVersion: Math.floor(k / streams.length) * eventsPerCommit, events: generator.batch(streamId, eventsPerCommit) };
  });
}

/** Sends the commits at `commitsPerSecond`; resolves to the time from the first due time to the last acknowledgement, and each append's latency. */
async function runPaced(app: FeedApp, plan: readonly PlannedCommit[], commitsPerSecond: number): Promise<{ elapsedMs: number; latencies: number[] }> {
  const latencies: number[] = [];
  const chains = new Map<string, Promise<void>>();
  let inFlight = 0;
  let freed: (() => void) | undefined;
  const append = async ({ streamId, expectedVersion, events }: PlannedCommit): Promise<void> => {
    const sent = performance.now();
    await app.store.append(streamId, events, { expectedVersion, publish: false });
    latencies.push(performance.now() - sent);
  };
  const startedAt = performance.now() + 20;
  for (let k = 0; k < plan.length; k++) {
    const wait = startedAt + (k * 1000) / commitsPerSecond - performance.now();
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight >= CONFIG.maxInFlight) await new Promise<void>((resolve) => (freed = resolve));
    const commit = plan[k]!;
    inFlight++;
    const chained = (chains.get(commit.streamId) ?? Promise.resolve()).then(() => append(commit)).finally(() => {
      inFlight--;
      freed?.();
    });
    chains.set(commit.streamId, chained);
  }
  await Promise.all(chains.values());
  return { elapsedMs: performance.now() - startedAt, latencies };
}

/**
 * `npm run bench`: the module's throughput and cost against a raw AWS SDK baseline doing the same
 * kind of calls, on DynamoDB Local (or DYNAMODB_ENDPOINT), and the memory of a slow feed consumer.
 * Prints tables and writes bench/results.json. Targets are reported, never enforced: the process
 * exits 0 when the run completes.
 *
 * BENCH_ONLY=<groups> (comma-separated: writes, paced, latency, read, replay, aggregates, snapshots,
 * memory, projections, telemetry, lifecycle) runs only those workloads, for iterating on one; such a
 * partial run leaves bench/results.json alone. BENCH_MAIN_FEED=<JSON> sets the main app's `feed`
 * option (`false`: no stream, no indexer; `{"indexer":false}`: the stream but no indexer), to
 * compare the write rows with the feed's parts off; it skips the other feed groups and also leaves
 * bench/results.json alone. BENCH_LIFECYCLE_REFERENCE=<git ref> (default b1bbe9e, `none` to skip)
 * is the code the lifecycle group's "before" rows run (bench/lifecycle-cost.ts).
 */
import 'reflect-metadata';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { FeedOptions } from '../lib/index.js';
import { CapacityMeter } from './capacity-meter.js';
import { aggregateLoadWithoutSnapshotWorkload, aggregateLoadWithSnapshotWorkload } from './aggregate-workloads.js';
import { BaselineContender, ModuleContender, type Contender } from './contenders.js';
import { benchTableName, createBaselineSnapshotsTable, createBaselineTable, createEventsTables, deleteTables, openDynamoDbTarget } from './dynamodb-target.js';
import { EventGenerator, entrySize } from './event-generator.js';
import { FeedIndexProbe, phaseIndexCost } from './feed-index-probe.js';
import { feedLatencyWorkload } from './feed-latency-workload.js';
import { printLatencyReport, printPacedWriteReport } from './feed-report.js';
import { interleavedRounds, type Round } from './interleaved-rounds.js';
import { slowConsumerMemoryWorkload, type MemoryMeasurement } from './memory-workload.js';
import { startModuleApp, type ModuleApp } from './module-app.js';
import { pacedWriteWorkloads } from './paced-write-workload.js';
import { projectionLagTables, projectionLagWorkload } from './projection-lag.js';
import { printProjectionThroughputReport, projectionThroughputTables, projectionThroughputWorkload, type ProjectionThroughputResult } from './projection-throughput.js';
import { printMemoryReport, printReport, writeResults, type ContenderCost, type UnitTarget, type WorkloadMeasurement } from './report.js';
import { feedReplayWorkload, streamReplayWorkload } from './replay-workloads.js';
import { BaselineSnapshotContender, ModuleSnapshotContender } from './snapshot-contenders.js';
import { snapshotLoadWorkload, snapshotSaveWorkload } from './snapshot-workloads.js';
import { runFullRead, runWritePlan, writePlan, type WritePlan } from './workloads.js';
import { printTelemetryCost, telemetryCostWorkload } from './telemetry-cost.js';
import { lifecycleCostWorkload, printLifecycleCost } from './lifecycle-cost.js';

/**
 * Sized to take under two minutes on 2 cores with DynamoDB Local (the aggregate and snapshot
 * workloads, sized in their own files, add about a minute; the replay and memory workloads about
 * two and a half; the paced writes and the feed latency about a minute and a half; the telemetry and
 * lifecycle groups about a minute each, plus ~10 s the first time for the lifecycle group's build of
 * the code before issue 13: bench/reference-build.ts).
 */
const CONFIG = {
  rounds: 11,
  /** Streams in flight at once in the write workloads. */
  concurrency: 8,
  /**
   * warmupCommits: per contender, before the timed rounds. DynamoDB Local's JVM needs thousands of
   * requests before its rates settle (in trials they rose 4x over the first ~6,000 and still crept
   * up after), so the first workload warms up longest.
   */
  oneEventCommits: { streams: 150, commitsPerStream: 10, warmupCommits: 8_000 },
  tenEventCommits: { streams: 100, commitsPerStream: 10, warmupCommits: 500 },
  /** A single read of 10,000 events takes ~0.15 s: each round reads the stream several times. Reads warm up slowly too. */
  read: { streamEvents: 10_000, eventsPerCommit: 10, warmupReads: 15, readsPerRound: 5 },
};

const RESULTS_PATH = fileURLToPath(new URL('../../bench/results.json', import.meta.url));

const GROUPS = ['writes', 'paced', 'latency', 'read', 'replay', 'aggregates', 'snapshots', 'memory', 'projections', 'telemetry', 'lifecycle'] as const;
type Group = (typeof GROUPS)[number];
/** Groups that need the feed: skipped with BENCH_MAIN_FEED. */
const FEED_GROUPS: readonly Group[] = ['paced', 'latency', 'replay', 'memory', 'projections'];

/** The main app's `feed` option: the default, or BENCH_MAIN_FEED's. */
const MAIN_FEED = process.env.BENCH_MAIN_FEED === undefined ? undefined : (JSON.parse(process.env.BENCH_MAIN_FEED) as FeedOptions | false);
const FEED_OFF = MAIN_FEED !== undefined;

/** The workload groups to run: all of them, or those BENCH_ONLY names. */
function selectedGroups(): ReadonlySet<Group> {
  const only = process.env.BENCH_ONLY?.trim();
  if (FEED_OFF) return new Set((only ? only.split(',').map((name) => name.trim() as Group) : GROUPS).filter((group) => !FEED_GROUPS.includes(group)));
  if (!only) return new Set(GROUPS);
  const names = only.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(GROUPS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown group(s) ${unknown.join(', ')}; known: ${GROUPS.join(', ')}`);
  return new Set(names as Group[]);
}

/** The stream the read and replay workloads read: 10,000 events, written once by the module. */
interface ReadStream {
  readonly streamId: string;
}

/** The module and the baseline, each on its own metered client and table. */
interface Contenders {
  readonly module: ModuleContender;
  readonly baseline: Contender;
  readonly meters: { readonly module: CapacityMeter; readonly baseline: CapacityMeter };
  /** The module's table's feed index, read with an unmetered client; undefined with BENCH_MAIN_FEED. */
  readonly index?: FeedIndexProbe;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // Node 20 notice: noise in a report
  const groups = selectedGroups();
  const started = Date.now();
  const target = await openDynamoDbTarget();
  console.log(`nestjs-dynamo-es benchmark on ${target.description}; node ${process.version}, ${cpus().length} CPUs`);
  describeEvents();
  const meters = { module: new CapacityMeter(), baseline: new CapacityMeter() };
  // One client each, same config: neither shares the other's connections. The observer has no
  // meter: the benchmark's own reads (the feed index's head and batches), which no contender pays.
  const clients = {
    module: new DynamoDBClient(target.clientConfig),
    baseline: new DynamoDBClient(target.clientConfig),
    observer: new DynamoDBClient(target.clientConfig),
  };
  meters.module.attach(clients.module);
  meters.baseline.attach(clients.baseline);
  // The feed workloads each get a table of their own: a feed read reads every commit of its table.
  const tables = {
    module: benchTableName('module'),
    baseline: benchTableName('baseline'),
    feed: benchTableName('feed'),
    memory: benchTableName('memory'),
    paced: benchTableName('paced'),
    latency: benchTableName('latency'),
  };
  const snapshotTables = { module: `${tables.module}-snapshots`, baseline: `${tables.baseline}-snapshots` };
  const latencyProjections = `${tables.latency}-projections`;
  // The partitioned projection workloads: an events table and a projections table each.
  const projectionTables = { throughput: projectionThroughputTables(), lag: projectionLagTables() };
  let app: ModuleApp | undefined;
  try {
    // Every events table first, its stream started, before anything is written (see createEventsTables).
    const { baseline: _baseline, ...eventsTables } = tables;
    await createEventsTables(
      clients.observer,
      FEED_OFF
        ? Object.values(eventsTables).filter((name) => name !== tables.module)
        : [...Object.values(eventsTables), projectionTables.throughput.events, projectionTables.lag.events],
    );
    // The main app: the module's default feed (its indexer in this app, reading the table's stream), or BENCH_MAIN_FEED's.
    app = await startModuleApp(clients.module, { events: tables.module, snapshots: snapshotTables.module }, MAIN_FEED ?? {});
    if (FEED_OFF) console.log(`BENCH_MAIN_FEED: the main app runs with feed: ${JSON.stringify(MAIN_FEED)}; the feed index's cost is not measured`);
    await createBaselineTable(clients.baseline, tables.baseline);
    await createBaselineSnapshotsTable(clients.baseline, snapshotTables.baseline);
    const contenders: Contenders = {
      module: new ModuleContender(app.store),
      baseline: new BaselineContender(clients.baseline, tables.baseline, tables.module),
      meters,
      index: FEED_OFF ? undefined : new FeedIndexProbe(clients.observer, tables.module),
    };
    const measurements: WorkloadMeasurement[] = [];
    if (groups.has('writes')) {
      // Each commit is one item (at most 1 WU per event alone, 0.5 for 10 events) plus its share of a feed index batch (<= 0.1 WU).
      measurements.push(
        await writeWorkload(contenders, '1-event commits', 1, CONFIG.oneEventCommits, [{ kind: 'table WU/event', max: 1 }, { kind: 'index WU/commit', max: 0.1 }]),
        await writeWorkload(contenders, '10-event commits', 10, CONFIG.tenEventCommits, [{ kind: 'table WU/event', max: 0.5 }, { kind: 'index WU/commit', max: 0.1 }]),
      );
    }
    const paced = groups.has('paced') ? await pacedWriteWorkloads(target.clientConfig, clients.observer, tables.paced) : [];
    const latency = groups.has('latency') ? await feedLatencyWorkload(clients.observer, target.clientConfig, { events: tables.latency, projections: latencyProjections }) : undefined;
    if (groups.has('read') || groups.has('replay')) {
      const stream = await writeReadStream(contenders);
      if (groups.has('read')) measurements.push(await readWorkload(contenders, stream));
      if (groups.has('replay')) {
        const replays = { store: app.store, clients, meters };
        const { streamEvents, eventsPerCommit } = CONFIG.read;
        measurements.push(
          await streamReplayWorkload(replays, { tableName: tables.module, streamId: stream.streamId, events: streamEvents, eventsPerCommit }),
          await feedReplayWorkload(replays, tables.feed),
        );
      }
    }
    if (groups.has('aggregates')) {
      // Aggregate loads: the baseline reads the module's tables, as the read workload does.
      const aggregates = { app, baselineClient: clients.baseline, tables: { events: tables.module, snapshots: snapshotTables.module }, meters };
      measurements.push(await aggregateLoadWithoutSnapshotWorkload(aggregates), await aggregateLoadWithSnapshotWorkload(aggregates));
    }
    if (groups.has('snapshots')) {
      // Snapshot saves and loads: each side in its own snapshots table.
      const snapshots = {
        contenders: { module: new ModuleSnapshotContender(app.snapshots), baseline: new BaselineSnapshotContender(clients.baseline, snapshotTables.baseline) },
        meters,
      };
      measurements.push(await snapshotSaveWorkload(snapshots), await snapshotLoadWorkload(snapshots));
    }
    const projectionThroughput: ProjectionThroughputResult[] = groups.has('projections') ? await projectionThroughputWorkload(target.clientConfig, projectionTables.throughput) : [];
    const projectionLag = groups.has('projections') ? await projectionLagWorkload(clients.observer, target.clientConfig, projectionTables.lag) : undefined;
    const memory: MemoryMeasurement[] = groups.has('memory') ? await slowConsumerMemoryWorkload(clients.module, clients.observer, target.clientConfig, tables.memory) : [];
    const telemetryCost = groups.has('telemetry') ? await telemetryCostWorkload(target.clientConfig, `${tables.module}-telemetry`) : undefined;
    const lifecycleCost = groups.has('lifecycle') ? await lifecycleCostWorkload(target.clientConfig, `${tables.module}-lifecycle`) : undefined;
    const results = [
      ...(measurements.length > 0 ? printReport(measurements) : []),
      ...(paced.length > 0 ? printPacedWriteReport(paced) : []),
      ...(latency !== undefined ? [printLatencyReport(latency)] : []),
      ...(projectionThroughput.length > 0 ? printProjectionThroughputReport(projectionThroughput) : []),
      ...(projectionLag !== undefined ? [printLatencyReport(projectionLag, 'Projection lag (a partitioned projection over 2 instances)')] : []),
      ...(memory.length > 0 ? printMemoryReport(memory) : []),
      ...(telemetryCost !== undefined ? [printTelemetryCost(telemetryCost)] : []),
      ...(lifecycleCost !== undefined ? [printLifecycleCost(lifecycleCost)] : []),
    ];
    if (groups.size === GROUPS.length && !FEED_OFF) {
      writeResults(RESULTS_PATH, results);
      console.log(`\nWrote ${RESULTS_PATH}`);
    } else {
      console.log(`\n${FEED_OFF ? 'BENCH_MAIN_FEED' : `BENCH_ONLY=${process.env.BENCH_ONLY}`}: a partial run, ${RESULTS_PATH} left as it was`);
    }
  } finally {
    await app?.close();
    const all = [...Object.values(tables), snapshotTables.module, snapshotTables.baseline, latencyProjections, ...Object.values(projectionTables).flatMap((t) => [t.events, t.projections])];
    await deleteTables(clients.observer, all);
    clients.module.destroy();
    clients.baseline.destroy();
    clients.observer.destroy();
    await target.stop();
    console.log(`Bench wall time: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
}

/** Many streams appended to at exact expected versions, `eventsPerCommit` events per commit. */
async function writeWorkload(
  contenders: Contenders,
  workload: string,
  eventsPerCommit: number,
  shape: { streams: number; commitsPerStream: number; warmupCommits: number },
  unitTargets: readonly UnitTarget[],
): Promise<WorkloadMeasurement> {
  const { streams, commitsPerStream, warmupCommits } = shape;
  const seed = 1_000 * eventsPerCommit; // fixed per workload and round: every run writes the same events
  const planOf = (offset: number, streamCount = streams) => writePlan(seed + offset, streamCount, commitsPerStream, eventsPerCommit);
  const write = (plan: WritePlan) => (contender: Contender) => runWritePlan(contender, plan, CONFIG.concurrency);

  console.log(`${workload}: warm-up (${warmupCommits} commits each), ${CONFIG.rounds} timed rounds of ${streams * commitsPerStream} commits, 1 cost round`);
  await interleavedRounds(1, contenders.module, contenders.baseline, write(planOf(-1, Math.ceil(warmupCommits / commitsPerStream))));
  const round: Round = (contender, r) => runWritePlan(contender, planOf(r), CONFIG.concurrency);
  const rates = await interleavedRounds(CONFIG.rounds, contenders.module, contenders.baseline, round);

  const costPlan = planOf(CONFIG.rounds);
  const cost = async (name: 'module' | 'baseline'): Promise<ContenderCost> => ({
    tally: await contenders.meters[name].measure(() => write(costPlan)(contenders[name])),
    events: costPlan.events,
    operations: costPlan.commits,
  });
  // The module's cost round starts once the indexer has indexed every earlier commit, so that the
  // batches after the head then hold the round's commits and nothing else.
  const before = await contenders.index?.waitForHead(contenders.module.commits, 60_000, workload);
  const moduleCost = await cost('module');
  const index =
    contenders.index === undefined
      ? undefined
      : await phaseIndexCost(contenders.index, before!, costPlan.commits, new Set(costPlan.streams.map((s) => s.streamId)), workload);
  return {
    workload,
    rates,
    operation: 'commit',
    costs: { module: moduleCost, baseline: await cost('baseline') },
    unitTargets,
    index,
    eventsPerCommit,
  };
}

/** One stream of 10,000 events (in 10-event commits), written once by the module: the baseline reads the same items from the module's table. */
async function writeReadStream(contenders: Contenders): Promise<ReadStream> {
  const { streamEvents, eventsPerCommit } = CONFIG.read;
  const generator = new EventGenerator(77);
  const streamId = generator.accountStreamId();
  const commits = Array.from({ length: streamEvents / eventsPerCommit }, () => generator.batch(streamId, eventsPerCommit));
  console.log(`${streamEvents.toLocaleString('en-US')}-event stream for the read and replay workloads: writing it once (${commits.length} commits, by the module)`);
  let version = 0;
  for (const events of commits) version = await contenders.module.append(streamId, events, version);
  return { streamId };
}

/** The stream of writeReadStream(), read whole, forwards, several times a round. */
async function readWorkload(contenders: Contenders, { streamId }: ReadStream): Promise<WorkloadMeasurement> {
  const { streamEvents, warmupReads, readsPerRound } = CONFIG.read;
  const workload = `read ${streamEvents.toLocaleString('en-US')}-event stream`;
  console.log(`${workload}: ${warmupReads} warm-up reads, ${CONFIG.rounds} timed rounds of ${readsPerRound} reads, 1 cost read`);
  const read = (times: number) => (contender: Contender) => runFullRead(contender, streamId, streamEvents, times);
  await interleavedRounds(warmupReads, contenders.module, contenders.baseline, read(1));
  const rates = await interleavedRounds(CONFIG.rounds, contenders.module, contenders.baseline, read(readsPerRound));

  const cost = async (name: 'module' | 'baseline'): Promise<ContenderCost> => ({
    tally: await contenders.meters[name].measure(() => read(1)(contenders[name])),
    events: streamEvents,
    operations: 1,
  });
  return { workload, rates, operation: 'read', costs: { module: await cost('module'), baseline: await cost('baseline') } };
}

/** The size of the generated events, so the units per event can be checked by hand. */
function describeEvents(): void {
  const generator = new EventGenerator(1);
  const sizes = generator.batch(generator.accountStreamId(), 2_000).map(entrySize);
  const mean = sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
  console.log(`Events: JSON of ${Math.min(...sizes)}..${Math.max(...sizes)} bytes, mean ${mean.toFixed(0)} (as stored: {"type":...,"data":...})`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

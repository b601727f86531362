import { CreateTableCommand, DynamoDBClient, waitUntilTableExists, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { projectionsTableDefinition } from '../lib/tables/projections-table.js';
import { EventGenerator } from './event-generator.js';
import { FeedIndexProbe } from './feed-index-probe.js';
import { startFeedApp } from './module-app.js';
import type { FromThroughputChild, ThroughputTask } from './projection-throughput-process.js';
import { printTable, roundRate, round } from './report.js';

/**
 * 20,000 events (200 streams x 100, in 10-event commits) written once, then read by a fresh
 * projection per run: 8 partitions over 1, 2 and 4 app instances, and the same handler in one
 * unpartitioned projection (as in 0.4) for reference, measured over its first 4,000 events (the
 * whole feed would take ~45 s at one handler call at a time).
 */
const CONFIG = {
  streams: 200,
  eventsPerStream: 100,
  eventsPerCommit: 10,
  handlerDelayMs: 2,
  partitions: 8,
  instances: [1, 2, 4],
  unpartitionedEvents: 4_000,
  /** Short, so that instances starting a few hundred ms apart share the partitions within about a second. */
  leaseTtlMs: 3_000,
};

/** The projection throughput rows of bench/results.json. */
export interface ProjectionThroughputResult {
  workload: string;
  /** Events handled per second, from the moment every instance was told to start the projection to the last handler call. */
  module_per_s: number;
  baseline_per_s: null;
  /** module_per_s / (instances x the single-instance rate of the same 8-partition projection); 1 for one instance; null for the unpartitioned reference. */
  ratio: number | null;
  write_units_per_event: null;
  read_units_per_event: null;
  instances: number;
  partitions: number;
  /** Partitions one instance handled at once. */
  concurrency: number;
  events: number;
  seconds: number;
  handler_ms: number;
  /** module_per_s over the unpartitioned projection's rate (one handler call at a time, as in 0.4). */
  vs_unpartitioned: number | null;
}

interface Run {
  readonly instances: number;
  readonly partitions: number;
  /** Partitions one instance handles at once; undefined: all it holds (the default). */
  readonly concurrency?: number;
  readonly events: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/** The workload's tables, to create with the other events tables at the start of the bench (see createEventsTables). */
export function projectionThroughputTables(): { events: string; projections: string } {
  const id = randomBytes(4).toString('hex');
  return { events: `bench-projection-${id}`, projections: `bench-projection-${id}-projections` };
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Throughput of one projection whose handler waits 2 ms per event, with its 8 partitions shared by
 * 1, 2 and 4 app instances (separate processes, started together), over the same 20,000 events.
 */
export async function projectionThroughputWorkload(clientConfig: DynamoDBClientConfig, tables: { events: string; projections: string }): Promise<ProjectionThroughputResult[]> {
  const { streams, eventsPerStream, eventsPerCommit, partitions, handlerDelayMs, unpartitionedEvents } = CONFIG;
  const total = streams * eventsPerStream;
  const client = new DynamoDBClient(clientConfig);
  try {
    await client.send(new CreateTableCommand(projectionsTableDefinition(tables.projections)));
    await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: tables.projections });
    console.log(`projection throughput: writing ${count(total)} events (${count(streams)} streams, ${eventsPerCommit}-event commits), indexed by the writing app`);
    const writer = await startFeedApp(client, tables.events, 'none');
    try {
      const generator = new EventGenerator(9_001);
      const ids = Array.from({ length: streams }, () => generator.accountStreamId());
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < ids.length; i = next++) {
          for (let version = 0; version < eventsPerStream; version += eventsPerCommit) {
            await writer.store.append(ids[i]!, generator.batch(ids[i]!, eventsPerCommit), { expectedVersion: version === 0 ? 'no-stream' : version, publish: false });
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      await new FeedIndexProbe(client, tables.events).waitForHead(total / eventsPerCommit, 60_000, 'projection throughput');
    } finally {
      await writer.close();
    }

    const runs: Run[] = [];
    const runOnce = async (instances: number, runPartitions: number, events: number, concurrency?: number): Promise<Run> => {
      const task: Omit<ThroughputTask, 'projection'> = {
        clientConfig,
        eventsTable: tables.events,
        projectionsTable: tables.projections,
        partitions: runPartitions,
        concurrency,
        leaseTtlMs: CONFIG.leaseTtlMs,
        handlerDelayMs,
      };
      const run = { ...(await runInstances({ ...task, projection: `bench-throughput-p${runPartitions}-c${concurrency ?? 'all'}-n${instances}` }, instances, events)), concurrency };
      console.log(
        `  ${instances} instance(s), ${runPartitions} partition(s), ${concurrency ?? 'all'} at once per instance: ${count(run.events)} events in ${run.seconds.toFixed(2)} s, ${roundRate(run.perSecond)}/s`,
      );
      runs.push(run);
      return run;
    };
    console.log(`projection throughput: handler waits ${handlerDelayMs} ms per event (setTimeout); ${partitions} partitions over ${CONFIG.instances.join(', ')} instances, each a process`);
    const unpartitioned = await runOnce(1, 1, unpartitionedEvents);
    // As the issue frames it: each instance calls one handler at a time (concurrency 1), so instances are what scale.
    for (const instances of CONFIG.instances) await runOnce(instances, partitions, total, 1);
    // The default: an instance handles every partition it holds at once, so one instance already gets the partitions' parallelism.
    for (const instances of CONFIG.instances) await runOnce(instances, partitions, total);

    const singleOf = (run: Run) => runs.find((other) => other.partitions === run.partitions && other.concurrency === run.concurrency && other.instances === 1)!;
    const results = runs.map((run): ProjectionThroughputResult => ({
      workload:
        run.partitions === 1
          ? 'projection throughput, 1 partition (unpartitioned, as 0.4), 1 instance'
          : `projection throughput, ${run.instances} instance${run.instances === 1 ? '' : 's'}${run.concurrency === undefined ? ', every partition at once (default)' : ''}`,
      module_per_s: roundRate(run.perSecond),
      baseline_per_s: null,
      ratio: run.partitions === 1 ? null : round(run.perSecond / (run.instances * singleOf(run).perSecond), 3),
      write_units_per_event: null,
      read_units_per_event: null,
      instances: run.instances,
      partitions: run.partitions,
      concurrency: run.concurrency ?? run.partitions,
      events: run.events,
      seconds: round(run.seconds, 2),
      handler_ms: handlerDelayMs,
      vs_unpartitioned: round(run.perSecond / unpartitioned.perSecond, 2),
    }));
    return results;
  } finally {
    client.destroy();
  }
}

/** Prints the rows; the target (>= 0.8 for 2 and 4 instances) is reported, not enforced. */
export function printProjectionThroughputReport(results: readonly ProjectionThroughputResult[]): ProjectionThroughputResult[] {
  console.log(`\nProjection throughput (handler waits ${CONFIG.handlerDelayMs} ms per event; ratio = rate / (instances x the 1-instance rate); target >= 0.8 for 2 and 4):`);
  printTable(
    ['workload', 'events', 's', 'events/s', 'ratio', 'x unpartitioned'],
    results.map((r) => [r.workload, count(r.events), r.seconds.toFixed(2), String(r.module_per_s), r.ratio === null ? '-' : r.ratio.toFixed(3), String(r.vs_unpartitioned)]),
  );
  for (const r of results) {
    if (r.instances === 1 || r.partitions === 1) continue;
    if (r.concurrency === 1) {
      console.log(`${r.ratio !== null && r.ratio >= 0.8 ? 'PASS' : 'MISS'}: ${r.instances} instances, one partition at a time per instance, ratio ${r.ratio}`);
    } else {
      // One instance already runs every partition at once: for an I/O-bound handler, instances add CPU and connections, not parallelism.
      console.log(`(default, every partition at once: ${r.instances} instances at ${r.vs_unpartitioned}x the unpartitioned rate; ratio ${r.ratio} against one instance, which already runs all ${r.partitions})`);
    }
  }
  return [...results];
}

/** Starts `instances` processes of the projection together; resolves once they have handled `events` in all. */
async function runInstances(task: ThroughputTask, instances: number, events: number): Promise<Run> {
  const children: ChildProcess[] = [];
  const last = new Map<ChildProcess, Extract<FromThroughputChild, { type: 'handled' }>>();
  const ready = new Set<ChildProcess>();
  let failure: Error | undefined;
  const waitUntil = async (what: string, done: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (failure !== undefined) throw failure;
      if (Date.now() > deadline) throw new Error(`projection throughput: ${what} did not happen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  try {
    for (let i = 0; i < instances; i++) {
      const child = fork(fileURLToPath(new URL('./projection-throughput-process.js', import.meta.url)), [], {
        env: { ...process.env, BENCH_PROJECTION_TASK: JSON.stringify(task) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      child.on('message', (message: FromThroughputChild) => {
        if (message.type === 'ready') ready.add(child);
        if (message.type === 'handled') last.set(child, message);
        if (message.type === 'failed') failure ??= new Error(`a projection instance failed: ${message.message}`);
      });
      child.on('exit', (code) => {
        if (code !== 0 && code !== null) failure ??= new Error(`a projection instance exited with code ${code}`);
      });
    }
    await waitUntil('every instance is up', () => ready.size === instances, 90_000);
    const goAt = Date.now();
    for (const child of children) child.send({ type: 'go' });
    const handled = () => [...last.values()].reduce((sum, m) => sum + m.count, 0);
    await waitUntil(`${events} events handled`, () => handled() >= events, 180_000);
    const reports = [...last.values()].filter((m) => m.lastAt !== undefined);
    // From the word go (the instances start their projections then), not from the first handler call: the rounds that share the partitions out are part of it.
    const firstAt = goAt;
    const lastAt = Math.max(...reports.map((m) => m.lastAt!));
    const done = handled();
    return { instances, partitions: task.partitions, events: done, seconds: (lastAt - firstAt) / 1000, perSecond: (done * 1000) / (lastAt - firstAt) };
  } finally {
    await Promise.all(children.map(closeChild));
  }
}

function closeChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ type: 'close' });
    else child.kill('SIGTERM');
  });
}

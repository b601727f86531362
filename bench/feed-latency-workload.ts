import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FeedIndexerOptions, ProjectionOptions } from '../lib/index.js';
import { FeedIndexProbe } from './feed-index-probe.js';
import type { FromLatencyChild, GoMessage, Handled, LatencyTask } from './feed-latency-process.js';
import { startFeedApp } from './module-app.js';

/**
 * 100 commits/s for 20 s from 3 writer processes; the first seconds are a warm-up (the children's
 * JIT, DynamoDB Local's), left out of the figures. Streams: each gets a commit every 1.5 s.
 */
const CONFIG = {
  writers: 3,
  commitsPerSecond: 100,
  warmupSeconds: 4,
  measuredSeconds: 16,
  streamsPerWriter: 50,
};

/**
 * The indexer's and the projection's options: the defaults, unless BENCH_LATENCY_OPTIONS (JSON
 * `{ "indexer": {...}, "projection": {...} }`) says otherwise, to try other settings.
 */
function latencyOptions(): { indexer: FeedIndexerOptions; projection: ProjectionOptions } {
  const given = JSON.parse(process.env.BENCH_LATENCY_OPTIONS ?? '{}') as { indexer?: FeedIndexerOptions; projection?: ProjectionOptions };
  return { indexer: given.indexer ?? {}, projection: given.projection ?? {} };
}

/** Percentiles of a list of durations, ms. */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Acknowledgement to handler, and its two legs: to the index batch that holds the commit, and from that batch to the handler. */
export interface LatencyMeasurement {
  readonly workload: string;
  readonly writers: number;
  readonly offeredCommitsPerSecond: number;
  readonly achievedCommitsPerSecond: number;
  /** Commits measured (after the warm-up). */
  readonly samples: number;
  readonly ackToHandler: Percentiles;
  /** Acknowledgement to the index batch holding the commit (its `writtenAt`, set by the indexer as it builds the batch): the indexer's stream poll, its ingestion, up to its PutItem. */
  readonly ackToIndexed: Percentiles;
  /** That batch to the handler: the PutItem, the follower's poll of the index, its read of the index and the commit (BatchGetItem), the handler call. */
  readonly indexedToHandler: Percentiles;
  /** Append latency as the writers saw it (sent to acknowledged). */
  readonly append: Percentiles;
  readonly commitsPerIndexBatch: number;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Feed latency across processes: writers append 1-event commits through the module at a paced total
 * of 100 commits/s (the in-app indexer runs in whichever writer holds its lease, as in a deployment
 * where every app instance may index), and a follower process runs a `@Projection` with the default
 * options (`feed: { indexer: false }`: it learns of commits only by polling the feed index). For
 * each commit: handler time minus acknowledgement time, joined by stream and version (the
 * acknowledgement time cannot travel in the event itself: the event is stored before its append
 * is acknowledged). The index batches read back afterwards tell where the time went.
 */
export async function feedLatencyWorkload(
  observer: DynamoDBClient,
  clientConfig: DynamoDBClientConfig,
  tables: { readonly events: string; readonly projections: string },
): Promise<LatencyMeasurement> {
  const { writers, commitsPerSecond, warmupSeconds, measuredSeconds, streamsPerWriter } = CONFIG;
  const options = latencyOptions();
  const settings = process.env.BENCH_LATENCY_OPTIONS === undefined ? 'default options' : `options ${process.env.BENCH_LATENCY_OPTIONS}`;
  const workload = `feed latency, ${commitsPerSecond} commits/s from ${writers} writer processes, indexer in a writer, @Projection in another process, ${settings} (ack to handler)`;
  // The parent only creates the table (with its stream): no indexer here.
  const setup = await startFeedApp(observer, tables.events, 'create', { feed: { indexer: false } });
  await setup.close();
  const children: ChildProcess[] = [];
  const messages = new Map<ChildProcess, FromLatencyChild[]>();
  const failure: { error?: Error } = {};
  const start = (task: LatencyTask): ChildProcess => {
    const child = fork(fileURLToPath(new URL('./feed-latency-process.js', import.meta.url)), [], {
      env: { ...process.env, BENCH_FEED_LATENCY: JSON.stringify(task) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    messages.set(child, []);
    child.on('message', (message: FromLatencyChild) => {
      messages.get(child)!.push(message);
      if (message.type === 'failed') failure.error ??= new Error(`a ${task.role} process failed: ${message.message}`);
    });
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) failure.error ??= new Error(`a ${task.role} process exited with code ${code}`);
    });
    return child;
  };
  const received = (child: ChildProcess, type: FromLatencyChild['type']) => messages.get(child)!.filter((m) => m.type === type);
  const waitUntil = async (what: string, done: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (failure.error !== undefined) throw failure.error;
      if (Date.now() > deadline) throw new Error(`feed latency workload: ${what} did not happen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  try {
    const started = Date.now();
    const writerProcesses = Array.from({ length: writers }, (_, writer) => start({ role: 'writer', clientConfig, eventsTable: tables.events, writer, indexer: options.indexer }));
    const follower = start({ role: 'follower', clientConfig, eventsTable: tables.events, projectionsTable: tables.projections, projection: options.projection });
    await waitUntil('every child started its app', () => children.every((child) => received(child, 'ready').length > 0), 90_000);
    await waitUntil('the follower projection is live', () => received(follower, 'live').length > 0, 30_000);
    await waitUntil(
      'a writer runs the indexer',
      () => writerProcesses.some((child) => received(child, 'indexer').some((m) => m.type === 'indexer' && m.state === 'indexing')),
      30_000,
    );
    const indexing = writerProcesses.findIndex((child) => received(child, 'indexer').some((m) => m.type === 'indexer' && m.state === 'indexing'));
    const seconds = warmupSeconds + measuredSeconds;
    const perWriter = Math.round((commitsPerSecond * seconds) / writers);
    const intervalMs = (1000 * writers) / commitsPerSecond;
    const firstDueAt = Date.now() + 200;
    console.log(
      `${workload}: ${writers + 1} processes up in ${Date.now() - started} ms (the indexer in writer ${indexing}); ${count(perWriter * writers)} commits over ` +
        `${seconds} s, the first ${warmupSeconds} s a warm-up`,
    );
    writerProcesses.forEach((child, w) => {
      const go: GoMessage = { type: 'go', firstDueAt: firstDueAt + (w * intervalMs) / writers, intervalMs, commits: perWriter, streams: streamsPerWriter };
      child.send(go);
    });
    await waitUntil('every writer wrote its commits', () => writerProcesses.every((child) => received(child, 'done').length > 0), (seconds + 60) * 1000);
    const acks = writerProcesses.flatMap((child) => received(child, 'acks').flatMap((m) => (m.type === 'acks' ? m.acks : [])));
    const total = acks.length;
    const lastAck = Math.max(...acks.map((a) => a[3]));
    await waitUntil('the follower handled every commit', () => handledOf(follower).length >= total, 60_000);
    const handled = handledOf(follower);

    const probe = new FeedIndexProbe(observer, tables.events);
    await probe.waitForHead(total, 30_000, 'feed latency workload');
    const batches = await probe.batchesAfter(0);
    const indexedAt = new Map<string, number>();
    for (const batch of batches) for (const [streamId, version] of batch.commits) indexedAt.set(`${streamId}@${version}`, batch.writtenAt);
    const handledAt = new Map<string, number>();
    for (const [streamId, version, at] of handled) if (!handledAt.has(`${streamId}@${version}`)) handledAt.set(`${streamId}@${version}`, at);

    const measuredFrom = firstDueAt + warmupSeconds * 1000;
    const measured = acks.filter((a) => a[2] >= measuredFrom);
    const legs = measured.map(([streamId, version, sentAt, ackAt]) => {
      const key = `${streamId}@${version}`;
      const handler = handledAt.get(key);
      const indexed = indexedAt.get(key);
      if (handler === undefined || indexed === undefined) throw new Error(`feed latency workload: ${key} was ${handler === undefined ? 'never handled' : 'not in the index'}`);
      return { total: handler - ackAt, toIndex: indexed - ackAt, fromIndex: handler - indexed, append: ackAt - sentAt };
    });
    const measuredBatches = batches.filter((b) => b.writtenAt >= measuredFrom && b.writtenAt <= lastAck);
    return {
      workload,
      writers,
      offeredCommitsPerSecond: commitsPerSecond,
      achievedCommitsPerSecond: measured.length / ((Math.max(...measured.map((a) => a[3])) - measuredFrom) / 1000),
      samples: legs.length,
      ackToHandler: percentiles(legs.map((l) => l.total)),
      ackToIndexed: percentiles(legs.map((l) => l.toIndex)),
      indexedToHandler: percentiles(legs.map((l) => l.fromIndex)),
      append: percentiles(legs.map((l) => l.append)),
      commitsPerIndexBatch: measuredBatches.reduce((sum, b) => sum + b.commits.length, 0) / Math.max(1, measuredBatches.length),
    };
  } finally {
    await Promise.all(children.map((child) => closeChild(child)));
  }

  function handledOf(follower: ChildProcess): Handled[] {
    return messages.get(follower)!.flatMap((m) => (m.type === 'handled' ? m.events : []));
  }
}

/** Asks a child to close its app; kills it if it has not exited within 10 s. */
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

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}


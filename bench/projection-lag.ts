import { CreateTableCommand, type DynamoDBClient, type DynamoDBClientConfig, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RETRY } from '../lib/event-store/retry-policy.js';
import { partitionKeys } from '../lib/projections/partitions/partition-keys.js';
import { ProjectionStore } from '../lib/projections/projection-store.js';
import { projectionsTableDefinition } from '../lib/tables/projections-table.js';
import { FeedIndexProbe } from './feed-index-probe.js';
import { percentiles, type LatencyMeasurement } from './feed-latency-workload.js';
// Types only: the module is the child's script (it runs when imported).
import type { Ack, FromLatencyChild, GoMessage, Handled, LatencyTask } from './feed-latency-process.js';

/** The follower projection's name in feed-latency-process.ts (FOLLOWER_PROJECTION there). */
const FOLLOWER_PROJECTION = 'bench-latency-follower';

/**
 * 200 commits/s for 16 s from 2 writer processes (1-event commits; the in-app indexer runs in
 * whichever writer holds its lease), read by one partitioned projection (8 partitions) run by 2
 * follower instances, each a process (`feed: { indexer: false }`: they learn of commits only by
 * polling the feed index). The first 4 s are a warm-up, left out of the figures.
 */
const CONFIG = {
  writers: 2,
  followers: 2,
  partitions: 8,
  commitsPerSecond: 200,
  warmupSeconds: 4,
  measuredSeconds: 12,
  streamsPerWriter: 100,
};

/** The workload's tables, to create with the other events tables at the start of the bench (see createEventsTables). */
export function projectionLagTables(): { events: string; projections: string } {
  const id = randomBytes(4).toString('hex');
  return { events: `bench-projlag-${id}`, projections: `bench-projlag-${id}-projections` };
}

/**
 * Lag of a live partitioned projection: from each commit's acknowledgement (in a writer) to the
 * handler call with its event (in whichever follower holds the stream's partition), with the
 * projection's default options but `partitions`. The children are those of the feed latency
 * workload (feed-latency-process.ts); the index batches read back afterwards split the time.
 */
export async function projectionLagWorkload(observer: DynamoDBClient, clientConfig: DynamoDBClientConfig, tables: { events: string; projections: string }): Promise<LatencyMeasurement> {
  const { writers, followers, partitions, commitsPerSecond, warmupSeconds, measuredSeconds, streamsPerWriter } = CONFIG;
  const workload = `projection lag, ${commitsPerSecond} commits/s from ${writers} writer processes, a ${partitions}-partition @Projection over ${followers} instances (ack to handler)`;
  // Made here, before the followers start: two instances creating it at once would race.
  await observer.send(new CreateTableCommand(projectionsTableDefinition(tables.projections)));
  await waitUntilTableExists({ client: observer, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: tables.projections });
  const children: ChildProcess[] = [];
  const messages = new Map<ChildProcess, FromLatencyChild[]>();
  let failure: Error | undefined;
  const start = (task: LatencyTask): ChildProcess => {
    const child = fork(fileURLToPath(new URL('./feed-latency-process.js', import.meta.url)), [], {
      env: { ...process.env, BENCH_FEED_LATENCY: JSON.stringify(task) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    messages.set(child, []);
    child.on('message', (message: FromLatencyChild) => {
      messages.get(child)!.push(message);
      if (message.type === 'failed') failure ??= new Error(`a ${task.role} process failed: ${message.message}`);
    });
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) failure ??= new Error(`a ${task.role} process exited with code ${code}`);
    });
    return child;
  };
  const received = (child: ChildProcess, type: FromLatencyChild['type']) => messages.get(child)!.filter((m) => m.type === type);
  const waitUntil = async (what: string, done: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (failure !== undefined) throw failure;
      if (Date.now() > deadline) throw new Error(`projection lag workload: ${what} did not happen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  try {
    const writerProcesses = Array.from({ length: writers }, (_, writer) => start({ role: 'writer', clientConfig, eventsTable: tables.events, writer, indexer: {} }));
    const followerProcesses = Array.from({ length: followers }, () =>
      start({ role: 'follower', clientConfig, eventsTable: tables.events, projectionsTable: tables.projections, projection: { partitions } }),
    );
    await waitUntil('every child started its app', () => children.every((child) => received(child, 'ready').length > 0), 90_000);
    await waitUntil('a writer runs the indexer', () => writerProcesses.some((child) => received(child, 'indexer').some((m) => m.type === 'indexer' && m.state === 'indexing')), 30_000);
    // Steady state: the followers share the partitions (the first to start takes them all, and gives half up at its next
    // round, a third of the lease TTL later, which the other takes at its own next round) before anything is written.
    const store = new ProjectionStore(observer, tables.projections, DEFAULT_RETRY);
    const itemKeys = partitionKeys(FOLLOWER_PROJECTION, partitions);
    const pids = new Set(followerProcesses.map((child) => child.pid));
    let shared = false;
    while (!shared) {
      if (failure !== undefined) throw failure;
      const items = await store.readAll(itemKeys);
      const holders = itemKeys.map((key) => items.get(key)).map((item) => (item?.owner !== undefined && item.expiresAt >= Date.now() ? Number(item.owner.split(':').at(-2)) : undefined));
      shared = holders.every((pid) => pid !== undefined && pids.has(pid)) && [...pids].every((pid) => holders.filter((holder) => holder === pid).length === partitions / followers);
      if (!shared) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const seconds = warmupSeconds + measuredSeconds;
    const perWriter = Math.round((commitsPerSecond * seconds) / writers);
    const intervalMs = (1000 * writers) / commitsPerSecond;
    const firstDueAt = Date.now() + 200;
    writerProcesses.forEach((child, w) => {
      const go: GoMessage = { type: 'go', firstDueAt: firstDueAt + (w * intervalMs) / writers, intervalMs, commits: perWriter, streams: streamsPerWriter };
      child.send(go);
    });
    await waitUntil('every writer wrote its commits', () => writerProcesses.every((child) => received(child, 'done').length > 0), (seconds + 60) * 1000);
    const acks = writerProcesses.flatMap((child) => received(child, 'acks').flatMap((m) => (m.type === 'acks' ? m.acks : ([] as Ack[]))));
    const handledOf = (): Handled[] => followerProcesses.flatMap((child) => received(child, 'handled').flatMap((m) => (m.type === 'handled' ? m.events : [])));
    const keys = new Set(acks.map(([streamId, version]) => `${streamId}@${version}`));
    await waitUntil('the followers handled every commit', () => {
      const seen = new Set(handledOf().map(([streamId, version]) => `${streamId}@${version}`));
      return [...keys].every((key) => seen.has(key));
    }, 60_000);

    const probe = new FeedIndexProbe(observer, tables.events);
    await probe.waitForHead(acks.length, 30_000, 'projection lag workload');
    const batches = await probe.batchesAfter(0);
    const indexedAt = new Map<string, number>();
    for (const batch of batches) for (const [streamId, version] of batch.commits) indexedAt.set(`${streamId}@${version}`, batch.writtenAt);
    const handledAt = new Map<string, number>();
    for (const [streamId, version, at] of handledOf()) if (!handledAt.has(`${streamId}@${version}`)) handledAt.set(`${streamId}@${version}`, at);

    const measuredFrom = firstDueAt + warmupSeconds * 1000;
    const measured = acks.filter((a) => a[2] >= measuredFrom);
    const legs = measured.map(([streamId, version, sentAt, ackAt]) => {
      const key = `${streamId}@${version}`;
      const handler = handledAt.get(key)!;
      const indexed = indexedAt.get(key);
      if (indexed === undefined) throw new Error(`projection lag workload: ${key} is not in the index`);
      return { total: handler - ackAt, toIndex: indexed - ackAt, fromIndex: handler - indexed, append: ackAt - sentAt };
    });
    const lastAck = Math.max(...acks.map((a) => a[3]));
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

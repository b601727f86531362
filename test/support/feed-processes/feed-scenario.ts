import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_RETRY } from '../../../lib/event-store/retry-policy.js';
import type { IndexBatch } from '../../../lib/feed/index/index-batch.js';
import { FeedIndexTable } from '../../../lib/feed/index/feed-index-table.js';
import { indexProblems } from '../raw-commits.js';
import { createParentApp, deliveryProblems, feedTables, lastVersions, replayEverything, throttled, type ParentApp } from './feed-checks.js';
import type { Ack, FeedTables, IndexerFault } from './feed-messages.js';
import { FeedProcessGroup, type FeedChild } from './feed-process-group.js';
import type { FeedIndexerOptions } from '../../../lib/index.js';
import type { WriterPlan } from './writer-plan.js';

/** One multi-process feed test's world: its tables, its own app instance, its child processes, and every ack of its writers. */
export interface FeedScenario {
  readonly tables: FeedTables;
  readonly parent: ParentApp;
  readonly group: FeedProcessGroup;
  readonly acks: Ack[];
}

/** Creates the tables and the process group; `cleanups` gets what undoes them (run in reverse order). */
export async function feedScenario(label: string, cleanups: Array<() => Promise<void>>): Promise<FeedScenario> {
  const tables = feedTables(label);
  const parent = await createParentApp(tables);
  cleanups.push(() => parent.close());
  const group = FeedProcessGroup.create();
  cleanups.push(() => group.close());
  return { tables, parent, group, acks: [] };
}

const envOf = (scenario: FeedScenario): Record<string, string> => ({ FEED_TABLES: JSON.stringify(scenario.tables) });

/** Starts a writer process; its acks go to `scenario.acks`. */
export function startWriter(scenario: FeedScenario, plan: WriterPlan, options: { clockSkewMs?: number } = {}): FeedChild {
  const writer = scenario.group.start('writer', `writer ${plan.id}`, { ...envOf(scenario), WRITER_PLAN: JSON.stringify(plan) }, options);
  writer.on('acks', (message) => scenario.acks.push(...message.acks));
  writer.on('written', (message) => scenario.acks.push(message.ack));
  return writer;
}

/** Writers that append to streams of their own until told to stop, 1 to 3 events a commit, gently. */
export function startSteadyWriters(scenario: FeedScenario, count: number, streamsEach: number, commitsPerSecond: number): FeedChild[] {
  return Array.from({ length: count }, (_, w) =>
    startWriter(scenario, { id: `w${w}`, streams: Array.from({ length: streamsEach }, (_, i) => `steady-${w}-${i}`), commitsPerSecond, concurrency: 2, seed: 11 * (w + 1) }),
  );
}

/** Starts an indexer process (the module's in-app indexer), optionally with a fault it inflicts on itself. */
export function startIndexer(scenario: FeedScenario, name: string, options: FeedIndexerOptions, fault?: IndexerFault): FeedChild {
  return scenario.group.start('indexer', name, { ...envOf(scenario), INDEXER_OPTIONS: JSON.stringify(options), ...(fault === undefined ? {} : { INDEXER_FAULT: JSON.stringify(fault) }) });
}

/** Waits until the child's app is up. */
export async function ready(scenario: FeedScenario, ...children: FeedChild[]): Promise<void> {
  for (const child of children) await scenario.group.waitForMessage(child, 'ready', 'its app started', 60_000);
}

/** Waits until an indexer process reports `state` ('indexing': it holds the lease). */
export function indexerState(scenario: FeedScenario, indexer: FeedChild, state: string, timeoutMs = 30_000): Promise<unknown> {
  return scenario.group.waitUntil(`${indexer.name} is ${state}`, () => indexer.all('status').at(-1)?.state === state, timeoutMs);
}

/** Tells the writers to stop, waits until they have, and returns how many commits they made in all. */
export async function stopWriters(scenario: FeedScenario, writers: readonly FeedChild[]): Promise<number> {
  for (const writer of writers) writer.send({ type: 'stop' });
  await scenario.group.waitUntil('the writers have stopped', () => writers.every((writer) => writer.all('done').length > 0), 60_000);
  return writers.reduce((sum, writer) => sum + writer.all('done')[0]!.commits, 0);
}

/** Waits until the index reaches `commits` positions (it may never hold more than one per commit). */
export function indexReaches(scenario: FeedScenario, commits: number, timeoutMs = 60_000): Promise<void> {
  return scenario.group.waitUntil(`the index holds all ${commits} commits`, throttled(async () => (await scenario.parent.indexHead()) >= commits, 250, false), timeoutMs);
}

/**
 * What is wrong with the feed once everything is indexed: the index against the table (gap-free
 * positions, every commit once, each stream in version order), and `replayAll$` from the start
 * against the writers' acks (every event exactly once, each stream in order). Empty when right.
 */
export async function feedProblems(scenario: FeedScenario): Promise<string[]> {
  const problems = await indexProblems(scenario.parent.client, scenario.tables.events);
  try {
    const replayed = await replayEverything(scenario.parent.store);
    return [...problems, ...deliveryProblems(replayed, lastVersions(scenario.acks), 'exactly-once').map((problem) => `replayAll$: ${problem}`)];
  } catch (error) {
    return [...problems, `replayAll$ failed: ${(error as Error).message}`];
  }
}

/**
 * Waits until the index's last batch was written from the stream, not by a reconciliation (whose
 * batches are marked in their checkpoint): an indexer that starts when the table already holds
 * commits reconciles first, and a reconciliation orders commits across streams by commit time.
 */
export function indexingFromStream(scenario: FeedScenario, timeoutMs = 60_000): Promise<void> {
  const index = new FeedIndexTable(scenario.parent.client, scenario.tables.events, DEFAULT_RETRY);
  const fromStream = throttled(async () => {
    const head = await index.head();
    return head !== undefined && head.checkpoint.reconciling !== true;
  }, 100, false);
  return scenario.group.waitUntil('the indexer indexes from the stream', fromStream, timeoutMs);
}

/** Every batch of the feed index, in position order, with who wrote it. */
export async function indexBatches(client: DynamoDBClient, tableName: string): Promise<IndexBatch[]> {
  const index = new FeedIndexTable(client, tableName, DEFAULT_RETRY);
  const batches: IndexBatch[] = [];
  for (let next = 1; ; ) {
    const page = await index.batchesFrom(next, 100, true);
    if (page.length === 0) return batches;
    batches.push(...page);
    next = page.at(-1)!.lastPosition + 1;
  }
}

/**
 * A child process of the feed latency workload (feed-latency-workload.ts), run as a user would run
 * an app instance: a **writer** (the module with its default feed: it appends 1-event commits at a
 * paced rate, and its in-app indexer runs here if this instance holds the indexer lease), or the
 * **follower** (the module with `feed: { indexer: false }` and one `@Projection` with the default
 * options, which sees other processes' commits only through the feed index). Writers report each
 * commit's acknowledgement time and the follower each handler call's time, over IPC; all processes
 * run on one machine and share its clock.
 */
import 'reflect-metadata';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { FeedIndexerService, Projection, ProjectionHandler, ProjectionManager, type FeedEvent, type FeedIndexerOptions, type ProjectionOptions } from '../lib/index.js';
import { EventGenerator } from './event-generator.js';
import { MoneyDeposited, MoneyWithdrawn, TransferRequested, type BankEvent } from './events.js';
import { startFeedApp, type FeedApp } from './module-app.js';

/** What the parent asks for, in the BENCH_FEED_LATENCY environment variable (JSON). */
export type LatencyTask =
  | { readonly role: 'writer'; readonly clientConfig: DynamoDBClientConfig; readonly eventsTable: string; readonly writer: number; readonly indexer: FeedIndexerOptions }
  | {
      readonly role: 'follower';
      readonly clientConfig: DynamoDBClientConfig;
      readonly eventsTable: string;
      readonly projectionsTable: string;
      readonly projection: ProjectionOptions;
    };

/** The parent's word to a writer: write `commits` 1-event commits, the k-th due at `firstDueAt + k * intervalMs`. */
export interface GoMessage {
  readonly type: 'go';
  readonly firstDueAt: number;
  readonly intervalMs: number;
  readonly commits: number;
  readonly streams: number;
}

/** [streamId, version, sent at, acknowledged at] (ms, this machine's clock). */
export type Ack = readonly [string, number, number, number];
/** [streamId, version, handler called at]. */
export type Handled = readonly [string, number, number];

export type FromLatencyChild =
  | { readonly type: 'ready' }
  | { readonly type: 'indexer'; readonly state: string }
  | { readonly type: 'live' }
  | { readonly type: 'acks'; readonly acks: Ack[] }
  | { readonly type: 'handled'; readonly events: Handled[] }
  | { readonly type: 'done'; readonly commits: number }
  | { readonly type: 'failed'; readonly message: string };

export const FOLLOWER_PROJECTION = 'bench-latency-follower';
/** Acks and handler calls are sent in chunks, so that IPC does not take a message per event. */
const FLUSH_MS = 100;

const send = (message: FromLatencyChild): Promise<void> =>
  new Promise((resolve) => (process.connected ? process.send!(message, undefined, {}, () => resolve()) : resolve()));

async function fail(error: unknown): Promise<never> {
  await send({ type: 'failed', message: (error as Error)?.stack ?? String(error) });
  process.exit(1);
}

let handled: Handled[] = [];

/** Declared `@Projection(FOLLOWER_PROJECTION, task.projection)` at start-up: the task says its options (the defaults in `npm run bench`). */
class LatencyFollower {
  @ProjectionHandler(MoneyDeposited, MoneyWithdrawn, TransferRequested)
  on(_event: BankEvent, envelope: FeedEvent): void {
    handled.push([envelope.streamId, envelope.version, Date.now()]);
  }
}

async function runFollower(app: FeedApp): Promise<void> {
  const manager = app.context.get(ProjectionManager);
  setInterval(() => {
    if (handled.length === 0) return;
    const events = handled;
    handled = [];
    void send({ type: 'handled', events });
  }, FLUSH_MS);
  const live = setInterval(() => {
    const { state, lastError } = manager.status(FOLLOWER_PROJECTION);
    if (state === 'live') {
      clearInterval(live);
      void send({ type: 'live' });
    } else if (state === 'blocked' || state === 'failing') {
      void fail(new Error(`the follower projection is ${state}: ${lastError?.message}`));
    }
  }, 20);
}

async function runWriter(app: FeedApp, writer: number, go: GoMessage): Promise<void> {
  const generator = new EventGenerator(5_000 + writer);
  const streams = Array.from({ length: go.streams }, () => generator.accountStreamId());
  const versions = new Map<string, number>();
  const chains = new Map<string, Promise<void>>();
  let acks: Ack[] = [];
  const flush = setInterval(() => {
    if (acks.length === 0) return;
    const chunk = acks;
    acks = [];
    void send({ type: 'acks', acks: chunk });
  }, FLUSH_MS);
  const append = async (streamId: string): Promise<void> => {
    const version = versions.get(streamId) ?? 0;
    const events = generator.batch(streamId, 1);
    const sentAt = Date.now();
    const result = await app.store.append(streamId, events, { expectedVersion: version, publish: false });
    acks.push([streamId, result.version, sentAt, Date.now()]);
    versions.set(streamId, result.version);
  };
  for (let k = 0; k < go.commits; k++) {
    const due = go.firstDueAt + k * go.intervalMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const streamId = streams[k % streams.length]!;
    // One append at a time per stream (each at the version the previous one returned); streams in rotation.
    chains.set(streamId, (chains.get(streamId) ?? Promise.resolve()).then(() => append(streamId)));
  }
  await Promise.all(chains.values());
  clearInterval(flush);
  if (acks.length > 0) await send({ type: 'acks', acks });
  await send({ type: 'done', commits: go.commits });
}

/** Tells the parent when this instance's indexer changes state (it runs in the instance holding the lease). */
function reportIndexer(app: FeedApp): void {
  const service = app.context.get(FeedIndexerService);
  let last: string | undefined;
  setInterval(() => {
    const state = service.status()?.state ?? 'absent';
    if (state === last) return;
    last = state;
    void send({ type: 'indexer', state });
  }, 50).unref();
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const task = JSON.parse(process.env.BENCH_FEED_LATENCY ?? '') as LatencyTask;
  const client = new DynamoDBClient(task.clientConfig);
  if (task.role === 'follower') Projection(FOLLOWER_PROJECTION, task.projection)(LatencyFollower);
  const app =
    task.role === 'follower'
      ? await startFeedApp(client, task.eventsTable, 'create', { feed: { indexer: false }, projections: { classes: [LatencyFollower], table: task.projectionsTable } })
      : await startFeedApp(client, task.eventsTable, 'none', { feed: { indexer: task.indexer } });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'go' && task.role === 'writer') void runWriter(app, task.writer, message as GoMessage).catch(fail);
    if (message.type === 'close') void app.close().then(() => process.exit(0), fail);
  });
  if (task.role === 'follower') await runFollower(app);
  else reportIndexer(app);
  await send({ type: 'ready' });
}

process.on('disconnect', () => process.exit(0)); // the parent is gone
main().catch(fail);

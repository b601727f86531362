// A writer of the multi-process partitioned projection tests: an app instance (no indexer, no
// projection) that appends its plan (APPEND_PLAN) through the module's EventStore once told to
// `go`: each of its streams up to `eventsPerStream` events, 1 to `maxCommit` events a commit,
// streams in rotation, paced, with the exact expected version.
import { createChildApp, fail, fromEnv } from '../feed-processes/child-runtime.js';
import { EventStore } from '../../../lib/index.js';
import { MoneyDeposited } from '../events.js';
import type { AppendPlan, FromChild, ToChild } from './messages.js';

const plan = fromEnv<AppendPlan>('APPEND_PLAN');
const app = await createChildApp({ tables: plan.tables, feed: { indexer: false } });
const store = app.get(EventStore);

const tell = (message: FromChild): Promise<void> =>
  new Promise((resolve) => (process.connected ? process.send!(message, undefined, {}, () => resolve()) : resolve()));

/** mulberry32: the same commit sizes on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function run(): Promise<void> {
  const next = random(plan.seed);
  const versions = new Map<string, number>(plan.streams.map((streamId) => [streamId, 0]));
  let commits = 0;
  let events = 0;
  let turn = 0;
  const startedAt = Date.now();
  const report = setInterval(() => void tell({ type: 'written', events }), 250);
  const worker = async (w: number): Promise<void> => {
    // Each worker owns the streams at indices w, w + concurrency, ...: one append at a time per stream.
    const own = plan.streams.filter((_, i) => i % plan.concurrency === w);
    for (;;) {
      const open = own.filter((streamId) => versions.get(streamId)! < plan.eventsPerStream);
      if (open.length === 0) return;
      const streamId = open[turn++ % open.length]!;
      const known = versions.get(streamId)!;
      const count = Math.min(plan.eventsPerStream - known, 1 + Math.floor(next() * plan.maxCommit));
      const due = startedAt + (commits * 1000) / plan.commitsPerSecond;
      commits++;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      const batch = Array.from({ length: count }, (_, i) => new MoneyDeposited(streamId, known + i + 1));
      const result = await store.append(streamId, batch, { expectedVersion: known === 0 ? 'no-stream' : known });
      versions.set(streamId, result.version);
      events += count;
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, (_, w) => worker(w)));
  clearInterval(report);
  await tell({ type: 'done', commits, events, lastVersions: Object.fromEntries(versions) });
}

process.on('message', (message: ToChild) => {
  if (message.type === 'go') void run().catch(fail);
  if (message.type === 'close') void app.close().then(() => process.exit(0), fail);
});

await tell({ type: 'ready', pid: process.pid });

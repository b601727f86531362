// A writer app instance of the multi-process feed tests: appends through the module's EventStore,
// as its plan (WRITER_PLAN) says once told to `go`, and on demand (`write` messages). It does not
// run the feed indexer (`feed.indexer: false`): another process does.
import { createChildApp, fail, fromEnv, onMessage, ready, realNow, send } from './child-runtime.js';
import { EventStore } from '../../../lib/index.js';
import { MoneyDeposited } from '../events.js';
import type { Ack, FeedTables, ToChild } from './feed-messages.js';
import { commitSizes, type WriterPlan } from './writer-plan.js';

const tables = fromEnv<FeedTables>('FEED_TABLES');
const plan = fromEnv<WriterPlan>('WRITER_PLAN');
const app = await createChildApp({ tables, feed: { indexer: false } });
const store = app.get(EventStore);

/** Each stream's version as this writer knows it (streams of its own; for shared ones, as of its last append). */
const versions = new Map<string, number>();
const busy = new Set<string>();
let pending: Ack[] = [];
let commits = 0;
let events = 0;
let stopping = false;

async function append(streamId: string, count: number, large: boolean): Promise<Ack> {
  const shared = plan.shared?.includes(streamId) ?? false;
  const known = versions.get(streamId) ?? 0;
  const noteBytes = large ? plan.large!.eventBytes : 0;
  const batch = Array.from({ length: count }, (_, i) => new MoneyDeposited(streamId, known + i + 1, 'n'.repeat(noteBytes)));
  // A stream of this writer's own: its exact version (a lost race would be a bug). Shared: whatever the head is.
  const result = await store.append(streamId, batch, { expectedVersion: shared ? 'any' : known === 0 ? 'no-stream' : known });
  versions.set(streamId, result.version);
  commits++;
  events += count;
  const ack: Ack = { writer: plan.id, streamId, version: result.version - count + 1, commitEnd: result.version, ackAt: realNow(), ...(large ? { large } : {}) };
  pending.push(ack);
  return ack;
}

const flush = setInterval(() => {
  if (pending.length === 0) return;
  const acks = pending;
  pending = [];
  void send({ type: 'acks', acks });
}, 100);

/** Runs the plan: streams in rotation, `concurrency` appends at a time, started no faster than `commitsPerSecond`. */
async function runPlan(): Promise<void> {
  const streams = [...plan.streams, ...(plan.shared ?? [])];
  const sizes = new Map(streams.map((streamId, i) => [streamId, commitSizes(plan.seed * 100_003 + i, plan.eventsPerStream)]));
  const written = new Map<string, number>(); // commits of the plan taken per stream
  const startedAt = realNow();
  let started = 0;
  let turn = 0;
  const next = (): { streamId: string; count: number; index: number } | undefined => {
    if (plan.commits !== undefined && started >= plan.commits) return undefined;
    for (let tried = 0; tried < streams.length; tried++) {
      const streamId = streams[turn++ % streams.length]!;
      const done = written.get(streamId) ?? 0;
      const count = sizes.get(streamId)!(done);
      if (count === undefined || busy.has(streamId)) continue;
      written.set(streamId, done + 1);
      return { streamId, count, index: started++ };
    }
    return undefined;
  };
  const worker = async (): Promise<void> => {
    while (!stopping) {
      const job = next();
      if (job === undefined) {
        // Streams busy in other workers, or the plan is done: done when nothing is busy either.
        if (busy.size === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      busy.add(job.streamId);
      try {
        const at = startedAt + (job.index * 1000) / plan.commitsPerSecond;
        if (at > realNow()) await new Promise((resolve) => setTimeout(resolve, at - realNow()));
        const large = plan.large !== undefined && job.index % plan.large.every === plan.large.every - 1;
        await append(job.streamId, large ? plan.large!.events : job.count, large);
      } finally {
        busy.delete(job.streamId);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
}

let planRun: Promise<void> | undefined;
let finished: Promise<void> | undefined;

/** Once: the appends in flight end, the last acks go, then `done`. */
function finish(): Promise<void> {
  stopping = true;
  finished ??= (async () => {
    await planRun;
    clearInterval(flush);
    if (pending.length > 0) await send({ type: 'acks', acks: pending.splice(0) });
    await send({ type: 'done', commits, events });
  })();
  return finished;
}

onMessage((message: ToChild) => {
  if (message.type === 'go') {
    if (planRun === undefined) {
      planRun = runPlan();
      planRun.then(() => finish(), fail);
    }
  } else if (message.type === 'stop') {
    void finish().catch(fail);
  } else if (message.type === 'close') {
    void finish()
      .then(() => app.close())
      .then(() => process.exit(0), fail);
  } else if (message.type === 'write') {
    void append(message.streamId, message.events, false).then((ack) => send({ type: 'written', id: message.id, ack }), fail);
  }
});

await ready();

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventStore } from '../lib/index.js';
import type { CapacityMeter } from './capacity-meter.js';
import { ModuleContender } from './contenders.js';
import { BaselineFeedReplayer, ModuleFeedReplayer, type FeedReplayer } from './feed-contenders.js';
import { FeedIndexProbe } from './feed-index-probe.js';
import { startFeedApp } from './module-app.js';
import { measureOperations } from './operation-rounds.js';
import { BaselineStreamReplayer, ModuleStreamReplayer, type StreamReplayer } from './replay-contenders.js';
import type { WorkloadMeasurement } from './report.js';
import { runWritePlan, writePlan } from './workloads.js';

/**
 * Sized for about 15 s each on 2 cores. A replay of 10,000 events takes ~0.2 s, a feed replay of
 * 20,000 ~0.5 s: a few a round. Page sizes: the largest replay$ allows (1,000 events), which is
 * also what a rebuild of a projection would pick.
 */
const CONFIG = {
  rounds: 11,
  pageSize: 1_000,
  stream: { warmupReplays: 10, replaysPerRound: 4 },
  feed: { streams: 200, commitsPerStream: 10, eventsPerCommit: 10, concurrency: 8, warmupReplays: 4, replaysPerRound: 2 },
};

export interface ReplayBenchContext {
  /** The module's store on the main table, which holds the read workload's stream. */
  readonly store: EventStore;
  /** `observer`: no meter, for the benchmark's own reads (the feed index's head). */
  readonly clients: { readonly module: DynamoDBClient; readonly baseline: DynamoDBClient; readonly observer: DynamoDBClient };
  readonly meters: { readonly module: CapacityMeter; readonly baseline: CapacityMeter };
}

/** The read workload's stream, replayed whole through replay$ with a synchronous consumer. */
export async function streamReplayWorkload(
  ctx: ReplayBenchContext,
  stream: { readonly tableName: string; readonly streamId: string; readonly events: number; readonly eventsPerCommit: number },
): Promise<WorkloadMeasurement> {
  const module: StreamReplayer = new ModuleStreamReplayer(ctx.store, CONFIG.pageSize);
  const baseline: StreamReplayer = new BaselineStreamReplayer(ctx.clients.baseline, stream.tableName, CONFIG.pageSize / stream.eventsPerCommit);
  return measureOperations({
    workload: `replay$ of a ${stream.events.toLocaleString('en-US')}-event stream (page ${CONFIG.pageSize})`,
    operation: 'replay',
    contenders: { module, baseline },
    meters: ctx.meters,
    warmupOperations: CONFIG.stream.warmupReplays,
    rounds: CONFIG.rounds,
    operationsPerRound: CONFIG.stream.replaysPerRound,
    eventsPerOperation: stream.events,
    ratesInEvents: true,
    run: async (contender) => {
      const count = await contender.replay(stream.streamId);
      if (count !== stream.events) throw new Error(`${contender.name} replayed ${count} events of ${stream.streamId}; expected ${stream.events}`);
    },
  });
}

/**
 * The global feed of a table of its own (the feed reads every commit of its table): 200 streams of
 * 10 commits of 10 events, written by the module while its in-app indexer indexes them, replayed
 * whole through replayAll$ with a synchronous consumer once the index holds them all, against the
 * raw SDK reading the same index batches and commits by hand.
 */
export async function feedReplayWorkload(ctx: ReplayBenchContext, tableName: string): Promise<WorkloadMeasurement> {
  const { streams, commitsPerStream, eventsPerCommit, concurrency } = CONFIG.feed;
  const events = streams * commitsPerStream * eventsPerCommit;
  const count = (n: number) => n.toLocaleString('en-US');
  const app = await startFeedApp(ctx.clients.module, tableName, 'create');
  try {
    const started = Date.now();
    const commits = streams * commitsPerStream;
    await runWritePlan(new ModuleContender(app.store), writePlan(4_242, streams, commitsPerStream, eventsPerCommit), concurrency);
    const written = Date.now();
    // A read goes up to the index head when it starts: every round must read all the commits.
    const probe = new FeedIndexProbe(ctx.clients.observer, tableName);
    await probe.waitForHead(commits, 60_000, 'replayAll$ workload');
    const batches = (await probe.batchesAfter(0)).length;
    console.log(
      `replayAll$: wrote ${count(events)} events in ${count(commits)} commits over ${streams} streams to a table of its own in ${written - started} ms; ` +
        `its in-app indexer had them all in the feed index ${Date.now() - written} ms later (${batches} batches)`,
    );
    return await measureOperations<FeedReplayer>({
      workload: `replayAll$ of ${count(events)} events in ${count(streams * commitsPerStream)} commits over ${streams} streams (page ${CONFIG.pageSize})`,
      operation: 'replay',
      contenders: {
        module: new ModuleFeedReplayer(app.store, CONFIG.pageSize),
        baseline: new BaselineFeedReplayer(ctx.clients.baseline, tableName, CONFIG.pageSize),
      },
      meters: ctx.meters,
      warmupOperations: CONFIG.feed.warmupReplays,
      rounds: CONFIG.rounds,
      operationsPerRound: CONFIG.feed.replaysPerRound,
      eventsPerOperation: events,
      ratesInEvents: true,
      run: async (contender) => {
        const got = await contender.replayAll();
        if (got !== events) throw new Error(`${contender.name} replayed ${got} events of the feed; expected ${events}`);
      },
    });
  } finally {
    await app.close();
  }
}

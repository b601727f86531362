import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AggregateRepository } from '../lib/index.js';
import { BaselineAggregateLoader, ModuleAggregateLoader, type AggregateLoader } from './aggregate-contenders.js';
import { BenchAccount, foldEntry, SnapshottedBenchAccount, type AccountSummary } from './bench-account.aggregate.js';
import type { CapacityMeter } from './capacity-meter.js';
import { EventGenerator } from './event-generator.js';
import { ACCOUNT_NAMES, SNAPSHOT_EVERY, type ModuleApp } from './module-app.js';
import { measureOperations } from './operation-rounds.js';
import type { WorkloadMeasurement } from './report.js';

/**
 * Sized for about 12 s each on 2 cores. A full load of 10,000 events takes ~0.2 s, so few loads a
 * round; a load from a snapshot is two small Queries (~3 ms), so many, or DynamoDB Local's jitter
 * would decide the round.
 */
const CONFIG = {
  streamEvents: 10_000,
  eventsPerCommit: 10,
  rounds: 11,
  noSnapshot: { warmupLoads: 4, loadsPerRound: 3 },
  snapshot: { warmupLoads: 200, loadsPerRound: 150 },
};

export interface AggregateBenchContext {
  readonly app: ModuleApp;
  /** The baseline's own client: it reads the module's tables. */
  readonly baselineClient: DynamoDBClient;
  readonly tables: { readonly events: string; readonly snapshots: string };
  readonly meters: { readonly module: CapacityMeter; readonly baseline: CapacityMeter };
}

const count = CONFIG.streamEvents.toLocaleString('en-US');

/** Loads of an aggregate whose 10,000 events are all replayed (no snapshots registered). */
export async function aggregateLoadWithoutSnapshotWorkload(ctx: AggregateBenchContext): Promise<WorkloadMeasurement> {
  const { app } = ctx;
  const { id, expected } = await writeAccount(app.accounts, (accountId) => new BenchAccount(accountId), 501);
  return loadWorkload(
    ctx,
    `load aggregate of ${count} events, no snapshot (loads/s)`,
    { module: new ModuleAggregateLoader(app.accounts), baseline: new BaselineAggregateLoader(ctx.baselineClient, ctx.tables.events, ACCOUNT_NAMES.plain) },
    id,
    expected,
    CONFIG.noSnapshot,
  );
}

/** Loads of the same aggregate class registered with a snapshot every 100 events: the newest is at 10,000. */
export async function aggregateLoadWithSnapshotWorkload(ctx: AggregateBenchContext): Promise<WorkloadMeasurement> {
  const { app } = ctx;
  const { id, expected } = await writeAccount(app.snapshottedAccounts, (accountId) => new SnapshottedBenchAccount(accountId), 502);
  const snapshot = await app.snapshots.load(app.snapshottedAccounts.streamIdOf(id), { revision: 1 });
  if (snapshot?.version !== CONFIG.streamEvents) throw new Error(`expected a snapshot at ${CONFIG.streamEvents}; the newest is at ${snapshot?.version}`);
  console.log(`  newest snapshot: version ${snapshot.version}, ${snapshot.sizeBytes} bytes of JSON stored as ${snapshot.encoding} in ${snapshot.items} item(s)`);
  return loadWorkload(
    ctx,
    `load aggregate of ${count} events, snapshot every ${SNAPSHOT_EVERY} (loads/s)`,
    {
      module: new ModuleAggregateLoader(app.snapshottedAccounts),
      baseline: new BaselineAggregateLoader(ctx.baselineClient, ctx.tables.events, ACCOUNT_NAMES.snapshotted, ctx.tables.snapshots),
    },
    id,
    expected,
    CONFIG.snapshot,
  );
}

function loadWorkload(
  ctx: AggregateBenchContext,
  workload: string,
  contenders: { module: AggregateLoader; baseline: AggregateLoader },
  id: string,
  expected: AccountSummary,
  shape: { warmupLoads: number; loadsPerRound: number },
): Promise<WorkloadMeasurement> {
  const want = JSON.stringify(expected);
  return measureOperations({
    workload,
    operation: 'load',
    contenders,
    meters: ctx.meters,
    warmupOperations: shape.warmupLoads,
    rounds: CONFIG.rounds,
    operationsPerRound: shape.loadsPerRound,
    eventsPerOperation: CONFIG.streamEvents,
    run: async (contender) => {
      const got = JSON.stringify(await contender.load(id));
      if (got !== want) throw new Error(`${contender.name} loaded ${got}; expected ${want}`);
    },
  });
}

/**
 * Writes the account's stream through the module's repository, as an application would: 1,000
 * saves of 10 generated events each (so a snapshotted repository takes its snapshots on the way).
 * Resolves to the account's id and its expected state, folded here from the generated events.
 */
async function writeAccount<T extends BenchAccount>(
  repository: AggregateRepository<T>,
  create: (id: string) => T,
  seed: number,
): Promise<{ id: string; expected: AccountSummary }> {
  const generator = new EventGenerator(seed);
  const id = generator.accountStreamId().slice('account-'.length);
  const account = create(id);
  const expected: AccountSummary = { balanceCents: 0, deposits: 0, withdrawals: 0, transfers: 0, version: 0 };
  const started = Date.now();
  for (let saved = 0; saved < CONFIG.streamEvents; saved += CONFIG.eventsPerCommit) {
    for (const event of generator.batch(id, CONFIG.eventsPerCommit)) {
      account.record(event);
      foldEntry(expected, event.constructor.name, event);
    }
    await repository.save(account);
  }
  console.log(`  wrote ${repository.streamIdOf(id)}: ${CONFIG.streamEvents} events in ${CONFIG.streamEvents / CONFIG.eventsPerCommit} saves (${Date.now() - started} ms)`);
  return { id, expected };
}

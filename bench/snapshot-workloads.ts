import type { CapacityMeter } from './capacity-meter.js';
import { measureOperations } from './operation-rounds.js';
import { Prng } from './prng.js';
import type { WorkloadMeasurement } from './report.js';
import { BaselineSnapshotContender, ModuleSnapshotContender, type SnapshotContender } from './snapshot-contenders.js';
import { ledgerState, type LedgerState } from './snapshot-state.js';

/** Sized for about 12 s each on 2 cores: a 2 MB save takes ~0.14 s (mostly Brotli), a load ~0.05 s. */
const CONFIG = {
  stateBytes: 2 * 1024 * 1024,
  rounds: 11,
  save: { warmupSaves: 3, savesPerRound: 4 },
  load: { warmupLoads: 6, loadsPerRound: 10 },
};

export interface SnapshotBenchContext {
  readonly contenders: { readonly module: ModuleSnapshotContender; readonly baseline: BaselineSnapshotContender };
  readonly meters: { readonly module: CapacityMeter; readonly baseline: CapacityMeter };
}

let cachedState: LedgerState | undefined;

/** The 2 MB state, generated once. */
function state(): LedgerState {
  if (cachedState === undefined) {
    cachedState = ledgerState(2_002, CONFIG.stateBytes);
    const bytes = Buffer.byteLength(JSON.stringify(cachedState), 'utf8');
    console.log(`  snapshot state: ${cachedState.accounts.length} account records, ${bytes} bytes of JSON`);
  }
  return cachedState;
}

/** Saves of a 2 MB state, each at the stream's next version (as an aggregate snapshots as it grows). */
export async function snapshotSaveWorkload(ctx: SnapshotBenchContext): Promise<WorkloadMeasurement> {
  const ledger = state();
  const streamId = `ledger-${new Prng(3_003).uuid()}`;
  const versions = { module: 0, baseline: 0 };
  const measurement = await measureOperations<SnapshotContender>({
    workload: 'snapshot 2 MB save (snapshots/s; event = 1 snapshot)',
    operation: 'save',
    contenders: ctx.contenders,
    meters: ctx.meters,
    warmupOperations: CONFIG.save.warmupSaves,
    rounds: CONFIG.rounds,
    operationsPerRound: CONFIG.save.savesPerRound,
    eventsPerOperation: 1,
    run: (contender) => contender.save(streamId, ++versions[contender.name] * 100, ledger),
  });
  // Each side's newest snapshot is the last it saved, whole.
  for (const contender of [ctx.contenders.module, ctx.contenders.baseline]) {
    const loaded = await contender.load(streamId);
    if (loaded?.version !== versions[contender.name] * 100 || loaded.state.accounts.length !== ledger.accounts.length) {
      throw new Error(`${contender.name}: the newest snapshot is not the last one saved`);
    }
  }
  return measurement;
}

/** Loads of a stream's newest snapshot, a 2 MB state saved once by each side. */
export async function snapshotLoadWorkload(ctx: SnapshotBenchContext): Promise<WorkloadMeasurement> {
  const ledger = state();
  const want = JSON.stringify(ledger);
  const streamId = `ledger-${new Prng(4_004).uuid()}`;
  for (const contender of [ctx.contenders.module, ctx.contenders.baseline]) {
    await contender.save(streamId, 100, ledger);
    const loaded = await contender.load(streamId);
    if (loaded === undefined || JSON.stringify(loaded.state) !== want) throw new Error(`${contender.name}: the snapshot loaded is not the one saved`);
  }
  return measureOperations<SnapshotContender>({
    workload: 'snapshot 2 MB load (snapshots/s; event = 1 snapshot)',
    operation: 'load',
    contenders: ctx.contenders,
    meters: ctx.meters,
    warmupOperations: CONFIG.load.warmupLoads,
    rounds: CONFIG.rounds,
    operationsPerRound: CONFIG.load.loadsPerRound,
    eventsPerOperation: 1,
    run: async (contender) => {
      const loaded = await contender.load(streamId);
      if (loaded?.version !== 100 || loaded.state.accounts.length !== ledger.accounts.length) throw new Error(`${contender.name}: wrong snapshot loaded`);
    },
  });
}

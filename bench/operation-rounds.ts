import type { CapacityMeter } from './capacity-meter.js';
import { interleavedRounds, type Named } from './interleaved-rounds.js';
import type { ContenderCost, WorkloadMeasurement } from './report.js';

/** A workload of one repeated operation (an aggregate load, a snapshot save or load), timed in operations per second. */
export interface OperationWorkload<C extends Named> {
  readonly workload: string;
  /** What one operation is, for the report ("load", "save"). */
  readonly operation: string;
  readonly contenders: { readonly module: C; readonly baseline: C };
  readonly meters: { readonly module: CapacityMeter; readonly baseline: CapacityMeter };
  /** Operations per contender before the timed rounds, interleaved one by one. */
  readonly warmupOperations: number;
  readonly rounds: number;
  /** Operations per contender per timed round, one after the other. */
  readonly operationsPerRound: number;
  /**
   * What the units are divided by: the events one operation stands for (10,000 for a load of a
   * 10,000-event aggregate), or 1 where an "event" is the operation itself (one snapshot).
   */
  readonly eventsPerOperation: number;
  /** Report rates in events per second (operations/s x eventsPerOperation) rather than operations per second. */
  readonly ratesInEvents?: boolean;
  /** Runs one operation, checking its result; throws if it is wrong. */
  readonly run: (contender: C) => Promise<void>;
}

/**
 * Warm-up, interleaved timed rounds (rates in operations per second, or events per second with
 * `ratesInEvents`, paired as for the other workloads), then one metered operation per contender for the units.
 */
export async function measureOperations<C extends Named>(w: OperationWorkload<C>): Promise<WorkloadMeasurement> {
  const { module, baseline } = w.contenders;
  console.log(`${w.workload}: ${w.warmupOperations} warm-up ${w.operation}s each, ${w.rounds} timed rounds of ${w.operationsPerRound} ${w.operation}s, 1 cost ${w.operation}`);
  await interleavedRounds(w.warmupOperations, module, baseline, async (contender) => {
    await w.run(contender);
    return 0;
  });
  const perOperation = w.ratesInEvents === true ? w.eventsPerOperation : 1;
  const rates = await interleavedRounds(w.rounds, module, baseline, async (contender) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < w.operationsPerRound; i++) await w.run(contender);
    return (w.operationsPerRound * perOperation) / (Number(process.hrtime.bigint() - started) / 1e9);
  });
  const cost = async (name: 'module' | 'baseline'): Promise<ContenderCost> => ({
    tally: await w.meters[name].measure(() => w.run(w.contenders[name])),
    events: w.eventsPerOperation,
    operations: 1,
  });
  return { workload: w.workload, rates, operation: w.operation, costs: { module: await cost('module'), baseline: await cost('baseline') } };
}

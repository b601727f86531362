import { writeFileSync } from 'node:fs';
import type { CapacityTally } from './capacity-meter.js';
import { median, type RoundRates } from './interleaved-rounds.js';

/** What one contender sent in a workload's metered cost round. */
export interface ContenderCost {
  readonly tally: CapacityTally;
  /** Events written or read in the cost round. */
  readonly events: number;
  /** Commits appended, or full reads, in the cost round. */
  readonly operations: number;
}

/** Everything measured for one workload. */
export interface WorkloadMeasurement {
  readonly workload: string;
  /** Events/s of each timed round (meter off). */
  readonly rates: RoundRates;
  /** 'commit' or 'read': what one operation of the workload is. */
  readonly operation: string;
  readonly costs: { readonly module: ContenderCost; readonly baseline: ContenderCost };
  /** The workload's own cost target (the ratio target applies to every workload). */
  readonly unitTarget?: { readonly kind: 'write' | 'read'; readonly maxPerEvent: number };
}

/** One row of bench/results.json. */
export interface WorkloadResult {
  workload: string;
  module_per_s: number;
  baseline_per_s: number;
  ratio: number;
  write_units_per_event: number;
  read_units_per_event: number;
}

const MIN_RATIO = 0.9;

const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));

/**
 * The results row: medians over the rounds, the module's cost per event by the billing rules.
 * The ratio is the median of each round's module/baseline ratio: the two halves of a round run
 * back to back, so a pair shares the machine's state (DynamoDB Local's JIT and GC, other load)
 * and the per-round ratio cancels most of the drift that the separate medians keep.
 */
export function toResult(m: WorkloadMeasurement): WorkloadResult {
  const modulePerS = median(m.rates.module);
  const baselinePerS = median(m.rates.baseline);
  return {
    workload: m.workload,
    module_per_s: Math.round(modulePerS),
    baseline_per_s: Math.round(baselinePerS),
    ratio: round(pairedRatio(m.rates), 3),
    write_units_per_event: round(m.costs.module.tally.writeUnits / m.costs.module.events, 3),
    read_units_per_event: round(m.costs.module.tally.readUnits / m.costs.module.events, 3),
  };
}

/** Each target of the row, as "label: PASS|MISS". */
function targetChecks(m: WorkloadMeasurement, r: WorkloadResult): Array<{ label: string; met: boolean }> {
  const checks = [{ label: `ratio >= ${MIN_RATIO}`, met: r.ratio >= MIN_RATIO }];
  if (m.unitTarget !== undefined) {
    const { kind, maxPerEvent } = m.unitTarget;
    const value = kind === 'write' ? r.write_units_per_event : r.read_units_per_event;
    checks.push({ label: `${kind === 'write' ? 'WU' : 'RU'}/event <= ${maxPerEvent}`, met: value <= maxPerEvent });
  }
  return checks;
}

export function printReport(measurements: readonly WorkloadMeasurement[]): WorkloadResult[] {
  const results = measurements.map(toResult);

  console.log('\nThroughput (median of the rounds; ratio: median of the per-round ratios) and the module\'s cost per event by DynamoDB\'s billing rules');
  printTable(
    ['workload', 'module ev/s', 'baseline ev/s', 'ratio', 'WU/event', 'RU/event', 'targets', 'result'],
    measurements.map((m, i) => {
      const r = results[i]!;
      const checks = targetChecks(m, r);
      return [
        r.workload,
        String(r.module_per_s),
        String(r.baseline_per_s),
        r.ratio.toFixed(3),
        r.write_units_per_event.toFixed(3),
        r.read_units_per_event.toFixed(3),
        checks.map((c) => `${c.label} ${c.met ? 'ok' : 'MISSED'}`).join('; '),
        checks.every((c) => c.met) ? 'PASS' : 'MISS',
      ];
    }),
  );

  console.log('\nCost round (one more round per contender, meter on): requests, item sizes, units by the billing rules,');
  console.log("and DynamoDB's own ConsumedCapacity as a cross-check (DynamoDB Local: right for PutItem and Query, low for transactions)");
  printTable(
    ['workload', 'contender', 'requests per op', 'mean item bytes', 'WU/event', 'RU/event', 'reported CU/event'],
    measurements.flatMap((m) =>
      (['module', 'baseline'] as const).map((name) => {
        const { tally, events, operations } = m.costs[name];
        return [
          m.workload,
          name,
          `${formatRequests(tally.requests, operations)} per ${m.operation}`,
          tally.items === 0 ? '-' : String(Math.round(tally.itemBytes / tally.items)),
          (tally.writeUnits / events).toFixed(3),
          (tally.readUnits / events).toFixed(3),
          (tally.reportedUnits / events).toFixed(3),
        ];
      }),
    ),
  );

  console.log('\nEvents/s of each timed round, module | baseline, in run order (median of paired module/baseline ratios):');
  for (const m of measurements) {
    const list = (rates: number[]) => rates.map((rate) => Math.round(rate)).join(' ');
    console.log(`  ${m.workload}: ${list(m.rates.module)} | ${list(m.rates.baseline)} (${pairedRatio(m.rates).toFixed(3)})`);
  }
  return results;
}

function pairedRatio(rates: RoundRates): number {
  return median(rates.module.map((rate, i) => rate / rates.baseline[i]!));
}

export function writeResults(path: string, results: readonly WorkloadResult[]): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

function formatRequests(requests: Record<string, number>, operations: number): string {
  const entries = Object.entries(requests);
  if (entries.length === 0) return 'none';
  return entries.map(([command, count]) => `${+(count / operations).toFixed(2)} ${command.replace(/Command$/, '')}`).join(', ');
}

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

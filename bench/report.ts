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
  /** Events/s of each timed round (meter off); operations/s where the workload's name gives that unit. */
  readonly rates: RoundRates;
  /** 'commit', 'read', 'load' or 'save': what one operation of the workload is. */
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
 * Units per event: 3 decimals, but 3 significant digits below 0.1, so that the tiny per-event
 * cost of an aggregate load from a snapshot (a few units over 10,000 events) does not print as 0.
 */
const roundUnits = (value: number): number => (value === 0 || value >= 0.1 ? round(value, 3) : Number(value.toPrecision(3)));
const formatUnits = (value: number): string => (value === 0 || value >= 0.1 ? value.toFixed(3) : String(Number(value.toPrecision(3))));
/** Rates: whole numbers, but 3 significant digits below 100 (a 2 MB snapshot save runs a few times a second). */
const roundRate = (value: number): number => (value >= 100 ? Math.round(value) : Number(value.toPrecision(3)));

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
    module_per_s: roundRate(modulePerS),
    baseline_per_s: roundRate(baselinePerS),
    ratio: round(pairedRatio(m.rates), 3),
    write_units_per_event: roundUnits(m.costs.module.tally.writeUnits / m.costs.module.events),
    read_units_per_event: roundUnits(m.costs.module.tally.readUnits / m.costs.module.events),
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
  console.log('(rates in events/s unless the workload names its unit; an aggregate load\'s units are per event of its 10,000)');
  printTable(
    ['workload', 'module /s', 'baseline /s', 'ratio', 'WU/event', 'RU/event', 'targets', 'result'],
    measurements.map((m, i) => {
      const r = results[i]!;
      const checks = targetChecks(m, r);
      return [
        r.workload,
        String(r.module_per_s),
        String(r.baseline_per_s),
        r.ratio.toFixed(3),
        formatUnits(r.write_units_per_event),
        formatUnits(r.read_units_per_event),
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
          formatUnits(tally.writeUnits / events),
          formatUnits(tally.readUnits / events),
          formatUnits(tally.reportedUnits / events),
        ];
      }),
    ),
  );

  console.log('\nRate of each timed round (events/s, or the workload\'s unit), module | baseline, in run order (median of paired module/baseline ratios):');
  for (const m of measurements) {
    const list = (rates: number[]) => rates.map(roundRate).join(' ');
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

import { writeFileSync } from 'node:fs';
import type { CapacityTally } from './capacity-meter.js';
import type { IndexCost } from './feed-index-probe.js';
import { median, type RoundRates } from './interleaved-rounds.js';
import type { LatencyResult, PacedWriteResult } from './feed-report.js';
import type { MemoryMeasurement } from './memory-workload.js';
import type { ProjectionThroughputResult } from './projection-throughput.js';
import type { TelemetryCostResult } from './telemetry-cost.js';
import type { LifecycleCostResult } from './lifecycle-cost.js';

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
  /** The workload's own cost targets (the ratio target applies to every workload). */
  readonly unitTargets?: readonly UnitTarget[];
  /** Commit workloads: the feed index batches holding the module's cost-round commits, read back. */
  readonly index?: IndexCost;
  /** Commit workloads: events per commit, for the commit rate. */
  readonly eventsPerCommit?: number;
}

/**
 * A cost target of the module: write units of the table's items per event, write units of the
 * feed index per commit, or read units per event.
 */
export interface UnitTarget {
  readonly kind: 'table WU/event' | 'index WU/commit' | 'RU/event';
  readonly max: number;
}

/** One row of bench/results.json. */
export interface WorkloadResult {
  workload: string;
  module_per_s: number;
  baseline_per_s: number;
  ratio: number;
  /** Everything written: the table's items and the module's share of the feed index batches. */
  write_units_per_event: number;
  read_units_per_event: number;
  /** Commit workloads only: the total split into the table's items and the feed index batches, per commit. */
  table_write_units_per_commit?: number;
  index_write_units_per_commit?: number;
  /** Commit workloads only: commits per index batch the indexer wrote for them. */
  commits_per_index_batch?: number;
  /** Commit workloads only: null, as fast as the writers go (8 streams in flight); the module's median rate in commits/s. */
  offered_commits_per_s?: number | null;
  achieved_commits_per_s?: number;
}

/** A memory row of bench/results.json. */
export interface MemoryResult {
  workload: string;
  events: number;
  peak_rss_mb: number;
  peak_heap_used_mb: number;
  live_heap_after_gc_mb: number;
  startup_rss_mb: number;
  consumer_events_per_s: number;
}

const MIN_RATIO = 0.9;

export const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));

/**
 * Units per event: 3 decimals, but 3 significant digits below 0.1, so that the tiny per-event
 * cost of an aggregate load from a snapshot (a few units over 10,000 events) does not print as 0.
 */
export const roundUnits = (value: number): number => (value === 0 || value >= 0.1 ? round(value, 3) : Number(value.toPrecision(3)));
export const formatUnits = (value: number): string => (value === 0 || value >= 0.1 ? value.toFixed(3) : String(Number(value.toPrecision(3))));
/** Rates: whole numbers, but 3 significant digits below 100 (a 2 MB snapshot save runs a few times a second). */
export const roundRate = (value: number): number => (value >= 100 ? Math.round(value) : Number(value.toPrecision(3)));

/**
 * The results row: medians over the rounds, the module's cost per event by the billing rules.
 * The ratio is the median of each round's module/baseline ratio: the two halves of a round run
 * back to back, so a pair shares the machine's state (DynamoDB Local's JIT and GC, other load)
 * and the per-round ratio cancels most of the drift that the separate medians keep.
 */
export function toResult(m: WorkloadMeasurement): WorkloadResult {
  const modulePerS = median(m.rates.module);
  const baselinePerS = median(m.rates.baseline);
  const { tally, events, operations } = m.costs.module;
  const indexUnits = m.index?.writeUnits ?? 0;
  const result: WorkloadResult = {
    workload: m.workload,
    module_per_s: roundRate(modulePerS),
    baseline_per_s: roundRate(baselinePerS),
    ratio: round(pairedRatio(m.rates), 3),
    write_units_per_event: roundUnits((tally.writeUnits + indexUnits) / events),
    read_units_per_event: roundUnits(tally.readUnits / events),
  };
  if (m.operation === 'commit') {
    result.table_write_units_per_commit = roundUnits(tally.writeUnits / operations);
    result.index_write_units_per_commit = roundUnits(indexUnits / operations);
    if (m.index !== undefined) result.commits_per_index_batch = round(m.index.commits / m.index.batches, 1);
    result.offered_commits_per_s = null;
    result.achieved_commits_per_s = roundRate(modulePerS / (m.eventsPerCommit ?? 1));
  }
  return result;
}

/** The module's value for a cost target, from its cost round. */
function unitValue(m: WorkloadMeasurement, kind: UnitTarget['kind']): number {
  const { tally, events, operations } = m.costs.module;
  switch (kind) {
    case 'table WU/event':
      return tally.writeUnits / events;
    case 'index WU/commit':
      return (m.index?.writeUnits ?? 0) / operations;
    case 'RU/event':
      return tally.readUnits / events;
  }
}

/** Each target of the row, as "label: PASS|MISS". */
function targetChecks(m: WorkloadMeasurement, r: WorkloadResult): Array<{ label: string; met: boolean }> {
  const checks = [{ label: `ratio >= ${MIN_RATIO}`, met: r.ratio >= MIN_RATIO }];
  for (const { kind, max } of m.unitTargets ?? []) checks.push({ label: `${kind} <= ${max}`, met: roundUnits(unitValue(m, kind)) <= max });
  return checks;
}

export function printReport(measurements: readonly WorkloadMeasurement[]): WorkloadResult[] {
  const results = measurements.map(toResult);

  console.log('\nThroughput (median of the rounds; ratio: median of the per-round ratios) and the module\'s cost per event by DynamoDB\'s billing rules');
  console.log('(rates in events/s unless the workload names its unit; an aggregate load\'s units are per event of its 10,000;');
  console.log(' WU/event counts the table\'s items and the feed index batches holding the commits, index WU/commit is the index\'s part)');
  printTable(
    ['workload', 'module /s', 'baseline /s', 'ratio', 'WU/event', 'index WU/commit', 'RU/event', 'targets', 'result'],
    measurements.map((m, i) => {
      const r = results[i]!;
      const checks = targetChecks(m, r);
      return [
        r.workload,
        String(r.module_per_s),
        String(r.baseline_per_s),
        r.ratio.toFixed(3),
        formatUnits(r.write_units_per_event),
        r.index_write_units_per_commit === undefined ? '-' : formatUnits(r.index_write_units_per_commit),
        formatUnits(r.read_units_per_event),
        checks.map((c) => `${c.label} ${c.met ? 'ok' : 'MISSED'}`).join('; '),
        checks.every((c) => c.met) ? 'PASS' : 'MISS',
      ];
    }),
  );

  console.log('\nCost round (one more round per contender, meter on): requests sent by the contender\'s client (the module\'s include its in-app');
  console.log("indexer's: index batches, lease renewals), item sizes, units by the billing rules (table WU per operation: the users' items; index WU");
  console.log("per operation: the feed index batches holding the round's commits, read back, with their mean size), and DynamoDB's own");
  console.log('ConsumedCapacity as a cross-check (DynamoDB Local: right for PutItem, Query and BatchGetItem; low for transactions)');
  printTable(
    ['workload', 'contender', 'requests per op', 'mean item bytes', 'WU/event', 'table WU/op', 'index WU/op', 'RU/event', 'reported CU/event'],
    measurements.flatMap((m) =>
      (['module', 'baseline'] as const).map((name) => {
        const { tally, events, operations } = m.costs[name];
        const index = name === 'module' ? m.index : undefined;
        return [
          m.workload,
          name,
          `${formatRequests(tally.requests, operations)} per ${m.operation}`,
          tally.items === 0 ? '-' : String(Math.round(tally.itemBytes / tally.items)),
          formatUnits((tally.writeUnits + (index?.writeUnits ?? 0)) / events),
          tally.writeUnits === 0 ? '-' : formatUnits(tally.writeUnits / operations),
          index === undefined || index.batches === 0
            ? '-'
            : `${formatUnits(index.writeUnits / operations)} (${index.batches} batches of ${(index.commits / index.batches).toFixed(1)} commits, ${Math.round(index.itemBytes / index.batches)} B)`,
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

/** The slow-consumer replays: peak memory by the number of events replayed, which should not grow with it. */
export function printMemoryReport(measurements: readonly MemoryMeasurement[]): MemoryResult[] {
  const mb = (value: number) => round(value, 1);
  const results = measurements.map((m) => ({
    workload: m.workload,
    events: m.events,
    peak_rss_mb: mb(m.peakRssMb),
    peak_heap_used_mb: mb(m.peakHeapUsedMb),
    live_heap_after_gc_mb: mb(m.liveHeapAfterGcMb),
    startup_rss_mb: mb(m.startupRssMb),
    consumer_events_per_s: Math.round(m.eventsPerSecond),
  }));
  console.log('\nMemory of a slow consumer of replayAll$ (a fresh process each; RSS after start-up, then the peak: process.resourceUsage().maxRSS;');
  console.log('heap used: the highest seen, sampled every 1,000 events, and what is still live after a full GC at the end)');
  printTable(
    ['workload', 'events', 'consumer events/s', 'RSS after start-up MB', 'peak RSS MB', 'peak heap used MB', 'live heap after GC MB'],
    results.map((r) => [
      r.workload,
      String(r.events),
      String(r.consumer_events_per_s),
      r.startup_rss_mb.toFixed(1),
      r.peak_rss_mb.toFixed(1),
      r.peak_heap_used_mb.toFixed(1),
      r.live_heap_after_gc_mb.toFixed(1),
    ]),
  );
  const first = results[0];
  const last = results.at(-1);
  if (first !== undefined && last !== undefined && last !== first) {
    const ratio = (value: (r: MemoryResult) => number) => (value(last) / value(first)).toFixed(2);
    console.log(
      `At ${last.events.toLocaleString('en-US')} / at ${first.events.toLocaleString('en-US')} events: peak RSS ${ratio((r) => r.peak_rss_mb)}, ` +
        `peak heap used ${ratio((r) => r.peak_heap_used_mb)}, live heap after GC ${ratio((r) => r.live_heap_after_gc_mb)} (flat is ~1.0).`,
    );
    console.log('The peaks include garbage not collected yet: the old generation is freed only by full GCs, which V8 ran every 15,000 to');
    console.log('55,000 events in trials here (the interval growing over the first cycles), so a peak depends on where in that cycle a run');
    console.log('stops; the live heap after a full GC is what a leak would grow.');
  }
  return results;
}

function pairedRatio(rates: RoundRates): number {
  return median(rates.module.map((rate, i) => rate / rates.baseline[i]!));
}

export function writeResults(path: string, results: ReadonlyArray<WorkloadResult | PacedWriteResult | LatencyResult | MemoryResult | ProjectionThroughputResult | TelemetryCostResult | LifecycleCostResult>): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

function formatRequests(requests: Record<string, number>, operations: number): string {
  const entries = Object.entries(requests);
  if (entries.length === 0) return 'none';
  const perOperation = (count: number) => (count / operations >= 0.01 ? +(count / operations).toFixed(2) : +(count / operations).toPrecision(2));
  return entries.map(([command, count]) => `${perOperation(count)} ${command.replace(/Command$/, '')}`).join(', ');
}

export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

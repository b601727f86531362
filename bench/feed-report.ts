import type { LatencyMeasurement } from './feed-latency-workload.js';
import type { PacedWriteMeasurement } from './paced-write-workload.js';
import { formatUnits, printTable, round, roundRate, roundUnits } from './report.js';

/**
 * A paced write row: the module alone at an offered rate (no baseline: a paced baseline only
 * achieves the same rate), with what its commits cost including the feed index's share.
 */
export interface PacedWriteResult {
  workload: string;
  /** Achieved events/s. */
  module_per_s: number;
  baseline_per_s: null;
  ratio: null;
  /** The table's items and the index batches holding the commits (the lease's writes are not in it). */
  write_units_per_event: number;
  read_units_per_event: number;
  table_write_units_per_commit: number;
  index_write_units_per_commit: number;
  /** The indexer lease's renewals during the run, per commit (a third of its TTL apart: a cost per second, not per commit). */
  lease_write_units_per_commit: number;
  commits_per_index_batch: number;
  /** Mean index batch item size, and the part of it that the commit references and the indexer checkpoint take. */
  index_batch_bytes: number;
  index_batch_commits_json_bytes: number;
  index_batch_checkpoint_json_bytes: number;
  offered_commits_per_s: number;
  achieved_commits_per_s: number;
  append_p50_ms: number;
  append_p99_ms: number;
}

/** The feed latency row: the usual fields are null. */
export interface LatencyResult {
  workload: string;
  module_per_s: null;
  baseline_per_s: null;
  ratio: null;
  write_units_per_event: null;
  read_units_per_event: null;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  samples: number;
  offered_commits_per_s: number;
  achieved_commits_per_s: number;
  /** Acknowledgement to the index batch holding the commit (the batch's writtenAt), and that batch to the handler. */
  ack_to_indexed_p50_ms: number;
  ack_to_indexed_p99_ms: number;
  indexed_to_handler_p50_ms: number;
  indexed_to_handler_p99_ms: number;
  commits_per_index_batch: number;
}

/** The paced write rows: the module alone at 10, 100 and 1,000 commits/s offered, its commits' cost with the feed index's share. */
export function printPacedWriteReport(measurements: readonly PacedWriteMeasurement[]): PacedWriteResult[] {
  const results = measurements.map((m): PacedWriteResult => {
    const { tally, index, commits, events } = m;
    return {
      workload: m.workload,
      module_per_s: roundRate(m.achievedCommitsPerSecond * m.eventsPerCommit),
      baseline_per_s: null,
      ratio: null,
      write_units_per_event: roundUnits((tally.writeUnits + index.writeUnits) / events),
      read_units_per_event: roundUnits(tally.readUnits / events),
      table_write_units_per_commit: roundUnits(tally.writeUnits / commits),
      index_write_units_per_commit: roundUnits(index.writeUnits / commits),
      lease_write_units_per_commit: roundUnits(tally.leaseWriteUnits / commits),
      commits_per_index_batch: round(index.commits / index.batches, 1),
      index_batch_bytes: Math.round(index.itemBytes / index.batches),
      index_batch_commits_json_bytes: Math.round(index.commitsBytes / index.batches),
      index_batch_checkpoint_json_bytes: Math.round(index.checkpointBytes / index.batches),
      offered_commits_per_s: m.offeredCommitsPerSecond,
      achieved_commits_per_s: roundRate(m.achievedCommitsPerSecond),
      append_p50_ms: round(m.append.p50, 1),
      append_p99_ms: round(m.append.p99, 1),
    };
  });
  console.log('\nPaced writes with the feed on (the module alone, its in-app indexer in the same process; offered: commits sent at that rate,');
  console.log('at most 64 in flight). WU/event: the table\'s items and the index batches holding the commits, read back and billed by item size;');
  console.log('the lease renewals (a write every third of its 10 s TTL, whatever the load) are counted apart. Index target: <= 0.1 WU/commit at 100/s.');
  printTable(
    ['workload', 'offered /s', 'achieved /s', 'WU/event', 'RU/event', 'table WU/commit', 'index WU/commit', 'lease WU/commit', 'commits/batch', 'batch B (commits + checkpoint JSON)', 'append p50/p99 ms', 'target'],
    results.map((r) => {
      const targeted = r.offered_commits_per_s === 100;
      return [
        r.workload,
        String(r.offered_commits_per_s),
        String(r.achieved_commits_per_s),
        formatUnits(r.write_units_per_event),
        formatUnits(r.read_units_per_event),
        formatUnits(r.table_write_units_per_commit),
        formatUnits(r.index_write_units_per_commit),
        formatUnits(r.lease_write_units_per_commit),
        r.commits_per_index_batch.toFixed(1),
        `${r.index_batch_bytes} (${r.index_batch_commits_json_bytes} + ${r.index_batch_checkpoint_json_bytes})`,
        `${r.append_p50_ms} / ${r.append_p99_ms}`,
        targeted ? `index <= 0.1: ${r.index_write_units_per_commit <= 0.1 ? 'PASS' : 'MISS'}` : '-',
      ];
    }),
  );
  return results;
}

/** The feed latency row: acknowledgement to a handler in another process, and its two legs. */
/** Prints a latency row (`title`: the feed latency's, or another workload measured the same way). */
export function printLatencyReport(m: LatencyMeasurement, title = 'Feed latency'): LatencyResult {
  const result: LatencyResult = {
    workload: m.workload,
    module_per_s: null,
    baseline_per_s: null,
    ratio: null,
    write_units_per_event: null,
    read_units_per_event: null,
    p50_ms: m.ackToHandler.p50,
    p90_ms: m.ackToHandler.p90,
    p99_ms: m.ackToHandler.p99,
    max_ms: m.ackToHandler.max,
    samples: m.samples,
    offered_commits_per_s: m.offeredCommitsPerSecond,
    achieved_commits_per_s: roundRate(m.achievedCommitsPerSecond),
    ack_to_indexed_p50_ms: m.ackToIndexed.p50,
    ack_to_indexed_p99_ms: m.ackToIndexed.p99,
    indexed_to_handler_p50_ms: m.indexedToHandler.p50,
    indexed_to_handler_p99_ms: m.indexedToHandler.p99,
    commits_per_index_batch: round(m.commitsPerIndexBatch, 1),
  };
  console.log(`\n${title} (${m.samples} commits after the warm-up, ${result.achieved_commits_per_s} commits/s achieved; ms; targets: p50 <= 300, p99 <= 1,000):`);
  const row = (leg: string, p: { p50: number; p90: number; p99: number; max: number }) => [leg, String(p.p50), String(p.p90), String(p.p99), String(p.max)];
  printTable(
    ['leg', 'p50', 'p90', 'p99', 'max'],
    [
      row('acknowledgement -> projection handler (another process)', m.ackToHandler),
      row('  acknowledgement -> index batch built (indexer: stream poll, ingest)', m.ackToIndexed),
      row('  index batch built -> handler (PutItem, follower poll, index read, BatchGetItem)', m.indexedToHandler),
      row('(append: sent -> acknowledged)', m.append),
    ],
  );
  const met = result.p50_ms <= 300 && result.p99_ms <= 1000;
  console.log(`${met ? 'PASS' : 'MISS'}: p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms; ${result.commits_per_index_batch} commits per index batch`);
  return result;
}

/**
 * The checks of a multi-process partitioned projection run, over the instances' record files
 * (records.ts): what each handler call was made under, and what became of each lease request.
 * Each function returns the problems found (empty when right), at most a few dozen, each naming
 * the partition, tenure and event concerned.
 */
import { partitionOf } from '../../../lib/projections/partitions/stream-partition.js';
import type { AcquiredRecord, HandledRecord, InstanceRecord, SavedRecord } from './records.js';

/** The records of one instance (process), in the order it wrote them. */
export interface InstanceLog {
  readonly instance: string;
  readonly records: readonly InstanceRecord[];
  /**
   * When the process was SIGSTOPped and SIGCONTed (machine clock, ms): a lease it held then may
   * have been taken over meanwhile, and its handler calls go on after the takeover until it hears so.
   */
  readonly frozen?: { readonly from: number; readonly to: number };
}

/** One tenure of a partition: a lease taken (epoch), by one instance, and what it did with it. */
export interface Tenure {
  readonly instance: string;
  /** Held (not released) while its process was frozen. */
  frozen: boolean;
  readonly partition: number;
  readonly owner: string;
  readonly epoch: number;
  /** The stored checkpoint when it was taken: where the tenure starts. */
  readonly from: string;
  readonly acquiredAt: number;
  readonly handled: HandledRecord[];
  readonly saves: SavedRecord[];
  releasedAt?: number;
}

/** A checkpoint as a comparable pair: `[position, version]`, Infinity for a whole commit; FEED_START is `[0, 0]`. */
export function checkpointOrder(checkpoint: string): readonly [number, number] {
  if (checkpoint === '0') return [0, 0];
  const [, position, version] = checkpoint.split(':');
  return [Number(position), version === undefined ? Infinity : Number(version)];
}

/** Whether everything up to `event` is covered by `checkpoint` (the checkpoint is at or past the event). */
export function covers(checkpoint: string, event: string): boolean {
  const [cp, cv] = checkpointOrder(checkpoint);
  const [ep, ev] = checkpointOrder(event);
  return cp > ep || (cp === ep && cv >= ev);
}

const cap = (problems: string[]): string[] => (problems.length > 25 ? [...problems.slice(0, 25), `... and ${problems.length - 25} more`] : problems);

/** Groups the records into tenures; problems: an epoch of a partition taken twice, or a call/save under a lease nobody took. */
export function tenuresOf(logs: readonly InstanceLog[]): { tenures: Map<number, Tenure[]>; problems: string[] } {
  const problems: string[] = [];
  const byLease = new Map<string, Tenure>();
  const tenures = new Map<number, Tenure[]>();
  for (const log of logs) {
    for (const record of log.records) {
      if (record.k !== 'a') continue;
      const id = `${record.p}/${record.e}`;
      const other = byLease.get(id);
      if (other !== undefined) {
        problems.push(`partition ${record.p}: epoch ${record.e} was taken twice, by ${other.instance} (${other.owner}) and by ${log.instance} (${record.o})`);
        continue;
      }
      const tenure: Tenure = { instance: log.instance, frozen: false, partition: record.p, owner: record.o, epoch: record.e, from: record.c, acquiredAt: record.t, handled: [], saves: [] };
      byLease.set(id, tenure);
      tenures.set(record.p, [...(tenures.get(record.p) ?? []), tenure]);
    }
  }
  for (const log of logs) {
    for (const record of log.records) {
      if (record.k === 'r' && record.ok) {
        const released = byLease.get(`${record.p}/${record.e}`);
        if (released !== undefined) released.releasedAt ??= record.t;
      }
      if (record.k !== 'h' && record.k !== 's') continue;
      if (record.k === 's' && record.e < 0) continue;
      const tenure = byLease.get(`${record.p}/${record.e}`);
      if (tenure === undefined || tenure.owner !== record.o || tenure.instance !== log.instance) {
        if (record.k === 'h') problems.push(`${log.instance} handled ${record.s}@${record.v} (partition ${record.p}) ${record.o === undefined ? 'holding no lease on the partition' : `under ${record.o}/${record.e}, not a lease it took`}`);
        else if (record.ok) problems.push(`${log.instance} saved checkpoint ${record.c} of partition ${record.p} under ${record.o}/${record.e}, not a lease it took`);
        continue;
      }
      if (record.k === 'h') tenure.handled.push(record);
      else tenure.saves.push(record);
    }
  }
  for (const list of tenures.values()) list.sort((a, b) => a.epoch - b.epoch);
  for (const log of logs) {
    if (log.frozen === undefined) continue;
    for (const tenure of byLease.values()) {
      if (tenure.instance === log.instance && tenure.acquiredAt < log.frozen.to && (tenure.releasedAt ?? Infinity) > log.frozen.from) tenure.frozen = true;
    }
  }
  return { tenures, problems: cap(problems) };
}

/**
 * Every event handled at least once, each stream in version order: the calls of each stream taken
 * tenure by tenure (epoch order), each tenure's in its process's order. A later tenure may start
 * again from an earlier event (the uncommitted suffix of the one before), never skip one.
 * Also: each call was for a stream of the partition whose lease it was made under.
 */
export function deliveryProblems(tenures: ReadonlyMap<number, readonly Tenure[]>, expected: ReadonlyMap<string, number>, partitions: number): string[] {
  const problems: string[] = [];
  const reached = new Map<string, number>();
  const calls: HandledRecord[] = [];
  for (const list of tenures.values()) for (const tenure of list) calls.push(...[...tenure.handled].sort((a, b) => a.n - b.n));
  for (const call of calls) {
    if (partitionOf(call.s, partitions) !== call.p) problems.push(`${call.s}@${call.v} was handled under partition ${call.p}'s lease; the stream is in partition ${partitionOf(call.s, partitions)}`);
    const last = reached.get(call.s) ?? 0;
    if (call.v <= last + 1) reached.set(call.s, Math.max(last, call.v));
    else {
      problems.push(`${call.s}@${call.v} handled after ${call.s}@${last} (partition ${call.p}, epoch ${call.e}): ${last + 1}-${call.v - 1} skipped or out of order`);
      reached.set(call.s, call.v); // one problem per hole, not one per event after it
    }
  }
  for (const [streamId, last] of expected) {
    const got = reached.get(streamId) ?? 0;
    if (got !== last) problems.push(`${streamId}: handled up to version ${got}, the table holds ${last}`);
  }
  return cap(problems);
}

/**
 * Fencing, on the checkpoints as stored: a save is accepted only under the lease that is current.
 * - every accepted save of a tenure is at or before the checkpoint each later tenure of the
 *   partition started from (it landed before the next holder took over: handling under an old
 *   epoch never advanced the checkpoint after a newer epoch started);
 * - a tenure's accepted saves never go back, and never behind where it started;
 * - nothing is handled under a lease after its process saw it refused or released it (its own record order);
 * - a tenure handles nothing its starting checkpoint covers, and what it handled past its last
 *   accepted save (the suffix the next tenure handles again) is at most one page.
 */
export function fencingProblems(tenures: ReadonlyMap<number, readonly Tenure[]>, logs: readonly InstanceLog[], pageSize: number): string[] {
  const problems: string[] = [];
  for (const [partition, list] of tenures) {
    list.forEach((tenure, i) => {
      const accepted = tenure.saves.filter((save) => save.ok);
      for (const later of list.slice(i + 1)) {
        for (const save of accepted) {
          if (!covers(later.from, save.c)) problems.push(`partition ${partition}: ${tenure.instance}'s save of ${save.c} under epoch ${tenure.epoch} was accepted after epoch ${later.epoch} (${later.instance}) had started from ${later.from}`);
        }
      }
      let last = tenure.from;
      for (const save of accepted) {
        if (!covers(save.c, last)) problems.push(`partition ${partition}, epoch ${tenure.epoch} (${tenure.instance}): checkpoint saved back from ${last} to ${save.c}`);
        last = save.c;
      }
      for (const call of tenure.handled) {
        if (covers(tenure.from, call.c)) problems.push(`partition ${partition}, epoch ${tenure.epoch} (${tenure.instance}): handled ${call.s}@${call.v} at ${call.c}, already covered by the checkpoint it started from (${tenure.from})`);
      }
      const suffix = tenure.handled.filter((call) => !covers(last, call.c));
      const next = list[i + 1];
      if (next !== undefined && suffix.length > pageSize) problems.push(`partition ${partition}, epoch ${tenure.epoch} (${tenure.instance}): ${suffix.length} events handled past its last accepted save (${last}), more than a page (${pageSize})`);
    });
  }
  for (const log of logs) {
    const ended = new Set<string>();
    for (const record of log.records) {
      if ((record.k === 's' && !record.ok) || record.k === 'r') ended.add(`${record.p}/${record.e}`);
      else if (record.k === 'h' && ended.has(`${record.p}/${record.e}`)) problems.push(`${log.instance} handled ${record.s}@${record.v} under epoch ${record.e} of partition ${record.p} after it had released that lease or seen a save refused`);
    }
  }
  return cap(problems);
}

/**
 * No partition handled by two instances at once: a tenure's handler calls all come before the next
 * tenure's first call (by the machine's clock, which every process reads), unless its process was
 * frozen (SIGSTOP) meanwhile: a frozen holder cannot be stopped, and its late calls are what the
 * checkpoint fencing is for.
 */
export function overlapProblems(tenures: ReadonlyMap<number, readonly Tenure[]>): string[] {
  const problems: string[] = [];
  for (const [partition, list] of tenures) {
    list.forEach((tenure, i) => {
      if (tenure.frozen || tenure.handled.length === 0) return;
      const lastCall = Math.max(...tenure.handled.map((call) => call.t));
      for (const later of list.slice(i + 1)) {
        if (later.handled.length === 0) continue;
        const firstCall = Math.min(...later.handled.map((call) => call.t));
        if (firstCall <= lastCall) problems.push(`partition ${partition}: ${later.instance} (epoch ${later.epoch}) handled from ${firstCall.toFixed(0)} while ${tenure.instance} (epoch ${tenure.epoch}) handled until ${lastCall.toFixed(0)}`);
      }
    });
  }
  return cap(problems);
}

/** Acquisitions, for the summary. */
export const acquisitions = (logs: readonly InstanceLog[]): AcquiredRecord[] => logs.flatMap((log) => log.records.filter((r): r is AcquiredRecord => r.k === 'a'));

/**
 * The checks that need no expected end state (lease exclusivity, fencing, overlap), for a run cut
 * short: shown with a failed wait, so that it says whether the records already show a violation.
 */
export function safetyProblems(logs: readonly InstanceLog[], pageSize: number): string[] {
  const { tenures, problems } = tenuresOf(logs);
  return [...problems, ...fencingProblems(tenures, logs, pageSize), ...overlapProblems(tenures)];
}

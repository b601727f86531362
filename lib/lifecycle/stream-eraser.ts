import { commitEnd, type EventItemHeader } from '../event-store/event-item.codec.js';
import { sleep } from '../event-store/retry-policy.js';
import type { ErasureAction } from './interfaces/erasure-report.interface.js';
import type { StreamLifecycleTable } from './stream-lifecycle-table.js';
import { isPurgeStub } from './stream-metadata-item.codec.js';

/** What the eraser needs of the snapshots (the module's SnapshotRepository fits). */
export interface SnapshotEraser {
  readonly tableName: string;
  /** Deletes every snapshot of the stream; resolves to how many. */
  delete(streamId: string): Promise<number>;
  /** Deletes the snapshots taken below `version`; resolves to how many. */
  deleteBelow(streamId: string, version: number): Promise<number>;
}

/** What the eraser needs of the feed index: erase a stream's entries (its tombstone's excepted). */
export interface FeedIndexEraser {
  readonly tableName: string;
  /** `tombstoneIndexed` false: the index has not taken the tombstone in yet, so entries of the stream may still come; erase again later. */
  erase(streamId: string): Promise<{ entriesErased: number; batchesRewritten: number; tombstoneIndexed: boolean }>;
}

/**
 * Deletes what a deletion or a truncation retired, once the purge fence has passed since it was
 * retired: by then no process can still trust a boundary among the retired items (see the
 * boundary cache), so no append can land among them once they are gone. The stream's first item
 * is replaced by a stub rather than deleted (key 1 stays taken), and its last item always stays.
 */
export class StreamEraser {
  constructor(
    private readonly table: StreamLifecycleTable,
    /** Milliseconds between retiring items and deleting them. */
    readonly fenceMs: number,
    private readonly snapshots?: SnapshotEraser,
    private readonly feedIndex?: FeedIndexEraser,
  ) {}

  /**
   * Milliseconds until items may be deleted that were retired by a metadata change this process
   * saw stored at `fenceFrom` (a `performance.now()` taken once the write was acknowledged, or once
   * a read returned it). Timed on this process's monotonic clock alone: no other host's clock counts.
   */
  fenceRemaining(fenceFrom: number): number {
    return Math.max(0, fenceFrom + this.fenceMs - performance.now());
  }

  /**
   * A hard delete's erasure: every item below the tombstone, every snapshot, every feed index entry
   * but the tombstone's. `complete` is false while the feed index may still take in entries of the
   * stream (its tombstone not indexed yet): `streams purge` then erases them later.
   */
  async eraseHardDeleted(streamId: string, deletedVersion: number, fenceFrom: number): Promise<{ actions: ErasureAction[]; complete: boolean }> {
    const actions = await this.purgeBelow(streamId, deletedVersion + 2, fenceFrom, false); // every snapshot goes, below
    if (this.snapshots !== undefined) {
      const count = await this.snapshots.delete(streamId);
      actions.push({ what: 'snapshots-deleted', where: this.snapshots.tableName, count, at: new Date().toISOString() });
    }
    let complete = true;
    if (this.feedIndex !== undefined) {
      const { entriesErased, batchesRewritten, tombstoneIndexed } = await this.feedIndex.erase(streamId);
      complete = tombstoneIndexed;
      actions.push({
        what: 'feed-index-entries-erased',
        where: this.feedIndex.tableName,
        count: entriesErased,
        at: new Date().toISOString(),
        detail:
          `${batchesRewritten} index items rewritten; the tombstone's entry stays (the feed's StreamDeleted)` +
          (tombstoneIndexed ? '' : '; the index had not taken the tombstone in yet: `streams purge` erases entries indexed later'),
      });
    }
    return { actions, complete };
  }

  /** Whether a purge below `truncateBefore` would delete anything now (one Query, and a head read). */
  async hasRetired(streamId: string, truncateBefore: number): Promise<boolean> {
    return (await this.retiredRuns(streamId, truncateBefore)).length > 0;
  }

  /**
   * The runs of consecutive items a purge below `truncateBefore` deletes (each but its stub), none
   * when there is nothing new: no run, or only stubs of earlier purges standing alone.
   */
  private async retiredRuns(streamId: string, truncateBefore: number): Promise<EventItemHeader[][]> {
    const [headers, last] = await Promise.all([this.table.itemHeaders(streamId, truncateBefore), this.table.lastItem(streamId)]);
    const lastCommitEnd = last === undefined ? 0 : commitEnd(last);
    const retired = (item: EventItemHeader) => commitEnd(item) < truncateBefore && commitEnd(item) !== lastCommitEnd && item.deleted === undefined;
    const runs: EventItemHeader[][] = [];
    let previousRetired = false;
    for (const item of headers) {
      const isRetired = retired(item);
      if (isRetired && previousRetired) runs.at(-1)!.push(item);
      else if (isRetired) runs.push([item]);
      previousRetired = isRetired;
    }
    return runs.every((run) => run.length === 1 && isPurgeStub(run[0]!)) ? [] : runs;
  }

  /**
   * Deletes the items whose commits end below `truncateBefore`, after waiting out what is left of
   * the fence. Never deleted: tombstones (the feed's StreamDeleted, and the key a stale writer would
   * take) and the stream's last commit (a retry of it must find it whole). Each run of deleted items
   * leaves a stub at its first key, standing for its versions, so the items stay a contiguous chain
   * and key 1 is never free (a `NO_STREAM` append writes it without reading).
   */
  async purgeBelow(streamId: string, truncateBefore: number, fenceFrom: number, uselessSnapshots = true): Promise<ErasureAction[]> {
    const wait = this.fenceRemaining(fenceFrom);
    if (wait > 0) await sleep(wait);
    const runs = await this.retiredRuns(streamId, truncateBefore);
    if (runs.length === 0) return [];
    let events = 0;
    let items = 0;
    for (const run of runs) {
      const [first, ...rest] = run;
      // The stub first: its key is never free, even for a moment. Conditional: a purge running at the same time may have
      // written a stub reaching further already, which must not be moved back.
      await this.table.putPurgeStub(streamId, first!.version, run.at(-1)!.lastVersion, Date.now());
      await this.table.deleteItems(streamId, rest.map((item) => item.version));
      for (const item of run) if (!isPurgeStub(item)) events += item.lastVersion - item.version + 1;
      items += run.length;
    }
    const actions: ErasureAction[] = [
      {
        what: 'events-deleted',
        where: this.table.tableName,
        count: events,
        at: new Date().toISOString(),
        detail: `below version ${truncateBefore}: ${items} items; ${runs.length === 1 ? 'a stub keeps the first key of the run' : `${runs.length} stubs keep the first key of each run`}`,
      },
    ];
    if (uselessSnapshots && this.snapshots !== undefined && truncateBefore > 2) {
      const count = await this.snapshots.deleteBelow(streamId, truncateBefore - 1);
      if (count > 0) actions.push({ what: 'snapshots-deleted', where: this.snapshots.tableName, count, at: new Date().toISOString(), detail: `taken below version ${truncateBefore - 1}` });
    }
    return actions;
  }
}

import { commitEnd } from '../event-store/event-item.codec.js';
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

  /** Milliseconds until items retired at `retiredAt` (Unix ms) may be deleted. */
  fenceRemaining(retiredAt: number): number {
    return Math.max(0, retiredAt + this.fenceMs - Date.now());
  }

  /**
   * A hard delete's erasure: every item below the tombstone, every snapshot, every feed index entry
   * but the tombstone's. `complete` is false while the feed index may still take in entries of the
   * stream (its tombstone not indexed yet): `streams purge` then erases them later.
   */
  async eraseHardDeleted(streamId: string, deletedVersion: number, retiredAt: number): Promise<{ actions: ErasureAction[]; complete: boolean }> {
    const actions = await this.purgeBelow(streamId, deletedVersion + 2, retiredAt, false); // every snapshot goes, below
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

  /**
   * Deletes the items whose commits end below `truncateBefore` (never the stream's last item),
   * after waiting out what is left of the fence, and replaces the first one by a purge stub.
   */
  async purgeBelow(streamId: string, truncateBefore: number, retiredAt: number, uselessSnapshots = true): Promise<ErasureAction[]> {
    const wait = this.fenceRemaining(retiredAt);
    if (wait > 0) await sleep(wait);
    const headers = await this.table.itemHeaders(streamId, truncateBefore);
    const last = headers.at(-1);
    const retired = headers.filter((item) => commitEnd(item) < truncateBefore && item !== last);
    // Nothing new to delete: no item retired, or only the stub of an earlier purge.
    if (retired.length === 0 || (retired.length === 1 && isPurgeStub(retired[0]!))) return [];
    const events = retired.filter((item) => !isPurgeStub(item) && item.deleted === undefined).reduce((sum, item) => sum + item.lastVersion - item.version + 1, 0);
    const stubEnd = retired.at(-1)!.lastVersion;
    // The stub first: key 1 is never free, even for a moment (a NO_STREAM append writes it without reading).
    if (retired[0]!.version === 1) await this.table.putPurgeStub(streamId, stubEnd, Date.now());
    await this.table.deleteItems(
      streamId,
      retired.filter((item) => item.version !== 1).map((item) => item.version),
    );
    const actions: ErasureAction[] = [
      { what: 'events-deleted', where: this.table.tableName, count: events, at: new Date().toISOString(), detail: `versions 1-${stubEnd} (${retired.length} items; a stub keeps key 1)` },
    ];
    if (uselessSnapshots && this.snapshots !== undefined && truncateBefore > 2) {
      const count = await this.snapshots.deleteBelow(streamId, truncateBefore - 1);
      if (count > 0) actions.push({ what: 'snapshots-deleted', where: this.snapshots.tableName, count, at: new Date().toISOString(), detail: `taken below version ${truncateBefore - 1}` });
    }
    return actions;
  }
}

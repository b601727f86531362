import { Inject, Injectable } from '@nestjs/common';
import { EVENT_SOURCING_RUNTIME } from '../dynamo-event-sourcing.constants.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { EventStreamTable } from '../event-store/event-stream-table.js';
import { assertStreamId } from '../event-store/input-validation.js';
import { BACKUPS_NOTE, isoNow } from './erasure-notes.js';
import type { ErasureAction, ErasureReport } from './interfaces/erasure-report.interface.js';
import type { StreamEraser } from './stream-eraser.js';
import { createStreamEraser } from './stream-eraser.factory.js';
import { StreamLifecycle } from './stream-lifecycle.js';
import { StreamLifecycleTable } from './stream-lifecycle-table.js';
import type { StoredStreamMeta } from './stream-metadata-item.codec.js';

/** Options of {@link StreamPurger.purge}. */
export interface PurgeOptions {
  /** Only these streams (default: every stream with a deletion, a truncation or retention limits). */
  readonly streamIds?: readonly string[];
  /** Called as each stream is done, e.g. for a progress line. */
  readonly onStream?: (streamId: string, actions: readonly ErasureAction[]) => void;
}

/** A stream whose retired items must wait for the purge fence. */
interface Pending {
  readonly streamId: string;
  readonly truncateBefore: number;
  /** When this process saw the truncation stored (`performance.now()`): the fence runs from there. */
  readonly fenceFrom: number;
  /** A hard delete whose erasure is not complete (else a truncation, or a soft delete, to purge below). */
  readonly hard: boolean;
}

/**
 * Deletes what deletions and retention retired (the CLI's `streams purge`; run it from a schedule):
 * for each stream with metadata, it first raises `truncateBefore` to what `maxCount` and `maxAge`
 * retire now (reads already hide those events), then, once the purge fence has passed since the
 * stream's last truncation (waiting for it when needed), deletes the items below it and the
 * snapshots they made useless, and finishes hard deletes that were interrupted. Safe to run
 * concurrently with appends and with itself, and to run again after a failure.
 */
@Injectable()
export class StreamPurger {
  private readonly table: StreamLifecycleTable;
  private readonly events: EventStreamTable;
  private readonly eraser: StreamEraser;
  private readonly lifecycle: StreamLifecycle;
  private readonly clock: () => number;

  constructor(@Inject(EVENT_SOURCING_RUNTIME) runtime: EventSourcingRuntime) {
    const { client, options } = runtime;
    this.table = new StreamLifecycleTable(client, options.eventsTable, options.retry);
    this.events = new EventStreamTable(client, options.eventsTable, options.retry);
    this.eraser = createStreamEraser(runtime, this.table);
    this.lifecycle = new StreamLifecycle(this.table, this.events, this.eraser, () => undefined);
    this.clock = options.lifecycle.clock;
  }

  async purge(options: PurgeOptions = {}): Promise<ErasureReport> {
    const requestedAt = isoNow();
    for (const streamId of options.streamIds ?? []) assertStreamId(streamId);
    const streamIds = options.streamIds ?? (await this.table.registeredStreams());
    const actions: ErasureAction[] = [];
    const pending: Pending[] = [];
    for (const streamId of streamIds) {
      const done = await this.retire(streamId, pending);
      actions.push(...done);
      if (done.length > 0 || !pending.some((p) => p.streamId === streamId)) options.onStream?.(streamId, done);
    }
    // One wait for every stream still inside its fence (at most the fence), then their deletes.
    for (const { streamId, truncateBefore, fenceFrom, hard } of pending) {
      const done = hard ? await this.lifecycle.eraseHardDeleted(streamId, fenceFrom) : await this.eraser.purgeBelow(streamId, truncateBefore, fenceFrom);
      actions.push(...done.map((action) => ({ ...action, detail: `${streamId}: ${action.detail ?? ''}`.trim() })));
      options.onStream?.(streamId, done);
    }
    return {
      operation: 'streams.purge',
      requestedAt,
      completedAt: isoNow(),
      actions,
      notes: [`${streamIds.length} streams with metadata examined.`, BACKUPS_NOTE],
    };
  }

  /** Raises the stream's truncation to what its limits retire now; purges at once when the fence has passed, else queues it. */
  private async retire(streamId: string, pending: Pending[]): Promise<ErasureAction[]> {
    let { meta, revision } = await this.table.metadata(streamId);
    let fenceFrom = performance.now(); // what the read returned was stored before now
    if (meta.deleted?.mode === 'hard') {
      // Finishes an interrupted erasure, or erases index entries taken in after it; nothing once it is complete.
      if (meta.deleted.erasedAt === undefined) pending.push({ streamId, truncateBefore: meta.deleted.version + 2, fenceFrom, hard: true });
      return [];
    }
    const cut = await this.retentionCut(streamId, meta);
    if (cut > (meta.truncateBefore ?? 1)) {
      const raised: StoredStreamMeta = { ...meta, truncateBefore: cut, truncatedAt: Date.now() };
      // A lost race (another change of the metadata) is left for the next purge.
      if ((await this.table.writeMetadata(streamId, raised, revision, Date.now())) !== 'written') return [];
      meta = raised;
      revision++;
      fenceFrom = performance.now();
    }
    const truncateBefore = meta.truncateBefore ?? 1;
    // Nothing (left) to delete below the cut: no fence to wait for.
    if (truncateBefore <= 1 || !(await this.eraser.hasRetired(streamId, truncateBefore))) return [];
    // Every stream waits for the fence from this run's own read (one wait for them all, below): no other clock counts.
    pending.push({ streamId, truncateBefore, fenceFrom, hard: false });
    return [];
  }

  /** The first version the stream's `maxCount` and `maxAge` keep now (1 without limits). */
  private async retentionCut(streamId: string, meta: StoredStreamMeta): Promise<number> {
    if (meta.maxCount === undefined && meta.maxAge === undefined) return 1;
    const head = await this.events.head(streamId);
    let cut = meta.maxCount === undefined ? 1 : head.version - meta.maxCount + 1;
    if (meta.maxAge !== undefined) {
      const since = this.clock() - meta.maxAge;
      // Commit times never go back within a stream: the first item committed since the cut starts what is kept.
      const headers = await this.table.itemHeaders(streamId, head.version, meta.truncateBefore ?? 1);
      const kept = headers.find((item) => item.committedAt >= since && item.deleted === undefined);
      cut = Math.max(cut, kept === undefined ? head.version + 1 : kept.version);
    }
    // Never past the head + 1, never into a commit (its first version is where a cut may fall).
    return Math.min(Math.max(cut, 1), head.version + 1);
  }
}

function named(streamId: string, action: ErasureAction): ErasureAction {
  return { ...action, detail: `${streamId}: ${action.detail ?? ''}`.trim() };
}

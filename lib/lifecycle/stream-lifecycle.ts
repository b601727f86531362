import { ConcurrencyError } from '../errors/concurrency.error.js';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import { StreamDeletedError } from '../errors/stream-deleted.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import type { EventStreamTable, StreamHead } from '../event-store/event-stream-table.js';
import { ANY } from '../event-store/expected-version.js';
import { assertStreamId } from '../event-store/input-validation.js';
import type { ErasureAction, ErasureReport } from './interfaces/erasure-report.interface.js';
import type { StreamMetadata } from './interfaces/stream-metadata.interface.js';
import { checkedDeleteOptions, checkedRetention, checkedTruncateBefore } from './lifecycle-input-validation.js';
import { StreamEraser } from './stream-eraser.js';
import type { StreamLifecycleTable } from './stream-lifecycle-table.js';
import { toStreamMetadata, type StoredStreamMeta } from './stream-metadata-item.codec.js';
import { BACKUPS_NOTE, isoNow } from './erasure-notes.js';

/** Lost races on the metadata item before giving up (each loss means another change landed). */
const MAX_METADATA_RACES = 10;

/**
 * Deletes, truncates and sets the retention of streams: the metadata item and the tombstone (see
 * lib/lifecycle/stream-metadata-item.codec.ts), then, for a hard delete, the erasure itself.
 */
export class StreamLifecycle {
  constructor(
    private readonly table: StreamLifecycleTable,
    private readonly events: EventStreamTable,
    private readonly eraser: StreamEraser,
    /** Forgets what this process's boundary cache knows of a stream. */
    private readonly forgetBoundaries: (streamId: string) => void,
  ) {}

  async delete(streamId: string, options: unknown): Promise<ErasureReport> {
    assertStreamId(streamId);
    const { expectedVersion, mode } = checkedDeleteOptions(options);
    const requestedAt = isoNow();
    for (let race = 0; ; race++) {
      const [head, { meta, revision }] = await Promise.all([this.events.head(streamId), this.table.metadata(streamId)]);
      const softDeletedAtHead = head.item?.deleted === 'soft';
      if (isRepeated(meta, mode, expectedVersion, softDeletedAtHead)) {
        // The same delete again (a retry after an unknown outcome): done already; a hard one finishes its erasure.
        const actions = mode === 'hard' ? await this.eraseHardDeleted(streamId) : [];
        const notes = [`The stream was deleted (${mode}) at version ${expectedVersion} already: nothing new was hidden.`, ...notesFor(mode)];
        return { operation: 'stream.delete', requestedAt, completedAt: isoNow(), streamId, mode, actions, notes };
      }
      assertNotHardDeleted(streamId, meta, head);
      const visible = softDeletedAtHead ? 0 : head.version;
      // Nothing to delete (never written, or soft-deleted already), except a soft-deleted stream's hard delete at ANY or 0:
      // the way to erase what a soft delete only hid.
      const upgrade = softDeletedAtHead && mode === 'hard' && (expectedVersion === ANY || expectedVersion === 0);
      const matches = typeof expectedVersion === 'number' ? expectedVersion === visible : expectedVersion === ANY || visible > 0;
      if (!upgrade && (visible === 0 || !matches)) throw new ConcurrencyError(streamId, expectedVersion, visible);
      const deletedVersion = head.version;
      const at = Date.now();
      const deleted: StoredStreamMeta = {
        ...meta,
        truncateBefore: Math.max(meta.truncateBefore ?? 1, deletedVersion + 2),
        truncatedAt: at,
        deleted: { mode, version: deletedVersion, at },
      };
      const outcome = await this.table.writeDeletion(streamId, deletedVersion, mode, deleted, revision, at);
      if (outcome === 'written') {
        const fenceFrom = performance.now(); // the tombstone is stored: the fence runs from here, on this process's clock
        this.forgetBoundaries(streamId);
        const actions: ErasureAction[] = [
          { what: 'tombstone-written', where: this.table.tableName, count: 1, at: new Date(at).toISOString(), detail: `version ${deletedVersion + 1}` },
          { what: 'stream-hidden', where: this.table.tableName, count: visible, at: new Date(at).toISOString(), detail: `reads return none of versions 1-${deletedVersion}` },
        ];
        if (mode === 'hard') actions.push(...(await this.eraseHardDeleted(streamId, fenceFrom)));
        return { operation: 'stream.delete', requestedAt, completedAt: isoNow(), streamId, mode, actions, notes: notesFor(mode) };
      }
      if (outcome === 'stream-moved' && typeof expectedVersion === 'number') {
        const moved = await this.events.head(streamId);
        throw new ConcurrencyError(streamId, expectedVersion, moved.item?.deleted === 'soft' ? 0 : moved.version);
      }
      if (race + 1 >= MAX_METADATA_RACES) throw racesLost(`Deleting stream "${streamId}"`, race + 1);
    }
  }

  /**
   * Erases a hard-deleted stream (after the purge fence) and, once nothing of it can come back to
   * the feed index, records so in its metadata: the erasure of `deleteStream`, and what `streams
   * purge` finishes when a delete was interrupted.
   */
  async eraseHardDeleted(streamId: string, fenceFrom?: number): Promise<ErasureAction[]> {
    const { meta } = await this.table.metadata(streamId);
    const deleted = meta.deleted;
    if (deleted?.mode !== 'hard' || deleted.erasedAt !== undefined) return [];
    // Read back stored: the fence can run from now at the latest.
    const { actions, complete } = await this.eraser.eraseHardDeleted(streamId, deleted.version, fenceFrom ?? performance.now());
    if (complete) {
      for (let race = 0; race < MAX_METADATA_RACES; race++) {
        const current = await this.table.metadata(streamId);
        const erased: StoredStreamMeta = { ...current.meta, deleted: { ...deleted, erasedAt: Date.now() } };
        if ((await this.table.writeMetadata(streamId, erased, current.revision, Date.now())) === 'written') break;
      }
    }
    return actions;
  }

  async truncate(streamId: string, options: unknown): Promise<StreamMetadata> {
    assertStreamId(streamId);
    const before = checkedTruncateBefore(options);
    return this.change(streamId, () => ({ truncateBefore: before }));
  }

  async setMetadata(streamId: string, input: unknown): Promise<StreamMetadata> {
    assertStreamId(streamId);
    const checked = checkedRetention(input);
    return this.change(streamId, () => checked);
  }

  async getMetadata(streamId: string): Promise<StreamMetadata> {
    assertStreamId(streamId);
    return toStreamMetadata((await this.table.metadata(streamId)).meta);
  }

  /** Applies a change to the stream's metadata, retrying a lost race. truncateBefore only rises, and not past the head + 1. */
  private async change(streamId: string, changeOf: () => { maxAge?: number | null; maxCount?: number | null; truncateBefore?: number }): Promise<StreamMetadata> {
    for (let race = 0; ; race++) {
      const [head, { meta, revision }] = await Promise.all([this.events.head(streamId), this.table.metadata(streamId)]);
      assertNotHardDeleted(streamId, meta, head);
      const change = changeOf();
      const next: StoredStreamMeta = { ...meta };
      if (change.maxAge !== undefined) {
        if (change.maxAge === null) delete next.maxAge;
        else next.maxAge = change.maxAge;
      }
      if (change.maxCount !== undefined) {
        if (change.maxCount === null) delete next.maxCount;
        else next.maxCount = change.maxCount;
      }
      if (change.truncateBefore !== undefined && change.truncateBefore > (meta.truncateBefore ?? 1)) {
        if (change.truncateBefore > head.version + 1) {
          throw new InvalidArgumentError(
            EventStoreErrorCode.INVALID_STREAM_METADATA,
            `truncateBefore ${change.truncateBefore} is past the end of stream "${streamId}" (at version ${head.version}); at most ${head.version + 1} truncates every event. Nothing was written.`,
          );
        }
        next.truncateBefore = change.truncateBefore;
        next.truncatedAt = Date.now();
      }
      const outcome = await this.table.writeMetadata(streamId, next, revision, Date.now());
      if (outcome === 'written') return toStreamMetadata(next);
      if (race + 1 >= MAX_METADATA_RACES) throw racesLost(`Changing the metadata of stream "${streamId}"`, race + 1);
    }
  }
}

/** Whether a delete repeats the one the stream's metadata records: same mode, at the version it deleted. */
function isRepeated(meta: StoredStreamMeta, mode: 'soft' | 'hard', expectedVersion: unknown, softDeletedAtHead: boolean): boolean {
  const deleted = meta.deleted;
  if (deleted === undefined || deleted.mode !== mode || expectedVersion !== deleted.version) return false;
  return mode === 'hard' || softDeletedAtHead; // a soft-deleted stream appended to since is live again
}

function assertNotHardDeleted(streamId: string, meta: StoredStreamMeta, head: StreamHead): void {
  if (meta.deleted?.mode === 'hard') throw new StreamDeletedError(streamId, meta.deleted.version, new Date(meta.deleted.at));
  if (head.item?.deleted === 'hard') throw new StreamDeletedError(streamId, head.version - 1);
}

function racesLost(operation: string, attempts: number): RetriesExhaustedError {
  return new RetriesExhaustedError(operation, attempts, 'ConditionalCheckFailed (the stream\'s metadata changed each time)', {
    advice: 'Nothing was changed by this call; running it again is safe.',
  });
}

function notesFor(mode: 'soft' | 'hard'): string[] {
  return mode === 'soft'
    ? [
        'Soft delete: the events are hidden from stream reads at once, and stay in the table until `streams purge` deletes them (a purge fence after now).',
        'The feed delivers the events until they are purged, and a StreamDeleted event at the tombstone: projections must forget the stream themselves.',
        BACKUPS_NOTE,
      ]
    : ['Hard delete: the stream id stays taken for ever (its tombstone and metadata hold no event data).', 'Read models that copied the events must forget them on StreamDeleted.', BACKUPS_NOTE];
}

import { ConcurrencyError } from '../../errors/concurrency.error.js';
import { StreamDeletedError } from '../../errors/stream-deleted.error.js';
import { EventStoreErrorCode } from '../../errors/event-store.error.js';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { decodeEventItem, type StoredEventItem } from '../../event-store/event-item.codec.js';
import { ANY } from '../../event-store/expected-version.js';
import { assertStreamId } from '../../event-store/input-validation.js';
import type { DeleteStreamOptions } from '../../lifecycle/interfaces/delete-stream-options.interface.js';
import type { ErasureAction, ErasureReport } from '../../lifecycle/interfaces/erasure-report.interface.js';
import type { StreamMetadata, StreamRetentionInput } from '../../lifecycle/interfaces/stream-metadata.interface.js';
import { checkedDeleteOptions, checkedRetention, checkedTruncateBefore } from '../../lifecycle/lifecycle-input-validation.js';
import type { RetentionWindow } from '../../lifecycle/retention-window.js';
import { toStreamMetadata, tombstoneItem, type StoredStreamMeta } from '../../lifecycle/stream-metadata-item.codec.js';
import type { InMemoryEventLog } from './in-memory-event-log.js';

/** The `where` of the in-memory store's erasure actions (the DynamoDB store names its tables). */
const WHERE = 'in-memory event store';
const READ_MODELS_NOTE = 'Read models built from the stream keep what they stored until they handle its StreamDeleted event (replayAll$ delivers it).';

/** Deletes a stream's snapshots (the in-memory snapshot repository's `delete`), when snapshots are on. */
export type DeleteSnapshots = (streamId: string) => Promise<number>;

/** What an append finds at a stream, lifecycle-wise. */
export type AppendState =
  /** A live stream (or one never written): the ordinary expected-version rules, from `firstVersion`. */
  | { readonly kind: 'live'; readonly firstVersion: number }
  /** Soft-deleted and not appended to since: it reads as empty; 'no-stream', 0 and 'any' continue after the tombstone. */
  | { readonly kind: 'hidden'; readonly next: number };

/**
 * The stream lifecycle of the in-memory store, with the DynamoDB store's semantics (see
 * lib/lifecycle): per-stream metadata (`maxAge`, `maxCount`, `truncateBefore`, the deletion), soft
 * and hard deletes that write a tombstone commit at the version after the stream's last event (the
 * feed delivers it as `StreamDeleted`), retention windows for reads, and the same input checks and
 * errors. A hard delete erases the stream's events and feed entries at once: in memory there is no
 * other process whose cache a purge fence would have to outlast.
 *
 * Every change is checked and made without an await, so that it is atomic with respect to appends,
 * as DynamoDB's conditional writes are.
 */
export class InMemoryStreamLifecycle {
  private readonly metadata = new Map<string, StoredStreamMeta>();

  constructor(
    private readonly log: InMemoryEventLog,
    /** Unix milliseconds now: `lifecycle.clock`. */
    private readonly clock: () => number,
    private readonly deleteSnapshots?: DeleteSnapshots,
  ) {}

  /** @throws StreamDeletedError for a hard-deleted stream. */
  assertNotHardDeleted(streamId: string): void {
    const deleted = this.metadata.get(streamId)?.deleted;
    if (deleted?.mode === 'hard') throw new StreamDeletedError(streamId, deleted.version, new Date(deleted.at));
  }

  /** How an append to the stream is decided. @throws StreamDeletedError for a hard-deleted stream. */
  appendState(streamId: string): AppendState {
    this.assertNotHardDeleted(streamId);
    const deleted = this.metadata.get(streamId)?.deleted;
    if (deleted === undefined) return { kind: 'live', firstVersion: 1 };
    // The last deletion's tombstone is the stream's last commit until something is appended after it.
    const head = this.log.head(streamId)!;
    if (head.deleted !== undefined) return { kind: 'hidden', next: head.lastVersion + 1 };
    return { kind: 'live', firstVersion: deleted.version + 2 };
  }

  /** The events a read may return, by the stream's metadata now. @throws StreamDeletedError for a hard-deleted stream. */
  windowOf(streamId: string): RetentionWindow {
    this.assertNotHardDeleted(streamId);
    const meta = this.metadata.get(streamId) ?? {};
    let first = meta.truncateBefore ?? 1;
    if (meta.maxCount !== undefined) first = Math.max(first, this.log.versionOf(streamId) - meta.maxCount + 1);
    return meta.maxAge === undefined ? { first } : { first, committedSince: this.clock() - meta.maxAge };
  }

  /**
   * Deletes the stream if it is at `expectedVersion`: see `EventStore.deleteStream`.
   *
   * @throws InvalidArgumentError on a bad stream id or options; ConcurrencyError when the stream is
   *   at another version or has no events; StreamDeletedError when it was hard-deleted.
   */
  async delete(streamId: string, options: DeleteStreamOptions): Promise<ErasureReport> {
    assertStreamId(streamId);
    const { expectedVersion, mode } = checkedDeleteOptions(options);
    const requestedAt = this.clock();
    const meta = this.metadata.get(streamId) ?? {};
    const head = this.log.head(streamId);
    const repeated = meta.deleted !== undefined && meta.deleted.mode === mode && expectedVersion === meta.deleted.version && (mode === 'hard' || head?.deleted !== undefined);
    if (repeated) {
      // The same delete again (a retry after an unknown outcome): done already.
      const at = new Date(this.clock()).toISOString();
      return { operation: 'stream.delete', requestedAt: new Date(requestedAt).toISOString(), completedAt: at, streamId, mode, actions: [], notes: [`The stream was deleted (${mode}) at version ${expectedVersion} already: nothing new was hidden.`] };
    }
    this.assertNotHardDeleted(streamId);
    // A stream never written has nothing to delete, whatever the expected version.
    if (head === undefined) throw new ConcurrencyError(streamId, expectedVersion, 0);
    // Soft-deleted, nothing appended since: it reads as empty, at version 0. Nothing to delete, but a hard
    // delete at 0 or ANY erases what the soft delete only hid.
    const hidden = head.deleted !== undefined;
    const version = hidden ? 0 : head.lastVersion;
    const erasesHidden = hidden && mode === 'hard' && (expectedVersion === ANY || expectedVersion === 0);
    const matches = typeof expectedVersion === 'number' ? expectedVersion === version : expectedVersion === ANY || version > 0;
    if (!erasesHidden && (version === 0 || !matches)) throw new ConcurrencyError(streamId, expectedVersion, version);
    const at = () => new Date(this.clock()).toISOString();

    // The tombstone takes the version after the stream's last item (after a soft delete's tombstone, for a hard delete after it).
    const deletedVersion = head.lastVersion;
    const visible = hidden ? 0 : this.eventsFrom(streamId, meta.truncateBefore ?? 1);
    this.metadata.set(streamId, {
      ...meta,
      truncateBefore: Math.max(meta.truncateBefore ?? 1, deletedVersion + 2),
      truncatedAt: requestedAt,
      deleted: { mode, version: deletedVersion, at: requestedAt },
    });
    const tombstone = decodeEventItem(tombstoneItem(streamId, deletedVersion, mode, requestedAt));
    this.log.add(tombstone);

    const actions: ErasureAction[] = [{ what: 'tombstone-written', where: WHERE, count: 1, at: at(), detail: `version ${tombstone.version}` }];
    if (mode === 'soft') {
      actions.push({ what: 'stream-hidden', where: WHERE, count: visible, at: at(), detail: 'events no longer returned by reads; kept until a hard delete' });
    } else {
      const erased = this.log.erase(streamId);
      actions.push({ what: 'events-deleted', where: WHERE, count: erased.events, at: at() });
      actions.push({ what: 'feed-index-entries-erased', where: WHERE, count: erased.feedEntries, at: at() });
      if (this.deleteSnapshots !== undefined) actions.push({ what: 'snapshots-deleted', where: WHERE, count: await this.deleteSnapshots(streamId), at: at() });
    }
    return {
      operation: 'stream.delete',
      requestedAt: new Date(requestedAt).toISOString(),
      completedAt: at(),
      streamId,
      mode,
      actions,
      notes: [READ_MODELS_NOTE],
    };
  }

  /**
   * Raises the stream's `truncateBefore` to `before` (never lowers it): see `EventStore.truncateStream`.
   * @throws InvalidArgumentError on bad input; StreamDeletedError when the stream was hard-deleted.
   */
  async truncate(streamId: string, options: { before: number }): Promise<StreamMetadata> {
    assertStreamId(streamId);
    const before = checkedTruncateBefore(options);
    return this.change(streamId, { truncateBefore: before });
  }

  /**
   * Sets the stream's retention limits: see `EventStore.setStreamMetadata`.
   * @throws InvalidArgumentError on bad input; StreamDeletedError when the stream was hard-deleted.
   */
  async set(streamId: string, input: StreamRetentionInput): Promise<StreamMetadata> {
    assertStreamId(streamId);
    return this.change(streamId, checkedRetention(input));
  }

  /** The stream's metadata (`{}` for a stream without any). @throws InvalidArgumentError on a bad stream id. */
  async get(streamId: string): Promise<StreamMetadata> {
    assertStreamId(streamId);
    return toStreamMetadata(this.metadata.get(streamId) ?? {});
  }

  private change(streamId: string, input: StreamRetentionInput): StreamMetadata {
    this.assertNotHardDeleted(streamId);
    const meta: StoredStreamMeta = { ...this.metadata.get(streamId) };
    if (input.maxAge !== undefined) setOrRemove(meta, 'maxAge', input.maxAge);
    if (input.maxCount !== undefined) setOrRemove(meta, 'maxCount', input.maxCount);
    // Only ever rises: the events below the old boundary may be purged already.
    if (input.truncateBefore !== undefined && input.truncateBefore > (meta.truncateBefore ?? 1)) {
      const head = this.log.versionOf(streamId);
      if (input.truncateBefore > head + 1) {
        throw new InvalidArgumentError(
          EventStoreErrorCode.INVALID_STREAM_METADATA,
          `truncateBefore ${input.truncateBefore} is past the end of stream "${streamId}" (at version ${head}); at most ${head + 1} truncates every event. Nothing was written.`,
        );
      }
      meta.truncateBefore = input.truncateBefore;
      meta.truncatedAt = this.clock();
    }
    this.metadata.set(streamId, meta);
    return toStreamMetadata(meta);
  }

  /** How many of the stream's events (tombstones left out) are at or after `from`. */
  private eventsFrom(streamId: string, from: number): number {
    let count = 0;
    for (const commit of this.log.commitsOf(streamId)) {
      if (commit.deleted === undefined) count += Math.max(0, commit.lastVersion - Math.max(from, commit.version) + 1);
    }
    return count;
  }
}

/** Whether a read returns the commit's events: not a tombstone, and young enough for the stream's `maxAge`. */
export function keptByRetention(commit: StoredEventItem, window: RetentionWindow): boolean {
  return commit.deleted === undefined && (window.committedSince === undefined || commit.committedAt >= window.committedSince);
}

function setOrRemove(meta: StoredStreamMeta, key: 'maxAge' | 'maxCount', value: number | null): void {
  if (value === null) delete meta[key];
  else meta[key] = value;
}

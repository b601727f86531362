/** How a stream was deleted: `soft` hides its events (appends continue after them), `hard` erases it for ever. */
export type StreamDeletionMode = 'soft' | 'hard';

/**
 * A stream's retention and deletion state, as {@link EventStore.getStreamMetadata} returns it.
 * Reads return only the events it keeps, in every process at once; `streams purge` deletes the
 * others later.
 */
export interface StreamMetadata {
  /** Events committed longer ago than this many milliseconds are not returned. */
  readonly maxAge?: number;
  /** Only the newest this many events are returned. */
  readonly maxCount?: number;
  /** Events below this version are not returned (it only ever rises). */
  readonly truncateBefore?: number;
  /** Set once the stream was deleted (a soft-deleted stream appended to again keeps it, with its old version). */
  readonly deleted?: { readonly mode: StreamDeletionMode; readonly version: number; readonly at: Date };
}

/**
 * What {@link EventStore.setStreamMetadata} changes: a field left out is kept, `null` removes a
 * limit. Durations are milliseconds; counts and versions positive integers.
 */
export interface StreamRetentionInput {
  readonly maxAge?: number | null;
  readonly maxCount?: number | null;
  readonly truncateBefore?: number;
}

/** One thing an erasure did, for the user's records. */
export interface ErasureAction {
  /**
   * What was done: `tombstone-written`, `stream-hidden`, `events-retired`, `events-deleted`,
   * `snapshots-deleted`, `feed-index-entries-erased`, `data-key-deleted`,
   * `fields-unreadable`.
   */
  readonly what: string;
  /** Where: a table name. */
  readonly where: string;
  /** How many items (or events, as `detail` says). */
  readonly count: number;
  /** When it was done (ISO 8601). */
  readonly at: string;
  readonly detail?: string;
}

/**
 * What a deletion, a truncation, a purge or a subject's erasure did, where and when: printed as
 * JSON by the CLI, for the records a data controller keeps.
 */
export interface ErasureReport {
  readonly operation: 'stream.delete' | 'stream.truncate' | 'streams.purge' | 'subject.forget';
  readonly requestedAt: string;
  readonly completedAt: string;
  readonly streamId?: string;
  readonly subject?: string;
  readonly mode?: 'soft' | 'hard';
  readonly actions: readonly ErasureAction[];
  /** What the operation cannot reach (backups, exports, read models), said once per report. */
  readonly notes: readonly string[];
}

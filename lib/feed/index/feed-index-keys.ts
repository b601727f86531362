/**
 * Reserved partition keys of the events table (user stream ids may not start with `$$`). The feed
 * index lives in the events table so that the feed needs no table, capacity or IAM of its own.
 */
export const FEED_INDEX_STREAM = '$$feed';
/** The index's identity item: `$$feed` at sort key 0; batches start at position 1. */
export const FEED_INDEX_META_VERSION = 0;
/**
 * `$$feed` at sort key -1: a checkpoint the indexer saved without a batch (after reading only
 * duplicates, or at the end of a reconciliation), valid only while the head is still at `lastVersion`.
 */
export const FEED_INDEX_CHECKPOINT_VERSION = -1;
/** The in-app indexer's lease: one item, `$$feed-indexer` at sort key 0. */
export const FEED_INDEXER_LEASE_STREAM = '$$feed-indexer';

/** Attributes of index items besides the table's keys (`streamId`, `version`) and `lastVersion`. */
export const FeedIndexAttribute = {
  /** (S, meta item) the index's id: checkpoints carry it, so one from another table is refused. */
  indexId: 'indexId',
  /** (N, meta item) layout version of the index items. */
  format: 'format',
  /** (S, batch) JSON array of `[streamId, version, commitEnd]` or `[streamId, version, commitEnd, [slice versions]]`. */
  commits: 'commits',
  /** (S, batch) JSON of the IndexerCheckpoint after the batch. */
  checkpoint: 'checkpoint',
  /** (N) when the item was written, Unix ms by the writer's clock: for lag figures only, never for order. */
  writtenAt: 'writtenAt',
  /**
   * (N, meta item, only on an index that `feed migrate` built from a 0.3 table) the last position whose
   * commit was made before the table had its stream (less a minute for clock skew): positions up to
   * it are in 0.3's feed order (commit time, stream id, version), which lets a 0.3 checkpoint be
   * converted by bisection; later ones are read one by one.
   */
  migratedThrough: 'migratedThrough',
  /** (S, batch) who wrote it: the indexer's owner id, for operators. */
  writer: 'writer',
} as const;

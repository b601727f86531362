import type { IndexedCommit } from './indexed-commit.js';
import type { IndexerCheckpoint } from './indexer-checkpoint.js';

/** One item of the feed index: consecutive positions `position` to `lastPosition`, one commit each. */
export interface IndexBatch {
  /** Position of the first commit (the item's sort key). */
  readonly position: number;
  readonly lastPosition: number;
  readonly commits: readonly IndexedCommit[];
  /** The indexer's checkpoint once this batch was written. */
  readonly checkpoint: IndexerCheckpoint;
  readonly writtenAt: number;
  readonly writer?: string;
}

/** The index's identity, from its meta item. */
export interface FeedIndexMeta {
  readonly indexId: string;
  readonly createdAt: number;
  readonly format: number;
}

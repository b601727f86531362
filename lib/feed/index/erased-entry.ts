import type { IndexedCommit } from './indexed-commit.js';

/**
 * What an index entry holds once its stream was erased from the feed index (a hard delete, see
 * feed-index-eraser.ts): `["", 0, 0]` in the batch's `commits` JSON, in place of
 * `[streamId, version, commitEnd]`. The position stays (positions are gap-free, and every
 * checkpoint handed out keeps its meaning); the stream id is gone. No stream id is empty, so the
 * placeholder cannot be mistaken for a commit. Feed reads step over it like a commit filtered out.
 */
export const ERASED_ENTRY: IndexedCommit = Object.freeze({ streamId: '', version: 0, commitEnd: 0 });

/** Whether an index entry is an erased placeholder rather than a commit. */
export const isErasedEntry = (commit: Pick<IndexedCommit, 'streamId'>): boolean => commit.streamId === '';

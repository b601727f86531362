import type { IndexedCommit } from '../index/indexed-commit.js';

/**
 * A checkpoint of version 0.3's feed, which was ordered by (commit time, stream id, version):
 * `<ms>` stands for everything committed at or before that millisecond, `<ms>:<version>:<streamId>`
 * for that event and everything ordered before it.
 */
export interface LegacyCheckpoint {
  readonly at: number;
  readonly streamId?: string;
  readonly version?: number;
}

/** 0.3's checkpoint grammar (lib/feed/feed-checkpoint.ts of 0.3). */
const LEGACY_CHECKPOINT = /^(\d{1,16})(?::(\d{1,16}):([\s\S]+))?$/;

/** Parses a 0.3 checkpoint; undefined for anything else (a 0.4 checkpoint included). */
export function parseLegacyCheckpoint(checkpoint: string): LegacyCheckpoint | undefined {
  const match = LEGACY_CHECKPOINT.exec(checkpoint);
  if (match === null) return undefined;
  const at = Number(match[1]);
  if (!Number.isSafeInteger(at)) return undefined;
  if (match[2] === undefined) return { at };
  const version = Number(match[2]);
  if (!Number.isSafeInteger(version) || version < 1) return undefined;
  return { at, streamId: match[3], version };
}

/**
 * Where a commit (committed at `at`) lies against a 0.3 checkpoint in 0.3's order:
 * - `covered`: all its events are at or before the checkpoint (a 0.3 reader resuming there skips it);
 * - `partial`: the checkpoint names one of its events other than its last (`version` is that event);
 * - `after`: its first event is after the checkpoint, or (`fed` false) it was never in 0.3's feed
 *   (written without `feedShard`: by a 0.4 writer during the upgrade, or with the feed off), so a
 *   0.3 reader cannot have handled it, whatever its time.
 */
export type CommitPlacement = { readonly kind: 'covered' } | { readonly kind: 'partial'; readonly version: number } | { readonly kind: 'after' };

const COVERED: CommitPlacement = { kind: 'covered' };
const AFTER: CommitPlacement = { kind: 'after' };

export function placeCommit(commit: IndexedCommit, at: number, checkpoint: LegacyCheckpoint, fed = true): CommitPlacement {
  if (!fed) return AFTER;
  if (at !== checkpoint.at) return at < checkpoint.at ? COVERED : AFTER;
  if (checkpoint.streamId === undefined) return COVERED; // the end of that millisecond
  // 0.3 compared stream ids with JavaScript's < (UTF-16 code units), as here.
  if (commit.streamId !== checkpoint.streamId) return commit.streamId < checkpoint.streamId ? COVERED : AFTER;
  const version = checkpoint.version!;
  if (version >= commit.commitEnd) return COVERED;
  if (version >= commit.version) return { kind: 'partial', version };
  return AFTER;
}

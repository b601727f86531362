import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { describeValue } from '../errors/describe-value.js';

/**
 * A place in the global feed, as a string to store anywhere: everything up to it has been handled.
 * Stable across releases; compare two only through the feed (its format is not an ordering).
 */
export type FeedCheckpoint = string;

/** The checkpoint before the first commit: a feed read from here sees everything. */
export const FEED_START: FeedCheckpoint = '0';

/**
 * The feed's total order is (commit time, stream id, version). A position is either the end of a
 * millisecond (everything committed at or before `at`) or a single event: every event ordered at or
 * before (`at`, `streamId`, `version`).
 */
export interface FeedPosition {
  readonly at: number;
  readonly streamId?: string;
  readonly version?: number;
}

export function formatCheckpoint(position: FeedPosition): FeedCheckpoint {
  return position.streamId === undefined ? String(position.at) : `${position.at}:${position.version}:${position.streamId}`;
}

/** The checkpoints of one commit's events by version: formatCheckpoint's output, with the commit's part built once. */
export function checkpointsOfCommit(at: number, streamId: string): (version: number) => FeedCheckpoint {
  const head = `${at}:`;
  const tail = `:${streamId}`;
  return (version) => head + version + tail;
}

/** @throws InvalidArgumentError for anything that is not a checkpoint the feed gave out. */
export function parseCheckpoint(checkpoint: unknown): FeedPosition {
  const invalid = () =>
    new InvalidArgumentError(
      EventStoreErrorCode.INVALID_CHECKPOINT,
      `from must be a checkpoint given by the feed (or FEED_START); got ${describeValue(checkpoint)}.`,
    );
  if (typeof checkpoint !== 'string') throw invalid();
  const match = /^(\d{1,16})(?::(\d{1,16}):([\s\S]+))?$/.exec(checkpoint);
  if (match === null) throw invalid();
  const at = Number(match[1]);
  if (!Number.isSafeInteger(at)) throw invalid();
  if (match[2] === undefined) return { at };
  const version = Number(match[2]);
  if (!Number.isSafeInteger(version) || version < 1) throw invalid();
  return { at, streamId: match[3], version };
}

/** Orders two (commit time, stream id) pairs as the feed does. */
export function compareCommits(a: { at: number; streamId: string }, b: { at: number; streamId: string }): number {
  if (a.at !== b.at) return a.at - b.at;
  return a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0;
}

/**
 * The first version of a commit (committed at `at` in `streamId`, versions up to `lastVersion`)
 * that lies after `position`: `lastVersion + 1` when the whole commit is at or before it.
 */
export function firstVersionAfter(position: FeedPosition, at: number, streamId: string, firstVersion: number, lastVersion: number): number {
  if (at !== position.at) return at < position.at ? lastVersion + 1 : firstVersion;
  if (position.streamId === undefined) return lastVersion + 1; // the end of that millisecond
  if (streamId !== position.streamId) return streamId < position.streamId ? lastVersion + 1 : firstVersion;
  return Math.max(firstVersion, position.version! + 1);
}

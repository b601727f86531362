import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { FeedCheckpointMismatchError } from '../errors/feed-checkpoint-mismatch.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { describeValue } from '../errors/describe-value.js';

/**
 * A place in the global feed, as a string to store anywhere: everything up to it has been handled.
 * `<indexId>:<position>` after a whole commit, `<indexId>:<position>:<version>` after one event of
 * a multi-event commit. Compare two only through the feed (the string is not an ordering).
 */
export type FeedCheckpoint = string;

/** The checkpoint before the first commit: a feed read from here sees everything (of any table). */
export const FEED_START: FeedCheckpoint = '0';

/**
 * A parsed checkpoint: everything at positions below `position` has been handled, and of the commit
 * at `position`, every event when `version` is undefined, else the events up to `version`.
 * `position` 0 (FEED_START) is before the first commit.
 */
export interface FeedPosition {
  /** The feed index the checkpoint was given by; undefined for FEED_START. */
  readonly indexId?: string;
  readonly position: number;
  readonly version?: number;
}

export function formatCheckpoint(indexId: string, position: number, version?: number): FeedCheckpoint {
  return version === undefined ? `${indexId}:${position}` : `${indexId}:${position}:${version}`;
}

/** The checkpoints of one commit's events by version, the commit's part built once. */
export function checkpointsOfCommit(indexId: string, position: number, commitEnd: number): (version: number) => FeedCheckpoint {
  const head = `${indexId}:${position}`;
  const mid = `${head}:`;
  // The last event of a commit ends it: its checkpoint is the commit's, so a resumed read never fetches it again.
  return (version) => (version === commitEnd ? head : mid + version);
}

const CHECKPOINT = /^(f[0-9a-f]{8}):(\d{1,15})(?::(\d{1,15}))?$/;
/** The commit-time checkpoints of 0.3's GSI feed: `<ms>` or `<ms>:<version>:<streamId>`. */
const OUTDATED_CHECKPOINT = /^\d{1,16}(?::[1-9]\d{0,15}:[\s\S]+)?$/;

/**
 * @throws InvalidArgumentError (INVALID_CHECKPOINT) for anything that is not a checkpoint the feed gave out;
 * FeedCheckpointMismatchError for a checkpoint of 0.3's time-ordered feed (naming the migration command).
 */
export function parseCheckpoint(checkpoint: unknown): FeedPosition {
  if (checkpoint === FEED_START) return { position: 0 };
  const invalid = () =>
    new InvalidArgumentError(
      EventStoreErrorCode.INVALID_CHECKPOINT,
      `from must be a checkpoint given by the feed (or FEED_START); got ${describeValue(checkpoint)}.`,
    );
  if (typeof checkpoint !== 'string') throw invalid();
  const match = CHECKPOINT.exec(checkpoint);
  if (match === null) {
    if (OUTDATED_CHECKPOINT.test(checkpoint)) throw FeedCheckpointMismatchError.outdated(checkpoint);
    throw invalid();
  }
  const position = Number(match[2]);
  if (position < 1) throw invalid();
  if (match[3] === undefined) return { indexId: match[1], position };
  const version = Number(match[3]);
  if (version < 1) throw invalid();
  return { indexId: match[1], position, version };
}

/**
 * The first version of the commit at `position` (versions `firstVersion` to `lastVersion`) that lies
 * after `after`: `lastVersion + 1` when the whole commit is at or before it.
 */
export function firstVersionAfter(after: FeedPosition, position: number, firstVersion: number, lastVersion: number): number {
  if (position !== after.position) return position < after.position ? lastVersion + 1 : firstVersion;
  if (after.version === undefined) return lastVersion + 1;
  return Math.max(firstVersion, after.version + 1);
}

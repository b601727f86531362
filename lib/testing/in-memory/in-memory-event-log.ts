import type { StoredEventItem } from '../../event-store/event-item.codec.js';
import { firstVersionAfter, type FeedPosition } from '../../feed/feed-checkpoint.js';

/**
 * The commits of an in-memory event store, each kept as one item in the events table's format (so
 * that the real codec decodes it): per stream in version order, and all of them in feed order.
 *
 * Commit times are chosen so that the order commits are added in *is* the feed's order (commit
 * time, then stream id, then version): a commit never lands before one already added. So a feed
 * reader that has passed a position never misses a later commit, and needs no settle window.
 */
export class InMemoryEventLog {
  private readonly streams = new Map<string, StoredEventItem[]>();
  private readonly feed: StoredEventItem[] = [];

  /** The stream's commits, oldest first; the array grows as commits are added. */
  commitsOf(streamId: string): readonly StoredEventItem[] {
    return this.streams.get(streamId) ?? NONE;
  }

  /** The stream's last commit, if any. */
  head(streamId: string): StoredEventItem | undefined {
    return this.streams.get(streamId)?.at(-1);
  }

  /** The version of the stream's last event (0 for a stream with none). */
  versionOf(streamId: string): number {
    return this.head(streamId)?.lastVersion ?? 0;
  }

  /** The commit whose first event has `version`, if there is one. */
  commitStartingAt(streamId: string, version: number): StoredEventItem | undefined {
    const commit = this.commitsOf(streamId)[this.indexHolding(streamId, version)];
    return commit?.version === version ? commit : undefined;
  }

  /** Whether a commit of the stream ends at `version`. */
  endsCommit(streamId: string, version: number): boolean {
    return this.commitsOf(streamId)[this.indexHolding(streamId, version)]?.lastVersion === version;
  }

  /** Index (in `commitsOf`) of the first commit that ends at or after `version`: the one holding it, if it exists. */
  indexHolding(streamId: string, version: number): number {
    return lowerBound(this.commitsOf(streamId), (commit) => commit.lastVersion >= version);
  }

  /**
   * The time to stamp the stream's next commit with: now, unless that would put it before the last
   * commit added in feed order (same millisecond, smaller or equal stream id; or a clock that went
   * back). Then the last commit's millisecond when the stream id sorts after it, else the next one.
   */
  nextCommitTime(streamId: string, now = Date.now()): number {
    const last = this.feed.at(-1);
    if (last === undefined || now > last.committedAt) return now;
    return streamId > last.streamId ? last.committedAt : last.committedAt + 1;
  }

  /** Adds a commit stamped with `nextCommitTime` at its stream's next version. */
  add(commit: StoredEventItem): void {
    let commits = this.streams.get(commit.streamId);
    if (commits === undefined) this.streams.set(commit.streamId, (commits = []));
    commits.push(commit);
    this.feed.push(commit);
  }

  /** Commits in feed order. */
  get feedLength(): number {
    return this.feed.length;
  }

  feedAt(index: number): StoredEventItem {
    return this.feed[index]!;
  }

  /** Index (in feed order) of the first commit with an event after `position`. */
  firstFeedIndexAfter(position: FeedPosition): number {
    return lowerBound(this.feed, (commit) => firstVersionAfter(position, commit.committedAt, commit.streamId, commit.version, commit.lastVersion) <= commit.lastVersion);
  }
}

const NONE: readonly StoredEventItem[] = Object.freeze([]);

/** The first index whose element passes `isAtOrAfter`, for a predicate false then true along the array. */
function lowerBound<T>(items: readonly T[], isAtOrAfter: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isAtOrAfter(items[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}

import { randomBytes } from 'node:crypto';
import type { StoredEventItem } from '../../event-store/event-item.codec.js';

/**
 * The commits of an in-memory event store, each kept as one item in the events table's format (so
 * that the real codec decodes it): per stream in version order, and all of them in feed order.
 *
 * The feed's order is the order commits are added in, as the feed index's positions are the order
 * the indexer took commits in: the commit at feed index `i` has position `i + 1`.
 */
export class InMemoryEventLog {
  private readonly streams = new Map<string, StoredEventItem[]>();
  /** Undefined where a hard delete erased the commit. */
  private readonly feed: Array<StoredEventItem | undefined> = [];
  /** This log's feed index id, as a DynamoDB feed index has one: `f` and 8 hex digits. */
  readonly indexId = `f${randomBytes(4).toString('hex')}`;

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
   * The time to stamp the stream's next commit with (informational, as in DynamoDB): now, but never
   * before the stream's last commit, so that `occurredAt` does not go back within a stream.
   */
  nextCommitTime(streamId: string, now = Date.now()): number {
    const last = this.head(streamId);
    return last === undefined ? now : Math.max(now, last.committedAt + 1);
  }

  /** Adds a commit at its stream's next version, and at the next feed position. */
  add(commit: StoredEventItem): void {
    let commits = this.streams.get(commit.streamId);
    if (commits === undefined) this.streams.set(commit.streamId, (commits = []));
    commits.push(commit);
    this.feed.push(commit);
  }

  /**
   * Erases a hard-deleted stream: every commit but its last (the deletion's tombstone) leaves the
   * stream, and its feed entries become erased ones, which keep their positions (as the feed
   * index's erased placeholders do) so that checkpoints stay valid.
   */
  erase(streamId: string): { events: number; feedEntries: number } {
    const commits = this.streams.get(streamId) ?? [];
    const erased = new Set(commits.slice(0, -1));
    let events = 0;
    for (const commit of erased) if (commit.deleted === undefined) events += commit.lastVersion - commit.version + 1;
    let feedEntries = 0;
    for (let i = 0; i < this.feed.length; i++) {
      if (erased.has(this.feed[i]!)) {
        this.feed[i] = undefined;
        feedEntries++;
      }
    }
    this.streams.set(streamId, commits.slice(-1));
    return { events, feedEntries };
  }

  /** Commits in feed order. */
  get feedLength(): number {
    return this.feed.length;
  }

  /** The commit at feed index `index`, or undefined where a hard delete erased it. */
  feedAt(index: number): StoredEventItem | undefined {
    return this.feed[index];
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

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { StreamIntegrityError } from '../errors/stream-integrity.error.js';
import { commitEnd, envelopesOf, type EventItemHeader, type StoredEventItem } from '../event-store/event-item.codec.js';
import { followsForward } from '../event-store/stream-integrity.js';
import { EventStreamTable } from '../event-store/event-stream-table.js';
import { FeedDisabledError } from '../errors/feed-disabled.error.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { backoffDelay, sleep, type RetryOptions } from '../event-store/retry-policy.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { EventItemAttribute as A } from '../tables/events-table.js';
import {
  checkpointsOfCommit,
  compareCommits,
  firstVersionAfter,
  formatCheckpoint,
  type FeedCheckpoint,
  type FeedPosition,
} from './feed-checkpoint.js';
import { FeedIndex, itemKey, type FeedEntry } from './feed-index.js';
import type { FeedEvent } from './interfaces/feed-event.interface.js';
import type { ReplayAllOptions } from './interfaces/replay-all-options.interface.js';
import { MAX_FEED_PAGE_SIZE, resolveFeedReadOptions } from './resolve-feed-read-options.js';

/** One page of the feed: its events (after filtering), and the checkpoint after all of its commits. */
export interface FeedPage {
  readonly events: FeedEvent[];
  /** Covers the page's filtered-out events too; on the last page, the read's high-water mark. */
  readonly checkpoint: FeedCheckpoint;
  /** The last page of the read: everything up to the high-water mark has been delivered. */
  readonly caughtUp: boolean;
  /** Commit time the page reached, and the high-water mark the read goes to (for progress). */
  readonly reachedAt: number;
  readonly highWaterMark: number;
}

export interface FeedReadOptions extends ReplayAllOptions {
  /** Read up to this commit time instead of now minus the settle window (tests, rebuild progress). */
  highWaterMark?: number;
}

const MAX_REREADS = 5;
/** Streams whose last delivered commit a read remembers, to catch overlapping commits: bounded, so memory stays flat. */
const MAX_TRACKED_STREAMS = 10_000;

/** Per stream, the last commit a read delivered (as one item spanning the whole commit), oldest stream first. */
class DeliveredEnds {
  private readonly ends = new Map<string, EventItemHeader>();

  get(streamId: string): EventItemHeader | undefined {
    return this.ends.get(streamId);
  }

  set(streamId: string, commit: EventItemHeader): void {
    this.ends.delete(streamId);
    if (this.ends.size >= MAX_TRACKED_STREAMS) this.ends.delete(this.ends.keys().next().value!);
    this.ends.set(streamId, commit);
  }
}

/** A shard's entries in commit-time order, fetched page by page as the merge needs them. */
class ShardCursor {
  readonly buffer: FeedEntry[] = [];
  /** The highest commit time the shard's Query has gone past: entries later than it are not fetched yet. */
  private reached: number;
  private next?: Record<string, AttributeValue>;
  private done = false;

  constructor(
    private readonly index: FeedIndex,
    private readonly shard: number,
    private readonly from: number,
    private readonly to: number,
    private readonly limit: number,
    private readonly streamPrefix?: string,
  ) {
    this.reached = from - 1;
  }

  /**
   * Whether the head of the buffer may still be preceded by an entry not fetched yet: the buffer is
   * empty, or its head shares the commit time of the page boundary (entries of one millisecond may
   * span pages, and the index returns them in no particular order).
   */
  get needsFetch(): boolean {
    return !this.done && (this.buffer.length === 0 || this.buffer[0]!.at >= this.reached);
  }

  async fetch(): Promise<void> {
    const page = await this.index.page(this.shard, this.from, this.to, this.limit, this.streamPrefix, this.next);
    this.buffer.push(...page.entries);
    this.buffer.sort(compareEntries);
    this.next = page.next;
    this.done = page.next === undefined;
    const last = page.next?.[A.committedAt]?.N ?? page.entries.at(-1)?.at;
    if (last !== undefined) this.reached = Math.max(this.reached, Number(last));
  }
}

// Version last: two commits of one stream never share a time when written by this module, but
// commits back-filled into the feed from older tables might.
const compareEntries = (a: FeedEntry, b: FeedEntry): number => compareCommits(a, b) || a.version - b.version;

/**
 * Reads the global feed: the feed index's shards, merged into one order (commit time, then stream
 * id; each stream's commits carry strictly increasing times, so each stream comes in version
 * order), up to a high-water mark of now minus the settle window. Commits younger than that are
 * left for a later read, so that one whose index entry shows up late (clock skew, write latency,
 * index propagation) is still ahead of every reader's checkpoint when it does.
 */
export class FeedReader {
  constructor(
    private readonly index: FeedIndex,
    private readonly table: EventStreamTable,
    private readonly registry: EventTypeRegistry,
    private readonly feed: { readonly shards: number; readonly settleMs: number },
    private readonly retry: Required<RetryOptions>,
  ) {}

  /**
   * The feed after `options.from` up to the high-water mark, page by page. The last page (possibly
   * with no events) has `caughtUp` set and a checkpoint at the high-water mark.
   */
  async *pages(options: FeedReadOptions): AsyncGenerator<FeedPage> {
    const { position: start, include } = resolveFeedReadOptions(options, this.registry);
    let position = start;
    const highWaterMark = options.highWaterMark ?? Date.now() - this.feed.settleMs;
    if (highWaterMark < position.at) {
      yield { events: [], checkpoint: formatCheckpoint(position), caughtUp: true, reachedAt: position.at, highWaterMark };
      return;
    }
    const shards = await this.index.shardsToRead(this.feed.shards);
    const delivered = new DeliveredEnds();
    const cursors = Array.from(
      { length: shards },
      // Index entries are small; with a filter, DynamoDB applies Limit before it, so ask for many per request.
      (_, shard) => new ShardCursor(this.index, shard, position.at, highWaterMark, options.streamPrefix === undefined ? options.pageSize : MAX_FEED_PAGE_SIZE, options.streamPrefix),
    );
    for (;;) {
      const picked = await this.pick(cursors, position, options.pageSize);
      if (picked.length === 0) {
        const end: FeedPosition = { at: highWaterMark };
        yield { events: [], checkpoint: formatCheckpoint(end), caughtUp: true, reachedAt: highWaterMark, highWaterMark };
        return;
      }
      const events = await this.load(picked, delivered, include);
      const last = picked.at(-1)!.entry;
      position = { at: last.at, streamId: last.streamId, version: last.commitEnd };
      yield { events, checkpoint: formatCheckpoint(position), caughtUp: false, reachedAt: last.at, highWaterMark };
    }
  }

  /** The next commits in feed order after `position`, up to `pageSize` events (at least one commit). */
  private async pick(cursors: ShardCursor[], position: FeedPosition, pageSize: number): Promise<Array<{ entry: FeedEntry; from: number }>> {
    const picked: Array<{ entry: FeedEntry; from: number }> = [];
    let events = 0;
    for (;;) {
      const behind = cursors.filter((cursor) => cursor.needsFetch);
      if (behind.length > 0) {
        await Promise.all(behind.map((cursor) => cursor.fetch()));
        continue;
      }
      let first: ShardCursor | undefined;
      for (const cursor of cursors) {
        if (cursor.buffer.length > 0 && (first === undefined || compareEntries(cursor.buffer[0]!, first.buffer[0]!) < 0)) first = cursor;
      }
      if (first === undefined) return picked; // every shard is read to the high-water mark
      const entry = first.buffer[0]!;
      const from = firstVersionAfter(position, entry.at, entry.streamId, entry.version, entry.commitEnd);
      const count = entry.commitEnd - from + 1;
      if (count > 0 && picked.length > 0 && events + count > pageSize) return picked;
      first.buffer.shift();
      if (count <= 0) continue; // delivered before the checkpoint this read started from
      picked.push({ entry, from });
      events += count;
      if (events >= pageSize) return picked;
    }
  }

  /** The picked commits' events, in feed order, each with its checkpoint. */
  private async load(
    picked: ReadonlyArray<{ entry: FeedEntry; from: number }>,
    delivered: DeliveredEnds,
    include?: (storedType: string) => boolean,
  ): Promise<FeedEvent[]> {
    const items = await this.index.firstItems(picked.map(({ entry }) => entry));
    const events: FeedEvent[] = [];
    for (const { entry, from } of picked) {
      const first = items.get(itemKey(entry.streamId, entry.version));
      if (first === undefined) {
        throw new StreamIntegrityError(entry.streamId, `the feed lists a commit at version ${entry.version} that the events table does not hold.`);
      }
      if (commitEnd(first) !== entry.commitEnd) {
        throw new StreamIntegrityError(
          entry.streamId,
          `the feed lists a commit at versions ${entry.version}-${entry.commitEnd}, but the item there now holds commit "${first.commitId}" (versions ${first.version}-${commitEnd(first)}).`,
        );
      }
      // Within one read, a stream's commits come in version order: one that starts at or below what was delivered overlaps it.
      const deliveredEnd = delivered.get(entry.streamId);
      if (deliveredEnd !== undefined && entry.version <= deliveredEnd.lastVersion) followsForward(entry.streamId, deliveredEnd, first); // throws
      delivered.set(entry.streamId, { streamId: entry.streamId, version: first.version, lastVersion: entry.commitEnd, commitId: first.commitId, committedAt: first.committedAt });
      const commitItems = entry.commitEnd > first.lastVersion ? [first, ...(await this.restOfCommit(first, entry.commitEnd))] : [first];
      const checkpointOf = checkpointsOfCommit(entry.at, entry.streamId);
      for (const item of commitItems) {
        for (const envelope of envelopesOf(item, this.registry, from, entry.commitEnd, include, checkpointOf)) events.push(envelope as FeedEvent);
      }
    }
    return events;
  }

  /** The items after the first of a commit split over several; its transaction has committed, so all must show. */
  private async restOfCommit(first: StoredEventItem, commitEnd: number): Promise<StoredEventItem[]> {
    for (let reread = 0; ; reread++) {
      const items: StoredEventItem[] = [];
      let previous: StoredEventItem = first;
      let contiguous = true;
      // Every item in the commit's range must be the next slice of it: another commit's item there is an overlap.
      scan: for await (const page of this.table.pages(first.streamId, { lower: first.version + 1, upper: commitEnd, forward: true })) {
        for (const item of page) {
          if (followsForward(first.streamId, previous, item) === 'gap') {
            contiguous = false;
            break scan;
          }
          items.push(item);
          previous = item;
        }
      }
      if (contiguous && previous.lastVersion === commitEnd) return items;
      // Query is read-committed: part of a committed transaction may not show yet.
      if (reread >= MAX_REREADS) throw new StreamIntegrityError(first.streamId, `commit "${first.commitId}" is not fully visible.`);
      await sleep(backoffDelay(reread + 1, this.retry));
    }
  }
}

/** The feed reader of a module's runtime; throws FeedDisabledError when the feed is off. */
export function createFeedReader(runtime: EventSourcingRuntime): FeedReader {
  const { feed, eventsTable, retry } = runtime.options;
  if (feed === undefined) throw new FeedDisabledError();
  return new FeedReader(new FeedIndex(runtime.client, eventsTable, retry), new EventStreamTable(runtime.client, eventsTable, retry), runtime.registry, feed, retry);
}

import { envelopesOf, type StoredEventItem } from '../../event-store/event-item.codec.js';
import { checkpointsOfCommit, firstVersionAfter, formatCheckpoint, type FeedCheckpoint, type FeedPosition } from '../../feed/feed-checkpoint.js';
import { resolveFeedReadOptions, type ResolvedFeedRead } from '../../feed/resolve-feed-read-options.js';
import type { FeedEvent } from '../../feed/interfaces/feed-event.interface.js';
import type { ReplayAllOptions } from '../../feed/interfaces/replay-all-options.interface.js';
import type { EventTypeRegistry } from '../../serialization/event-type-registry.js';
import type { InMemoryEventLog } from './in-memory-event-log.js';

/** One page of the in-memory feed, as the DynamoDB feed reader pages it. */
export interface InMemoryFeedPage {
  readonly events: FeedEvent[];
  /** After the page's commits (filtered-out events included); on the last page, after everything read. */
  readonly checkpoint: FeedCheckpoint;
  /** The last page of the read. */
  readonly caughtUp: boolean;
}

/**
 * Reads an in-memory event log as the global feed: the same order, pages, checkpoints and filters
 * as the DynamoDB feed reader. The log is already in feed order and a commit never lands before
 * one added earlier, so a read simply goes to the last commit added when it starts: no settle window.
 */
export class InMemoryFeedReader {
  constructor(
    private readonly log: InMemoryEventLog,
    private readonly registry: EventTypeRegistry,
  ) {}

  /** Checks the options; throws InvalidArgumentError as `EventStore.replayAll$` does. */
  resolve(options: ReplayAllOptions): ResolvedFeedRead {
    return resolveFeedReadOptions(options, this.registry);
  }

  /** The feed after `options.from`, up to the last commit added when the first page is asked for. */
  *pages(options: ReplayAllOptions): Generator<InMemoryFeedPage> {
    const { position: start, include } = this.resolve(options);
    const end = this.log.feedLength; // the high-water mark: what is there when the read starts
    let position = start;
    let index = this.log.firstFeedIndexAfter(start);
    for (;;) {
      const picked: Array<{ commit: StoredEventItem; from: number }> = [];
      let events = 0;
      // Up to pageSize events, at least one commit, never part of one: as the DynamoDB reader picks them.
      for (; index < end; index++) {
        const commit = this.log.feedAt(index);
        if (options.streamPrefix !== undefined && !commit.streamId.startsWith(options.streamPrefix)) continue;
        const from = firstAfter(position, commit); // past its first version only in the commit a checkpoint points into
        const count = commit.lastVersion - from + 1;
        if (count <= 0) continue;
        if (picked.length > 0 && events + count > options.pageSize) break;
        picked.push({ commit, from });
        events += count;
        if (events >= options.pageSize) {
          index++;
          break;
        }
      }
      if (picked.length === 0) {
        const last = end === 0 ? undefined : this.log.feedAt(end - 1);
        // Past every commit read, filtered out or not (unless `from` was further on already).
        const after = last !== undefined && firstAfter(position, last) <= last.lastVersion ? endOf(last) : position;
        yield { events: [], checkpoint: formatCheckpoint(after), caughtUp: true };
        return;
      }
      const page: FeedEvent[] = [];
      for (const { commit, from } of picked) {
        const checkpointOf = checkpointsOfCommit(commit.committedAt, commit.streamId);
        for (const envelope of envelopesOf(commit, this.registry, from, commit.lastVersion, include, checkpointOf)) page.push(envelope as FeedEvent);
      }
      position = endOf(picked.at(-1)!.commit);
      yield { events: page, checkpoint: formatCheckpoint(position), caughtUp: false };
    }
  }
}

/** The first version of `commit` after `position` (its last version + 1 when none is). */
function firstAfter(position: FeedPosition, commit: StoredEventItem): number {
  return firstVersionAfter(position, commit.committedAt, commit.streamId, commit.version, commit.lastVersion);
}

const endOf = (commit: StoredEventItem): FeedPosition => ({ at: commit.committedAt, streamId: commit.streamId, version: commit.lastVersion });

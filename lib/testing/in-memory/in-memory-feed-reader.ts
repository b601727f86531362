import { EventStoreErrorCode } from '../../errors/event-store.error.js';
import { FeedCheckpointMismatchError } from '../../errors/feed-checkpoint-mismatch.error.js';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { envelopesOf, type StoredEventItem } from '../../event-store/event-item.codec.js';
import { FEED_START, checkpointsOfCommit, firstVersionAfter, formatCheckpoint, type FeedCheckpoint } from '../../feed/feed-checkpoint.js';
import { resolveFeedReadOptions, type ResolvedFeedRead } from '../../feed/resolve-feed-read-options.js';
import type { FeedEvent } from '../../feed/interfaces/feed-event.interface.js';
import type { ReplayAllOptions } from '../../feed/interfaces/replay-all-options.interface.js';
import type { EventTypeRegistry } from '../../serialization/event-type-registry.js';
import type { InMemoryEventLog } from './in-memory-event-log.js';

/** One page of the in-memory feed, as the DynamoDB feed reader pages it. */
export interface InMemoryFeedPage {
  readonly events: FeedEvent[];
  /** After the page's commits (filtered-out ones included); on the last page, after everything read. */
  readonly checkpoint: FeedCheckpoint;
  /** The last page of the read. */
  readonly caughtUp: boolean;
}

/** As the DynamoDB reader: commits of other streams skipped before a page with no events is handed out. */
const MAX_SKIPPED_PER_PAGE = 1000;

/**
 * Reads an in-memory event log as the global feed: the same pages, checkpoints (with this log's
 * own index id, so a checkpoint of another store is refused as one of another table is) and
 * filters as the DynamoDB feed reader. Positions are the order commits were added in; a read goes
 * up to the last commit added when it starts.
 */
export class InMemoryFeedReader {
  constructor(
    private readonly log: InMemoryEventLog,
    private readonly registry: EventTypeRegistry,
    /** Reads the keys the sealed personal data of a page's commits needs (the store's, with `personalData`), before they are decoded. */
    private readonly withKeys: (commits: StoredEventItem[]) => Promise<unknown> = async () => undefined,
  ) {}

  /** Checks the options; throws InvalidArgumentError (or FeedCheckpointMismatchError for a 0.3 checkpoint) as `EventStore.replayAll$` does. */
  resolve(options: ReplayAllOptions): ResolvedFeedRead {
    return resolveFeedReadOptions(options, this.registry);
  }

  /** The feed after `options.from`, up to the last commit added when the first page is asked for. */
  async *pages(options: ReplayAllOptions): AsyncGenerator<InMemoryFeedPage> {
    const { position: start, include } = this.resolve(options);
    const { indexId } = this.log;
    const head = this.log.feedLength; // what is there when the read starts
    if (start.indexId !== undefined && start.indexId !== indexId) throw FeedCheckpointMismatchError.otherIndex(options.from!, indexId, '(in memory)');
    if (start.position > head) {
      throw new InvalidArgumentError(
        EventStoreErrorCode.INVALID_CHECKPOINT,
        `from ("${options.from}") is at position ${start.position} of the feed index, past its head (${head}): it was not given by this feed.`,
      );
    }
    // The commit a checkpoint points into is read again (from the version after it); one it ends is not.
    let next = start.version === undefined ? start.position + 1 : start.position;
    let covered = start.position;
    for (;;) {
      const picked: Array<{ commit: StoredEventItem; position: number; from: number }> = [];
      let events = 0;
      let skipped = 0;
      // Up to pageSize events, at least one commit, never part of one: as the DynamoDB reader picks them.
      for (; next <= head; next++) {
        const commit = this.log.feedAt(next - 1);
        // An erased entry (of a hard-deleted stream) is passed over like a commit filtered out.
        if (commit === undefined || (options.streamPrefix !== undefined && !commit.streamId.startsWith(options.streamPrefix))) {
          covered = next;
          if (picked.length === 0 && ++skipped >= MAX_SKIPPED_PER_PAGE) {
            next++;
            break;
          }
          continue;
        }
        const from = firstVersionAfter(start, next, commit.version, commit.lastVersion);
        const count = commit.lastVersion - from + 1;
        if (picked.length > 0 && events + count > options.pageSize) break;
        picked.push({ commit, position: next, from });
        events += count;
        covered = next;
        if (events >= options.pageSize) {
          next++;
          break;
        }
      }
      const done = next > head;
      if (picked.length > 0 || !done) {
        const page: FeedEvent[] = [];
        await this.withKeys(picked.map(({ commit }) => commit));
        for (const { commit, position, from } of picked) {
          const checkpointOf = checkpointsOfCommit(indexId, position, commit.lastVersion);
          for (const envelope of envelopesOf(commit, this.registry, from, commit.lastVersion, include, checkpointOf)) page.push(envelope as FeedEvent);
        }
        yield { events: page, checkpoint: formatCheckpoint(indexId, covered), caughtUp: false };
      }
      if (done) {
        yield { events: [], checkpoint: head === 0 ? FEED_START : formatCheckpoint(indexId, head), caughtUp: true };
        return;
      }
    }
  }
}

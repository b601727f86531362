import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { FeedCheckpointMismatchError } from '../errors/feed-checkpoint-mismatch.error.js';
import { FeedDisabledError } from '../errors/feed-disabled.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { StreamIntegrityError } from '../errors/stream-integrity.error.js';
import { TableMismatchError } from '../errors/table-mismatch.error.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { envelopesOf, envelopesOrFailuresOf } from '../event-store/event-item.codec.js';
import { EventStreamTable } from '../event-store/event-stream-table.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { CommitFetcher } from './commit-fetcher.js';
import { FEED_START, checkpointsOfCommit, firstVersionAfter, formatCheckpoint, parseCheckpoint, type FeedCheckpoint } from './feed-checkpoint.js';
import { FeedIndexCursor } from './feed-index-cursor.js';
import { isErasedEntry } from './index/erased-entry.js';
import { FeedIndexTable } from './index/feed-index-table.js';
import type { FeedIndexMeta } from './index/index-batch.js';
import { FEED_INDEX_FORMAT } from './index/index-batch.codec.js';
import type { PositionedCommit } from './index/indexed-commit.js';
import type { FeedEvent } from './interfaces/feed-event.interface.js';
import type { ReplayAllOptions } from './interfaces/replay-all-options.interface.js';
import { resolveFeedReadOptions } from './resolve-feed-read-options.js';

/** One page of the feed: its events (after filtering), and the checkpoint after all of its commits. */
export interface FeedPage {
  readonly events: FeedEvent[];
  /** Covers the page's filtered-out commits too; on the last page, the index head the read went to. */
  readonly checkpoint: FeedCheckpoint;
  /** The last page of the read (it holds no events): everything up to the head has been delivered. */
  readonly caughtUp: boolean;
  /** The index position the checkpoint reaches (0: before the first commit). */
  readonly position: number;
  /** The index head the read goes to: its last position when the read started (0: an empty index). */
  readonly headPosition: number;
}

/**
 * What a consumer inside the module (a projection, a Lambda handler) narrows a read to, beyond the
 * public read options.
 */
export interface FeedReadScope {
  /** Only commits of streams this accepts (a projection's partition); the others are skipped like `streamPrefix`'s. */
  readonly streams?: (streamId: string) => boolean;
  /** Read no further than this index position, even when the head is past it (a Lambda record's batch). */
  readonly upTo?: number;
  /**
   * Hand out an event that cannot be decoded (unknown type, failing upcaster, corrupt data) as an
   * {@link UndecodableFeedEvent} instead of failing the read, so that the consumer counts it as a
   * failed attempt and can park it.
   */
  readonly tolerateUndecodable?: boolean;
}

/** An event the read could not decode (with `tolerateUndecodable`): what identifies it, and why. `event` is undefined. */
export interface UndecodableFeedEvent extends FeedEvent {
  readonly undecodable: Error;
}

export const isUndecodable = (event: FeedEvent): event is UndecodableFeedEvent => (event as Partial<UndecodableFeedEvent>).undecodable !== undefined;

/**
 * Index entries a read skips (other streams than `streamPrefix`) before it hands out a page with
 * no events, whose checkpoint is past them: a consumer can stop, or save how far it got.
 */
const MAX_SKIPPED_PER_PAGE = 1000;
/** Streams whose last commit a read remembers, to check each stream's continuity: bounded, so memory stays flat. */
const MAX_TRACKED_STREAMS = 10_000;

/**
 * Per stream, the last commit a read has seen in the index (its last version and position), least
 * recently seen forgotten first: within one read, each stream's next commit must start right after.
 */
class StreamEnds {
  private readonly ends = new Map<string, { readonly commitEnd: number; readonly position: number }>();

  /**
   * Records `commit` as its stream's last one seen.
   * @param purged whether the stream's versions before `commit` may have been purged: then its
   *   entries between may have been erased from the index (a hard delete erasing them while this
   *   read was under way), which is no damage.
   * @throws StreamIntegrityError when `commit` does not follow on from the stream's last one seen.
   */
  async follow(commit: PositionedCommit, purged: (streamId: string, version: number) => Promise<boolean>): Promise<void> {
    const { streamId, version, commitEnd, position } = commit;
    const seen = this.ends.get(streamId);
    if (seen !== undefined && version !== seen.commitEnd + 1 && !(version > seen.commitEnd && (await purged(streamId, version - 1)))) {
      const overlap = version <= seen.commitEnd;
      throw new StreamIntegrityError(
        streamId,
        `the feed index lists versions ${version}-${commitEnd} at position ${position}, but the stream's commit before it in the index, ` +
          `at position ${seen.position}, ended at version ${seen.commitEnd}: ` +
          (overlap ? `versions ${version}-${Math.min(commitEnd, seen.commitEnd)} are listed twice.` : `versions ${seen.commitEnd + 1}-${version - 1} are missing from the feed.`),
        { problem: overlap ? 'overlap' : 'gap', version: overlap ? version : seen.commitEnd + 1 },
      );
    }
    this.ends.delete(streamId);
    if (this.ends.size >= MAX_TRACKED_STREAMS) this.ends.delete(this.ends.keys().next().value!);
    this.ends.set(streamId, { commitEnd, position });
  }
}

/**
 * Reads the global feed: the feed index (batches of commit references at gap-free positions, in the
 * events table under `$$feed`), and the commits it names, fetched with BatchGetItem. A read goes up
 * to the index head as read (strongly consistent) when it starts. No clock is involved: the order
 * is the index's, which keeps each stream's version order.
 */
export class FeedReader {
  private meta?: FeedIndexMeta;

  constructor(
    private readonly index: FeedIndexTable,
    private readonly fetcher: CommitFetcher,
    private readonly registry: EventTypeRegistry,
  ) {}

  /**
   * The feed after `options.from` up to the index head, page by page. The last page has no events,
   * `caughtUp` set and a checkpoint at the head. `onCaughtUp` is the caller's business.
   * @throws InvalidArgumentError, FeedCheckpointMismatchError (0.3 checkpoint) on the first pull, before any request.
   */
  async *pages(options: ReplayAllOptions, scope: FeedReadScope = {}): AsyncGenerator<FeedPage> {
    const { position: start, include } = resolveFeedReadOptions(options, this.registry);
    const { pageSize, streamPrefix } = options;
    const meta = await this.indexMeta();
    if (meta === undefined) {
      // No indexer has run yet: nothing to read, and no index a checkpoint could belong to.
      if (start.indexId !== undefined) throw FeedCheckpointMismatchError.otherIndex(options.from!, '(none yet)', this.index.tableName);
      yield { events: [], checkpoint: FEED_START, caughtUp: true, position: 0, headPosition: 0 };
      return;
    }
    const { indexId } = meta;
    if (start.indexId !== undefined && start.indexId !== indexId) throw FeedCheckpointMismatchError.otherIndex(options.from!, indexId, this.index.tableName);
    const indexHead = (await this.index.head())?.lastPosition ?? 0;
    const head = scope.upTo === undefined ? indexHead : Math.min(indexHead, Math.max(scope.upTo, start.position));
    if (start.position > indexHead) {
      throw new InvalidArgumentError(
        EventStoreErrorCode.INVALID_CHECKPOINT,
        `from ("${options.from}") is at position ${start.position} of the feed index, past its head (${indexHead}): it was not given by this feed.`,
      );
    }
    const end = (): FeedPage => ({ events: [], checkpoint: head === 0 ? FEED_START : formatCheckpoint(indexId, head), caughtUp: true, position: head, headPosition: head });

    // The commit a checkpoint points into is read again (from the version after it); one it ends is not.
    const cursor = new FeedIndexCursor(this.index, start.version === undefined ? start.position + 1 : start.position, head);
    const streams = new StreamEnds();
    const purged = (streamId: string, version: number) => this.fetcher.purged.covers(streamId, version);
    let covered = start.position;
    let held: PositionedCommit | undefined; // read, but left for the next page
    for (;;) {
      const picked: Array<{ commit: PositionedCommit; from: number }> = [];
      let events = 0;
      let skipped = 0;
      let done = false;
      for (;;) {
        let commit = held;
        held = undefined;
        if (commit === undefined) {
          commit = await cursor.read();
          if (commit === undefined) {
            done = true;
            break;
          }
          if (isErasedEntry(commit)) {
            // The entry of a hard-deleted stream, erased: its position is passed over like a filtered-out commit.
            covered = commit.position;
            if (picked.length === 0 && ++skipped >= MAX_SKIPPED_PER_PAGE) break;
            continue;
          }
          await streams.follow(commit, purged);
        }
        if ((streamPrefix !== undefined && !commit.streamId.startsWith(streamPrefix)) || scope.streams?.(commit.streamId) === false) {
          covered = commit.position;
          if (picked.length === 0 && ++skipped >= MAX_SKIPPED_PER_PAGE) break;
          continue;
        }
        const from = firstVersionAfter(start, commit.position, commit.version, commit.commitEnd);
        const count = commit.commitEnd - from + 1;
        if (picked.length > 0 && events + count > pageSize) {
          held = commit;
          break;
        }
        picked.push({ commit, from });
        events += count;
        covered = commit.position;
        if (events >= pageSize) break;
      }
      if (picked.length > 0 || !done) {
        const page = picked.length === 0 ? [] : await this.load(indexId, picked, include, scope.tolerateUndecodable === true);
        yield { events: page, checkpoint: formatCheckpoint(indexId, covered), caughtUp: false, position: covered, headPosition: head };
      }
      if (done) {
        yield end();
        return;
      }
    }
  }

  /**
   * Whether the index may hold a commit after `checkpoint`: one eventually consistent Query of at
   * most one batch (0.5 read units when there is none). For a follower's idle poll, from a
   * checkpoint a read handed out as caught up (it ends a batch); a checkpoint inside a commit or a
   * batch, or from another index, answers true (a read then tells).
   */
  async hasNewer(checkpoint: FeedCheckpoint): Promise<boolean> {
    const after = parseCheckpoint(checkpoint);
    const meta = await this.indexMeta();
    if (after.version !== undefined || (after.indexId !== undefined && after.indexId !== meta?.indexId)) return true;
    return (await this.index.batchesFrom(after.position + 1, 1, false)).length > 0;
  }

  /** The picked commits' events, in feed order, each with its checkpoint. */
  private async load(
    indexId: string,
    picked: ReadonlyArray<{ commit: PositionedCommit; from: number }>,
    include: ((storedType: string) => boolean) | undefined,
    tolerateUndecodable: boolean,
  ): Promise<FeedEvent[]> {
    const items = await this.fetcher.fetch(picked.map(({ commit }) => commit));
    const events: FeedEvent[] = [];
    picked.forEach(({ commit, from }, i) => {
      const checkpointOf = checkpointsOfCommit(indexId, commit.position, commit.commitEnd);
      for (const item of items[i]!) {
        const decoded = tolerateUndecodable
          ? envelopesOrFailuresOf(item, this.registry, from, commit.commitEnd, include, checkpointOf)
          : envelopesOf(item, this.registry, from, commit.commitEnd, include, checkpointOf);
        for (const envelope of decoded) events.push(envelope as FeedEvent);
      }
    });
    return events;
  }

  /** The index's identity: read (strongly) until it exists, then kept (it never changes). */
  private async indexMeta(): Promise<FeedIndexMeta | undefined> {
    if (this.meta !== undefined) return this.meta;
    const meta = await this.index.meta();
    if (meta !== undefined && meta.format > FEED_INDEX_FORMAT) {
      throw new TableMismatchError(this.index.tableName, [
        `its feed index is in format ${meta.format}, written by a later version of nestjs-dynamo-es; this one reads format ${FEED_INDEX_FORMAT}: upgrade it`,
      ]);
    }
    this.meta = meta;
    return meta;
  }
}

/** The feed reader of a module's runtime; throws FeedDisabledError when the feed is off. */
export function createFeedReader(runtime: EventSourcingRuntime): FeedReader {
  const { feed, eventsTable, retry } = runtime.options;
  if (feed === undefined) throw new FeedDisabledError();
  const table = new EventStreamTable(runtime.client, eventsTable, retry);
  return new FeedReader(new FeedIndexTable(runtime.client, eventsTable, retry), new CommitFetcher(runtime.client, table, retry), runtime.registry);
}

import type { FeedPosition } from '../../feed/feed-checkpoint.js';
import type { IndexBatch } from '../../feed/index/index-batch.js';
import { partitionOf } from '../partitions/stream-partition.js';

/** How far a partition is behind the feed index's head. */
export interface PartitionLag {
  /** Index positions (commits of any stream) after the checkpoint, up to the head; a commit partly handled counts. */
  readonly commits: number;
  /**
   * Events of this partition's streams in those commits (all event types: the inspector does not
   * know which the projection handles, nor its `streamPrefix`, so this is at most that many).
   */
  readonly events: number;
  /** True when only the first batches after the checkpoint were read: `events` is then a lower bound. */
  readonly eventsLowerBound: boolean;
  /** How long the first commit not handled has been in the index (now - its batch's writtenAt); 0 when caught up. */
  readonly ms: number;
}

/**
 * A partition's lag from its checkpoint (`at`), the index head position, and the index batches
 * read from the one holding the first position after the checkpoint on, in order (`complete`: they
 * reach the head). Pure: the inspector reads, this counts.
 */
export function partitionLag(
  at: FeedPosition,
  head: number,
  batches: readonly IndexBatch[],
  partition: { readonly index: number; readonly count: number },
  now: number,
  complete: boolean,
): PartitionLag {
  // A checkpoint inside a commit (`position:version`) leaves the rest of that commit to handle.
  const first = at.version === undefined ? at.position + 1 : at.position;
  if (first > head) return { commits: 0, events: 0, eventsLowerBound: false, ms: 0 };
  let events = 0;
  let oldest: number | undefined;
  let reached = first - 1;
  for (const batch of batches) {
    batch.commits.forEach((commit, i) => {
      const position = batch.position + i;
      if (position < first || position > head) return;
      oldest ??= batch.writtenAt;
      reached = Math.max(reached, position);
      if (partitionOf(commit.streamId, partition.count) !== partition.index) return;
      const from = position === at.position && at.version !== undefined ? Math.max(commit.version, at.version + 1) : commit.version;
      events += Math.max(0, commit.commitEnd - from + 1);
    });
  }
  return {
    commits: head - first + 1,
    events,
    eventsLowerBound: !complete || reached < head,
    ms: oldest === undefined ? 0 : Math.max(0, now - oldest),
  };
}

import { SHARD_END } from '../index/indexer-checkpoint.js';

/** A shard as DescribeStream lists it (the SDK's `Shard` fits). */
export interface ListedShard {
  readonly ShardId?: string;
  readonly ParentShardId?: string;
  readonly SequenceNumberRange?: { readonly StartingSequenceNumber?: string; readonly EndingSequenceNumber?: string };
}

/** Where reading a shard starts: after the checkpoint's sequence number, or at its oldest record. */
export type ShardStart = { readonly type: 'TRIM_HORIZON' } | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

export interface ReadableShard {
  readonly shardId: string;
  readonly start: ShardStart;
  /** The shard is closed (it has an ending sequence number): it will be read to its end. */
  readonly closed: boolean;
}

/** A shard whose records (some of them) were never read and can no longer be. */
export interface LostShard {
  readonly shardId: string;
  /** The checkpoint's sequence number in it (the records after it are gone). */
  readonly after: string;
}

/** What to do with the stream's shards, given the checkpoint. */
export interface ShardPlan {
  /** Shards to read now. None of them is the parent of another (a child waits for its parent). */
  readonly readable: readonly ReadableShard[];
  /** Listed shards not to read yet: their parent has not been read to its end. */
  readonly waiting: readonly string[];
  /** Listed shards read to their end. */
  readonly finished: readonly string[];
  /** Checkpoint entries to remove: of shards no longer listed (finished ones and lost ones alike). */
  readonly dropped: readonly string[];
  /** Records were lost: checkpointed shards that vanished before they were read to their end. */
  readonly lost: readonly LostShard[];
  /**
   * Readable shards whose parent is neither listed nor in a non-empty checkpoint. Normal (the parent
   * was read to its end and its entry dropped once it expired), but also what a shard lost whole
   * looks like: one the indexer never started before it was down for a day. The checkpoint cannot
   * tell the two apart; a caller that knows it was down that long can reconcile (see README).
   */
  readonly orphans: readonly string[];
}

/**
 * Decides, from DescribeStream's shards and the checkpoint's `shards` (shard id to the last sequence
 * number taken in, or 'end'), which shards to read and from where. The rules, and why:
 *
 * 1. A shard at 'end' is finished: never read again. Once DescribeStream stops listing it (24 hours
 *    after it closed, when its records have expired) its entry is dropped: it can hold nothing more,
 *    and the checkpoint (stored in every index batch) must not grow with every shard the stream
 *    ever had (shards roll over about every 4 hours).
 * 2. A checkpointed shard not at 'end' that is no longer listed is LOST: its records after the
 *    checkpoint expired (the indexer was down longer than the stream keeps records). Its entry is
 *    dropped too, so that the loss is reported once; the caller reconciles from the table. Its
 *    children (listed) are then read as if their parent were finished, since it will never be.
 * 3. A child is read only after its parent is at 'end'. A split or roll-over moves an item's later
 *    writes to the child; reading the parent to its end first keeps each item's records in order,
 *    which is the only order DynamoDB Streams gives.
 * 4. A child whose parent is neither listed nor in the checkpoint is read: the parent expired before
 *    this checkpoint knew of it (or after its entry was dropped by rule 1). With an empty checkpoint
 *    (a fresh index) nothing before the oldest record was ever to be read anyway. See `orphans`.
 * 5. A shard starts after the checkpoint's sequence number when it has one, else at TRIM_HORIZON
 *    (its oldest record still kept): a shard not in the checkpoint has had nothing taken in.
 */
export function planShards(shards: readonly ListedShard[], checkpoint: Readonly<Record<string, string>>): ShardPlan {
  const listed = new Set(shards.map((shard) => shard.ShardId).filter((id): id is string => id !== undefined));
  const dropped: string[] = [];
  const lost: LostShard[] = [];
  for (const [shardId, at] of Object.entries(checkpoint)) {
    if (listed.has(shardId)) continue;
    dropped.push(shardId); // rule 1 or 2
    if (at !== SHARD_END) lost.push({ shardId, after: at }); // rule 2
  }
  const fresh = Object.keys(checkpoint).length === 0;
  const readable: ReadableShard[] = [];
  const waiting: string[] = [];
  const finished: string[] = [];
  const orphans: string[] = [];
  for (const shard of shards) {
    const shardId = shard.ShardId;
    if (shardId === undefined) continue;
    const at = checkpoint[shardId];
    if (at === SHARD_END) {
      finished.push(shardId);
      continue;
    }
    const parent = shard.ParentShardId;
    if (parent !== undefined && listed.has(parent) && checkpoint[parent] !== SHARD_END) {
      waiting.push(shardId); // rule 3
      continue;
    }
    if (parent !== undefined && !listed.has(parent) && checkpoint[parent] === undefined && !fresh) orphans.push(shardId); // rule 4
    readable.push({
      shardId,
      start: at === undefined ? { type: 'TRIM_HORIZON' } : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: at }, // rule 5
      closed: shard.SequenceNumberRange?.EndingSequenceNumber !== undefined,
    });
  }
  return { readable, waiting, finished, dropped, lost, orphans };
}

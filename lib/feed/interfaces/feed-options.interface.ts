/** The `feed` module option: how commits are indexed for the global feed (`replayAll$`, projections). */
export interface FeedOptions {
  /**
   * Partitions of the feed index. Each commit goes to its stream's shard; readers merge all of
   * them. One shard takes up to 1,000 commits/s, so pick about twice the peak commit rate over
   * 1,000 (default 4). Raise it freely later; never lower it (commits in dropped shards would no
   * longer be read).
   */
  shards?: number;
  /**
   * How old (by the reader's clock) a commit must be before the feed delivers it, in ms (default
   * 2000). It must exceed writers' clock skew plus the write's latency plus the index's
   * propagation delay; a commit that shows up later than that can be missed by readers already past it.
   */
  settleMs?: number;
}

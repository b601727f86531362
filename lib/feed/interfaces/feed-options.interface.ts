/** The `feed` module option: the global feed of all commits (`replayAll$`, projections). */
export interface FeedOptions {
  /**
   * The indexer that reads the events table's DynamoDB Stream and writes the feed index. Default
   * `{}`: it runs in this app, in one instance at a time (under a lease, the others on standby).
   * `false`: not in this app, because it runs as a Lambda function (`createFeedIndexerHandler`)
   * or in another app; this app still reads the feed.
   */
  indexer?: FeedIndexerOptions | false;
  /** @deprecated 0.3's GSI feed shards: ignored since 0.4 (the feed is built from the table's DynamoDB Stream); a warning is logged. */
  shards?: number;
  /** @deprecated 0.3's settle window: ignored since 0.4 (the feed has no settle window); a warning is logged. */
  settleMs?: number;
}

/** How the in-app indexer runs. */
export interface FeedIndexerOptions {
  /**
   * How often each shard of the stream is read while there is nothing new, in ms (default 200).
   * DynamoDB Streams allows about 5 reads per second per shard; each read is one billed read request.
   */
  pollIntervalMs?: number;
  /** How long the indexer's lease lasts without renewal, in ms (default 10,000); renewed every third of it. */
  leaseTtlMs?: number;
  /**
   * Streams whose last indexed version the indexer keeps in memory (default 100,000; about 100 bytes
   * each). Only order checks of streams forgotten and written again need a table read.
   */
  maxStreams?: number;
}

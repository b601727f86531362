/**
 * What the multi-process feed tests and their child processes (writers, indexers, followers) tell
 * each other over the children's IPC channel. Times are by the real clock of the machine
 * (`realNow()`), which a child with a skewed `Date` still reads correctly: they are shown in the
 * test output, never asserted on.
 */

/** The tables every process of one test shares: what makes them processes of one app. */
export interface FeedTables {
  readonly events: string;
  readonly projections: string;
}

/** One acknowledged append, as the writer saw it. */
export interface Ack {
  readonly writer: string;
  readonly streamId: string;
  /** The commit's first and last versions. */
  readonly version: number;
  readonly commitEnd: number;
  /** When the append resolved (real clock, ms). */
  readonly ackAt: number;
  /** A commit over 400 KB (split over several items by the EventStore). */
  readonly large?: boolean;
}

/** `[streamId, version, handledAt]` of one event a follower's handler was called with. */
export type Handled = readonly [string, number, number];

export type ToChild =
  /** Writers: start the writing plan. */
  | { readonly type: 'go' }
  /** Writers: finish the appends in flight, then report `done` (and write nothing more). */
  | { readonly type: 'stop' }
  /** Writers: append `events` events to `streamId` (expected version: the writer's own count) and answer `written`. */
  | { readonly type: 'write'; readonly id: number; readonly streamId: string; readonly events: number }
  /** Close the app gracefully (an indexer releases its lease; a writer finishes as on `stop`), then exit. */
  | { readonly type: 'close' };

export type FromChild =
  /** The app is up. `clockSkewMs`: how far this process's `Date.now()` is from the real clock. */
  | { readonly type: 'ready'; readonly pid: number; readonly clockSkewMs: number }
  /** The child failed; it exits right after. */
  | { readonly type: 'failed'; readonly message: string }
  /** Writers: appends acknowledged since the last message (sent every 100 ms). */
  | { readonly type: 'acks'; readonly acks: readonly Ack[] }
  /** Writers: the answer to a `write`. */
  | { readonly type: 'written'; readonly id: number; readonly ack: Ack }
  /** Writers: stopped (plan finished, or told to stop); the last `acks` came before. */
  | { readonly type: 'done'; readonly commits: number; readonly events: number }
  /** Indexers: the in-app indexer's state changed. */
  | { readonly type: 'status'; readonly state: string; readonly lastPosition: number }
  /**
   * Indexers: a batch write to the feed index (a conditional PutItem) was answered: `landed` when
   * it was written, else the error's name (ConditionalCheckFailedException: the position was taken).
   */
  | { readonly type: 'index-write'; readonly position: number; readonly lastPosition: number; readonly writer: string; readonly landed: boolean; readonly error?: string }
  /** Indexers: about to SIGKILL or SIGSTOP itself at the planned point of its `n`th batch write. */
  | { readonly type: 'fault'; readonly fault: IndexerFault['at']; readonly signal: 'SIGKILL' | 'SIGSTOP'; readonly position: number; readonly lastPosition: number; readonly writer: string }
  /** Followers: the projection is live (caught up, following). */
  | { readonly type: 'live' }
  /** Followers: events handled since the last message, in the order handled (sent every 100 ms). */
  | { readonly type: 'handled'; readonly events: readonly Handled[] };

/**
 * Where an indexer child stops itself, at its `n`th batch write to the feed index: `before-write`
 * (the batch is planned, its records read, nothing of it written) or `after-write` (the batch is in
 * the index, but the indexer never hears so).
 */
export interface IndexerFault {
  readonly at: 'before-write' | 'after-write';
  readonly write: number;
  readonly signal: 'SIGKILL' | 'SIGSTOP';
}

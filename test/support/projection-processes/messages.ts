/**
 * What the multi-process tests of partitioned projections and their child processes (app instances
 * running the projection, writers) tell each other over the IPC channel. Handler calls and lease
 * requests are not sent here: each instance writes them to a record file of its own as they happen
 * (see records.ts), which a SIGKILL cannot lose.
 */

/** The tables every process of one test shares. */
export interface SharedTables {
  readonly events: string;
  readonly projections: string;
}

/** What an instance runs: the projection's options and where it records. */
export interface InstancePlan {
  readonly name: string;
  readonly tables: SharedTables;
  /** The projection's name. */
  readonly projection: string;
  readonly partitions: number;
  readonly leaseTtlMs: number;
  readonly pollIntervalMs: number;
  readonly pageSize: number;
  /** ms the handler waits per event (a setTimeout), 0 for none. */
  readonly handlerDelayMs: number;
  /** The module's `feed.indexer` option: every instance may run the indexer; one holds its lease. */
  readonly indexer: { readonly leaseTtlMs: number; readonly pollIntervalMs: number } | false;
  /** Where it appends its records (one JSON line each). */
  readonly recordFile: string;
}

/** What a writer appends once told to `go`: each stream up to `eventsPerStream`, 1 to `maxCommit` events a commit. */
export interface AppendPlan {
  readonly id: string;
  readonly tables: SharedTables;
  readonly streams: readonly string[];
  readonly eventsPerStream: number;
  readonly maxCommit: number;
  /** Commits started per second at most, and appends in flight at once (on different streams). */
  readonly commitsPerSecond: number;
  readonly concurrency: number;
  readonly seed: number;
}

export type ToChild =
  /** Writers: start the plan. */
  | { readonly type: 'go' }
  /** Instances: SIGSTOP yourself in the middle of your next handler call (a page in hand, its checkpoint not saved). */
  | { readonly type: 'freeze-in-handler' }
  /** Close the app gracefully, then exit. */
  | { readonly type: 'close' };

export type FromChild =
  | { readonly type: 'ready'; readonly pid: number }
  | { readonly type: 'failed'; readonly message: string }
  /** Instances: handler calls so far (a count, for progress), and the partitions this process holds as it last heard. */
  | { readonly type: 'progress'; readonly handled: number; readonly held: readonly number[]; readonly partitionStatus?: unknown }
  /** Instances: about to SIGSTOP in a handler call for this partition. */
  | { readonly type: 'freezing'; readonly partition: number; readonly streamId: string; readonly version: number }
  /** Writers: the plan is written: commits and events in all. */
  | { readonly type: 'done'; readonly commits: number; readonly events: number; readonly lastVersions: Record<string, number> }
  /** Writers: events acknowledged so far. */
  | { readonly type: 'written'; readonly events: number };

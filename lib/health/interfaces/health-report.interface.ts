import type { FeedIndexerState } from '../../feed/indexer/feed-indexer.js';
import type { ProjectionLag, ProjectionState } from '../../projections/interfaces/projection-status.interface.js';
import type { TableRole } from '../../tables/planned-tables.js';

/** Which of the module's tables: the events table, and the snapshots and projections tables when the app uses them. */
export type { TableRole };

/** One table as last described. */
export interface TableReport {
  readonly name: string;
  /** Whether it exists with the keys, indexes, stream and time to live the module needs. */
  readonly matches: boolean;
  /** What differs, in words (`it does not exist (...)`, `global secondary index "x" is missing`). */
  readonly differences?: readonly string[];
}

/** What `tables()` reports under its key (besides Terminus's `status`). */
export interface TablesReport {
  /** Where the module's client sends its requests. */
  readonly endpoint: string;
  /** Whether DynamoDB answered this call. */
  readonly reachable: boolean;
  /** The tables as last described (absent when they are not described: see `note`, or DynamoDB was never reached). */
  readonly tables?: Readonly<Partial<Record<TableRole, TableReport>>>;
  /** When `tables` was described (ISO 8601): descriptions are reused for `verifyIntervalMs`. */
  readonly verifiedAt?: string;
  /** Why the tables were not described, when they were not. */
  readonly note?: string;
  /** When down: what is wrong and what to do, in one sentence per problem. */
  readonly message?: string;
}

/** One projection as `projections()` judges it. */
export interface ProjectionReport {
  /** Its state in this app instance (with partitions: the most pressing of theirs). */
  readonly state: ProjectionState;
  /** The lag judged against the thresholds (see `lagScope`), when known. */
  readonly lag?: ProjectionLag;
  /** With partitions: how many, and how many this instance holds. */
  readonly partitions?: { readonly total: number; readonly here: number };
  /** Why it is up without its lag being judged (standby, stopped, rebuilding, lag not known yet). */
  readonly note?: string;
  /** Why it is down. */
  readonly problem?: string;
}

/** What `projections()` reports under its key. */
export interface ProjectionsReport {
  /** Each projection checked, by name. */
  readonly projections: Readonly<Record<string, ProjectionReport>>;
  /** Whose lag was judged. */
  readonly lagScope: 'instance' | 'app';
  /** When down: every projection's problem, `"name": problem`, joined. */
  readonly message?: string;
}

/** What `feedIndexer()` reports under its key. */
export interface FeedIndexerReport {
  /** The indexer's state in this instance; `not-run-here` when the app does not run it (`feed.indexer: false`, or no feed). */
  readonly state: FeedIndexerState | 'not-run-here';
  /** The last index position this instance knows of. */
  readonly lastPosition?: number;
  readonly note?: string;
  /** When down: the indexer's last error. */
  readonly message?: string;
}

/** What `isHealthy()` reports under its key: each check's report with its own status. */
export interface EventSourcingHealthReport {
  readonly dynamodb: TablesReport & { readonly status: 'up' | 'down' };
  readonly projections: ProjectionsReport & { readonly status: 'up' | 'down' };
  readonly feedIndexer: FeedIndexerReport & { readonly status: 'up' | 'down' };
  /** When down: the down checks' messages, joined. */
  readonly message?: string;
}

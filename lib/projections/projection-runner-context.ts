import type { Logger } from '@nestjs/common';
import type { CommitNotifier } from '../feed/commit-notifier.js';
import type { FeedReader } from '../feed/feed-reader.js';
import type { CoalescedHeadPolls } from './coalesced-head-polls.js';
import type { ParkedEventSource } from './parking/parked-event-reader.js';
import type { ParkedEventStore } from './parking/parked-event-store.js';
import type { LayoutConversion } from './partitions/layout-conversion.js';
import type { ProjectionStore } from './projection-store.js';
import type { Telemetry } from '../telemetry/telemetry.js';

/**
 * What a partitioned projection's coordinator decides for one partition runner: whether this
 * instance should hold the partition now, and whether the projection may run at all.
 */
export interface PartitionPolicy {
  mayHold(): boolean;
  /** Why no partition may run (another partition count stored, a rebuild cut short); undefined when they may. */
  blockedBy(): Error | undefined;
}

/** What a runner needs of the module: built once by the ProjectionManager. */
export interface ProjectionRunnerContext {
  readonly reader: FeedReader;
  readonly store: ProjectionStore;
  /** Hints that the feed may have advanced (this process committed, or its indexer wrote a batch). */
  readonly commits: CommitNotifier;
  readonly logger: Logger;
  /** Where parked events are stored, and how they are read back for a retry. */
  readonly parked: ParkedEventStore;
  readonly readParked: (projection: string) => ParkedEventSource;
  /** Idle polls of the index, shared by the process's runners. */
  readonly polls: CoalescedHeadPolls;
  /** What a rebuild needs to change the projection's stored layout from several partitions to one. */
  readonly layout?: Omit<LayoutConversion, 'member' | 'leaseTtlMs'>;
  /** Spans and metrics of the module (absent: none). */
  readonly telemetry?: Telemetry;
}

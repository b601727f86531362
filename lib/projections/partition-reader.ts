import { ProjectionLeaseLostError } from '../errors/projection-lease-lost.error.js';
import type { FeedPage, FeedReadScope } from '../feed/feed-reader.js';
import type { FeedEvent } from '../feed/interfaces/feed-event.interface.js';
import { Halted } from './halted.js';
import type { ProjectionLag } from './interfaces/projection-status.interface.js';
import type { PartitionParking } from './parking/partition-parking.js';
import type { RetryReport } from './parking/retry-report.js';
import type { ProjectionDefinition } from './projection-definitions.js';
import type { ProjectionHandlers } from './projection-handlers.js';
import type { Tenure } from './projection-lease-keeper.js';
import type { PartitionPolicy, ProjectionRunnerContext } from './projection-runner-context.js';
import type { ProjectionPosition } from './projection-store.js';
import type { PartitionSlots } from './partitions/partition-slots.js';
import { NO_TELEMETRY } from '../telemetry/no-telemetry.js';
import { handlerAttributes, handlerOutcomeAttributes, projectionPageAttributes } from '../telemetry/operation-attributes.js';
import { SpanAttribute, SpanName } from '../telemetry/span-names.js';
import type { Telemetry } from '../telemetry/telemetry.js';

/** What a PartitionReader needs of its runner. */
export interface PartitionReaderDeps {
  /** The partition's item key (the projection's name when unpartitioned). */
  readonly name: string;
  readonly definition: ProjectionDefinition;
  readonly context: ProjectionRunnerContext;
  readonly handlers: ProjectionHandlers;
  readonly parking: PartitionParking;
  readonly scope: FeedReadScope;
  readonly policy?: PartitionPolicy;
  /** The projection's slots in this instance (option `concurrency`): a page is handled holding one. */
  readonly slots?: PartitionSlots;
  /** Takes the wake-up hints pending: a read starting now covers them. */
  takeHints(): void;
  /** Ends the tenure (its lease expired while handling). */
  lose(tenure: Tenure, reason: unknown): void;
  /** An event given up (and parked) after maxAttempts: kept as the runner's last error. */
  onGivenUp(error: Error): void;
}

/**
 * One partition's reading for its runner, under a tenure: reads the feed from the checkpoint, hands
 * each event to its handler (or to parking: held back behind a parked event, or given up after
 * `maxAttempts`), saves the checkpoint after each page (fenced by the lease), and keeps the counts
 * and the lag for status(). Also the partition's parked events: loading, retry requests, clearing.
 */
export class PartitionReader {
  /** Where the next read starts: the saved checkpoint, or later when reads found nothing to save. */
  position?: ProjectionPosition;
  /** The checkpoint of the last read that caught up: from there, an idle poll only asks whether the index has moved. */
  caughtUpAt?: string;
  /** The lag as of the last page read. */
  lag?: ProjectionLag;
  /** Handled and skipped (parked) in the page being read, not saved yet. */
  private handledInPage = 0;
  private skippedInPage = 0;

  private readonly telemetry: Telemetry;

  constructor(private readonly deps: PartitionReaderDeps) {
    // The module's telemetry, once the manager puts it in the runners' context.
    this.telemetry = deps.context.telemetry ?? NO_TELEMETRY;
  }

  /** Starts from a new tenure's stored position. */
  adopt(position: ProjectionPosition): void {
    this.position = position;
    this.handledInPage = 0;
    this.skippedInPage = 0;
    this.caughtUpAt = undefined;
  }

  /** Where the reading stands, with what the page being read has done so far. */
  counts(): { checkpoint: string | undefined; eventsHandled: number; eventsSkipped: number } {
    return {
      checkpoint: this.position?.checkpoint,
      eventsHandled: (this.position?.eventsHandled ?? 0) + this.handledInPage,
      eventsSkipped: (this.position?.eventsSkipped ?? 0) + this.skippedInPage,
    };
  }

  /**
   * Reads the feed from the current position up to the index head (as the read finds it when it
   * starts), handling each event and saving the checkpoint after each page.
   * @throws Halted when a signal fires or the lease expired; ProjectionHandlerError; ProjectionLeaseLostError.
   */
  async read(tenure: Tenure, signals: readonly AbortSignal[], onPage?: (page: FeedPage, handled: number) => void): Promise<void> {
    const { pageSize, streamPrefix } = this.deps.definition;
    this.deps.takeHints(); // this read covers what was hinted so far; a hint from now on is for the next one
    const read = this.deps.context.reader.pages({ from: this.position!.checkpoint, pageSize, eventTypes: this.deps.handlers.eventTypes, streamPrefix }, this.deps.scope);
    const pages = this.telemetry.tracePages(SpanName.feedPage, undefined, read, (page) => page.events.length);
    for await (const page of pages) {
      if (signals.some((signal) => signal.aborted)) throw new Halted();
      const oldest = page.events[0]?.occurredAt.getTime();
      this.lag = { commits: Math.max(0, page.headPosition - page.position), ms: page.caughtUp ? 0 : oldest === undefined ? this.lag?.ms : Math.max(0, Date.now() - oldest) };
      // A retry of parked events asked for during a long catch-up: carried out between pages, not only at the head.
      if (!onPage && tenure.retryRequest !== undefined && !page.caughtUp) await this.answerRetryRequest(tenure, signals[0]!);
      // Given up, or blocked, meanwhile: stop between pages (the last one is saved).
      if (!onPage && this.deps.policy !== undefined && (!this.deps.policy.mayHold() || this.deps.policy.blockedBy() !== undefined)) throw new Halted();
      const release = page.events.length === 0 ? undefined : await this.deps.slots?.take(signals);
      try {
        await this.telemetry.trace(
          SpanName.projectionPage,
          () => projectionPageAttributes(this.deps.definition.name, this.partitionIndex(), this.position?.checkpoint, page.events.length, this.lag?.commits),
          () => this.handlePage(tenure, signals, page, onPage),
        );
      } finally {
        release?.();
      }
    }
  }

  /** Handles one page's events and saves the checkpoint past them. */
  private async handlePage(tenure: Tenure, signals: readonly AbortSignal[], page: FeedPage, onPage?: (page: FeedPage, handled: number) => void): Promise<void> {
    const { eventsHandled, eventsSkipped } = this.position!;
    let last: FeedEvent | undefined;
    try {
      for (const event of page.events) {
        this.assertHolding(tenure, signals);
        if (this.deps.parking.holdsBack(event)) {
          // Parked already, or behind a parked event of its stream ('wait'): parked (again), not handled.
          await this.deps.parking.park(() => tenure.lease, event, undefined, 0, 'waiting');
          this.skippedInPage++;
          last = event;
          continue;
        }
        const givenUp = await this.telemetry.trace(
          SpanName.projectionHandle,
          () => handlerAttributes(this.deps.definition.name, event),
          () => this.deps.handlers.handle(event),
          handlerOutcomeAttributes,
        );
        if (givenUp === undefined) {
          this.handledInPage++;
        } else {
          await this.deps.parking.park(() => tenure.lease, event, givenUp, this.deps.definition.maxAttempts, 'failed');
          this.skippedInPage++;
          this.deps.onGivenUp(givenUp);
        }
        last = event;
      }
    } catch (error) {
      // Keep what was handled (not when the lease is gone): the next attempt starts after it.
      if (last !== undefined && !tenure.lost.signal.aborted) {
        try {
          await this.save(tenure, { checkpoint: last.checkpoint, eventsHandled: eventsHandled + this.handledInPage, eventsSkipped: eventsSkipped + this.skippedInPage });
        } catch (saveError) {
          if (saveError instanceof ProjectionLeaseLostError) throw saveError;
        }
      }
      this.handledInPage = 0;
      this.skippedInPage = 0;
      throw error;
    }
    const handled = this.handledInPage;
    const reached = { eventsHandled: eventsHandled + handled, eventsSkipped: eventsSkipped + this.skippedInPage };
    if (page.caughtUp && tenure.flagStored && !tenure.resetPending) {
      // A rebuild of an empty (or all filtered) feed: no page was saved, so the flag would outlive the rebuild.
      await this.save(tenure, { checkpoint: page.checkpoint, ...reached });
    } else if (page.caughtUp) {
      // The last page holds no commit: nothing to save (a write per poll would cost for nothing).
      this.position = { checkpoint: page.checkpoint, ...reached };
      this.handledInPage = 0;
      this.skippedInPage = 0;
    } else {
      await this.save(tenure, { checkpoint: page.checkpoint, ...reached });
    }
    if (page.caughtUp) this.caughtUpAt = page.checkpoint;
    onPage?.(page, handled);
  }

  async save(tenure: Tenure, position: ProjectionPosition, flags?: { rebuilding: boolean }): Promise<void> {
    await this.deps.context.store.save(this.deps.name, tenure.lease, position, flags);
    tenure.flagStored = flags?.rebuilding === true;
    this.position = position;
    this.handledInPage = 0;
    this.skippedInPage = 0;
  }

  /** Learns the partition's parked events once per tenure, before its first read. */
  async prepareParking(tenure: Tenure): Promise<void> {
    if (tenure.parkingLoaded) return;
    await this.deps.parking.load({ parkedCount: tenure.parkedCount });
    tenure.parkingLoaded = true;
  }

  /** Carries out a retry of parked events asked for (by the CLI), between reads, and stores its report. */
  async answerRetryRequest(tenure: Tenure, halt: AbortSignal): Promise<void> {
    const id = tenure.retryRequest;
    if (id === undefined) return;
    let report: RetryReport;
    try {
      report = await this.deps.parking.answerRetryRequest(() => tenure.lease, id, this.deps.handlers, this.deps.context.readParked(this.deps.definition.name), halt);
    } catch (error) {
      tenure.parkingLoaded = false; // learnt again from the table before the next read
      throw error;
    }
    if (tenure.retryRequest === id) tenure.retryRequest = undefined;
    if (report.handled > 0 && this.position !== undefined) {
      // Handled by the retry: counted with the others at the next save.
      this.handledInPage += report.handled;
    }
  }

  /**
   * A rebuild replays everything, parked events included: their items go, so that the replay
   * handles them (and parks them again if they still fail).
   */
  async clearParked(tenure: Tenure): Promise<void> {
    await this.deps.parking.load({ parkedCount: Number.MAX_SAFE_INTEGER });
    await this.deps.parking.forgetAll(tenure.lease);
    tenure.parkingLoaded = true;
  }

  /** The partition's index with several partitions (the item key ends `#<i>`), for spans; undefined with one. */
  private partitionIndex(): number | undefined {
    const { name, definition } = this.deps;
    return name === definition.name ? undefined : Number(name.slice(name.lastIndexOf('#') + 1));
  }

  /** Stops before the next handler call when asked to, or when the lease may have passed to another instance. */
  private assertHolding(tenure: Tenure, signals: readonly AbortSignal[]): void {
    if (signals.some((signal) => signal.aborted)) throw new Halted();
    // Renewals keep this well ahead; past it (renewals stalled), another instance may already run the projection.
    if (Date.now() >= tenure.lease.expiresAt) {
      this.deps.lose(tenure, new ProjectionLeaseLostError(this.deps.name, 'handling (the lease expired before it could be renewed)'));
      throw new Halted();
    }
  }
}

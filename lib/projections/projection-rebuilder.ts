import { randomUUID } from 'node:crypto';
import { ProjectionHandlerError } from '../errors/projection-handler.error.js';
import { ProjectionLeaseHeldError } from '../errors/projection-lease-held.error.js';
import { ProjectionLeaseLostError } from '../errors/projection-lease-lost.error.js';
import { ProjectionStoppedError } from '../errors/projection-stopped.error.js';
import { FEED_START } from '../feed/feed-checkpoint.js';
import type { FeedPage } from '../feed/feed-reader.js';
import { Halted } from './halted.js';
import type { ProjectionState } from './interfaces/projection-status.interface.js';
import type { RebuildOptions } from './interfaces/rebuild-options.interface.js';
import type { RebuildProgress } from './interfaces/rebuild-progress.interface.js';
import type { ResettableProjection } from './interfaces/resettable-projection.interface.js';
import type { PartitionReader } from './partition-reader.js';
import { convertToUnpartitioned } from './partitions/layout-conversion.js';
import type { Rendezvous } from './partitions/rendezvous.js';
import type { ProjectionDefinition } from './projection-definitions.js';
import type { ProjectionHandlers } from './projection-handlers.js';
import type { ProjectionLeaseKeeper, Tenure } from './projection-lease-keeper.js';
import type { ProjectionRunnerContext } from './projection-runner-context.js';
import type { AcquireResult } from './projection-store.js';
import type { ProjectionWakeup } from './projection-wakeup.js';
import { RebuildProgressMeter } from './rebuild-progress-meter.js';

/** Where a partition's part in a rebuild meets the others' (see PartitionedProjection.rebuild). */
export interface PartitionRebuildSteps {
  /** Every partition's lease is held: the coordinator flags the projection as rebuilding. */
  readonly held: Rendezvous;
  /** Every checkpoint is back at the start: the coordinator calls `reset()` once. */
  readonly reset: Rendezvous;
  readonly onPage: (page: FeedPage, handled: number) => void;
}

/** What a rebuild needs of its runner. */
export interface RebuildHost {
  readonly name: string;
  readonly definition: ProjectionDefinition;
  readonly instance: object;
  readonly context: ProjectionRunnerContext;
  readonly pages: PartitionReader;
  readonly handlers: ProjectionHandlers;
  readonly lease: ProjectionLeaseKeeper;
  readonly wakeup: ProjectionWakeup;
  tenure(): Tenure | undefined;
  adopt(result: Extract<AcquireResult, { acquired: true }>): Tenure;
  setState(state: ProjectionState): void;
  /** Forgets why the runner was blocked: the rebuild replaces the checkpoint, or the stored layout. */
  unblock(): void;
  recordFailure(error: unknown, what: string): void;
}

/**
 * A runner's rebuilds, with the loop paused and the runner's operations queued behind: the whole
 * projection's (unpartitioned: reset and replay here, crash-safe by the stored `rebuilding` flag),
 * and one partition's part in a partitioned projection's rebuild.
 */
export class ProjectionRebuilder {
  constructor(private readonly host: RebuildHost) {}

  /**
   * The replay of rebuild(), once queued operations are done and the loop paused: takes the lease
   * (converting a partitioned layout first), moves the checkpoint back (flagged), resets, replays.
   */
  async replayAll(options: RebuildOptions, abort: AbortSignal): Promise<RebuildProgress> {
    let tenure = this.host.tenure();
    let resetting = false;
    try {
      if (tenure === undefined) {
        let acquired = await this.host.lease.acquire();
        if (!acquired.acquired && acquired.partitionsStored !== undefined && this.host.context.layout !== undefined) {
          // Stored with several partitions: this rebuild makes it one again.
          const { leaseTtlMs } = this.host.definition;
          const member = `${this.host.name}:rebuild:${randomUUID().slice(0, 8)}`;
          await convertToUnpartitioned(this.host.name, Date.now() + 2 * leaseTtlMs + 1000, { ...this.host.context.layout, member, leaseTtlMs });
          this.host.unblock();
          acquired = await this.host.lease.acquire();
        }
        if (!acquired.acquired) throw new ProjectionLeaseHeldError(this.host.name, acquired.holder, new Date(acquired.expiresAt));
        tenure = this.host.adopt(acquired);
      }
      if (abort.aborted) throw new Halted();
      this.host.setState('rebuilding');
      // The checkpoint goes back (flagged) before anything is deleted: if this save fails, the read
      // model and checkpoint are untouched; if reset() fails or the process dies after it, the flag
      // makes whoever holds the lease next reset again before it reads.
      await this.host.pages.save(tenure, { checkpoint: FEED_START, eventsHandled: 0, eventsSkipped: 0 }, { rebuilding: true });
      tenure.resetPending = true;
      this.host.handlers.forgetFailures();
      this.host.unblock(); // the checkpoint it was blocked at is gone
      resetting = true;
      await this.resetReadModel(tenure);
      resetting = false;
      const startedAt = Date.now();
      let meter: RebuildProgressMeter | undefined;
      // Up to the index head as the replay's first read finds it (every page carries it); later commits are followed afterwards.
      await this.host.pages.read(tenure, [abort, tenure.lost.signal], (page, handled) => {
        meter ??= new RebuildProgressMeter(page.headPosition, startedAt);
        const progress = meter.page(handled, page.position, page.caughtUp);
        try {
          options.onProgress?.(progress);
        } catch (error) {
          this.host.context.logger.warn(`Projection "${this.host.name}": the rebuild's onProgress callback threw (ignored): ${String(error)}`);
        }
      });
      return meter!.progress(); // a read yields at least its caught-up page
    } catch (error) {
      if (error instanceof Halted) {
        throw tenure?.lost.signal.aborted ? new ProjectionLeaseLostError(this.host.name, 'the rebuild') : new ProjectionStoppedError(this.host.name);
      }
      if (error instanceof ProjectionLeaseLostError && tenure !== undefined) this.host.lease.lose(tenure, error);
      if (error instanceof ProjectionHandlerError) this.host.recordFailure(error, 'during its rebuild; it goes on from its last saved checkpoint once it runs');
      if (resetting) this.host.recordFailure(error, 'to reset during its rebuild; it resets again before it reads on');
      throw error;
    }
  }

  /**
   * Calls `reset()` under a tenure whose stored `rebuilding` flag is set. Its next checkpoint save
   * clears the flag, which is why that save may only come after this succeeded.
   */
  async resetReadModel(tenure: Tenure): Promise<void> {
    this.host.setState('rebuilding');
    const reset = (this.host.instance as Partial<ResettableProjection>).reset;
    if (typeof reset === 'function') {
      await reset.call(this.host.instance);
    } else {
      // Only a rebuild sets the flag, and only classes with reset() are rebuilt: the class changed since.
      this.host.context.logger.warn(`Projection "${this.host.name}" was being rebuilt, but has no reset() any more: it replays the feed onto its read model as it is.`);
    }
    // A rebuild replays everything: parked items go too, before the flag (cleared by the next save) can.
    await this.host.pages.clearParked(tenure);
    tenure.resetPending = false;
  }

  /**
   * This partition's part in a rebuild of a partitioned projection (see PartitionCoordinator):
   * once the operations called before it are done, pauses the loop, takes the partition's lease
   * (waiting for its holder to give it up, until `deadline`), meets the other partitions at
   * `steps.held` (the coordinator then flags the projection as rebuilding), moves the checkpoint
   * back (flagged), meets them at `steps.reset` (the coordinator calls `reset()`), and replays the
   * partition up to the index head, reporting pages to `steps.onPage`. Then goes on as rebuild() does.
   */
  /**
   * This partition's part in a rebuild of a partitioned projection (see PartitionedProjection):
   * takes the partition's lease (waiting for its holder to give it up, until `deadline`), meets the
   * other partitions at `steps.held`, moves the checkpoint back (flagged), meets them at
   * `steps.reset`, un-parks the partition's events, and replays the partition up to the index head.
   */
  async replayPartition(deadline: number, abort: AbortSignal, steps: PartitionRebuildSteps): Promise<void> {
    let tenure: Tenure | undefined;
    try {
      this.host.setState('rebuilding');
      tenure = this.host.tenure() ?? (await this.takeLeaseBy(deadline, abort));
      await steps.held.arrive();
      await this.host.pages.save(tenure, { checkpoint: FEED_START, eventsHandled: 0, eventsSkipped: 0 }, { rebuilding: true });
      this.host.handlers.forgetFailures();
      this.host.unblock();
      // Before the projection's flag goes (at the reset meeting): a rebuild cut short after it must not leave parked items behind.
      await this.host.pages.clearParked(tenure);
      await steps.reset.arrive();
      await this.host.pages.read(tenure, [abort, tenure.lost.signal], steps.onPage);
    } catch (error) {
      steps.held.fail(error);
      steps.reset.fail(error);
      if (error instanceof Halted) {
        throw tenure?.lost.signal.aborted ? new ProjectionLeaseLostError(this.host.name, 'the rebuild') : new ProjectionStoppedError(this.host.name);
      }
      if (error instanceof ProjectionLeaseLostError && tenure !== undefined) this.host.lease.lose(tenure, error);
      if (error instanceof ProjectionHandlerError) this.host.recordFailure(error, 'during its rebuild; it goes on from its last saved checkpoint once it runs');
      throw error;
    }
  }

  /** Takes the lease, checking again at each standby delay until `deadline`. @throws ProjectionLeaseHeldError past it. */
  private async takeLeaseBy(deadline: number, abort: AbortSignal): Promise<Tenure> {
    for (;;) {
      if (abort.aborted) throw new Halted();
      const result = await this.host.lease.acquire();
      if (result.acquired) return this.host.adopt(result);
      if (Date.now() + this.host.lease.standbyDelay() > deadline) {
        throw new ProjectionLeaseHeldError(this.host.name, result.holder, new Date(result.expiresAt));
      }
      await this.host.wakeup.sleep(this.host.lease.standbyDelay(), [abort]);
    }
  }
}

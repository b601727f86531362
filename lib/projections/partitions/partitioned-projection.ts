import { ProjectionNotResettableError } from '../../errors/projection-not-resettable.error.js';
import { ProjectionStoppedError } from '../../errors/projection-stopped.error.js';
import type { FeedPage } from '../../feed/feed-reader.js';
import type { PartitionStatus, ProjectionState, ProjectionStatus } from '../interfaces/projection-status.interface.js';
import type { RebuildOptions } from '../interfaces/rebuild-options.interface.js';
import type { RebuildProgress } from '../interfaces/rebuild-progress.interface.js';
import type { ResettableProjection } from '../interfaces/resettable-projection.interface.js';
import type { ProjectionDefinition } from '../projection-definitions.js';
import type { ProjectionRunner } from '../projection-runner.js';
import { RebuildProgressMeter } from '../rebuild-progress-meter.js';
import type { PartitionCoordinator } from './partition-coordinator.js';
import { Rendezvous } from './rendezvous.js';
import type { Logger } from '@nestjs/common';

/** The state a partitioned projection shows: the most telling of its partitions' states here. */
const STATE_ORDER: readonly ProjectionState[] = ['rebuilding', 'blocked', 'failing', 'catching-up', 'live', 'standby', 'stopped'];

/**
 * A projection split into partitions: one runner per partition (each with its own checkpoint and
 * lease, reading the streams of its partition), and a coordinator sharing the partitions among the
 * app instances. Started, stopped, rebuilt and shown as one projection.
 */
export class PartitionedProjection {
  readonly name: string;
  private stops = 0;
  private rebuildAbort?: AbortController;
  private rebuilding: Promise<void> = Promise.resolve();

  constructor(
    private readonly definition: ProjectionDefinition,
    private readonly instance: object,
    private readonly runners: readonly ProjectionRunner[],
    private readonly coordinator: PartitionCoordinator,
    private readonly logger: Logger,
  ) {
    this.name = definition.name;
  }

  /** Starts every partition's runner (each stands by until the coordinator gives it its partition) and the coordinator's rounds. */
  async start(ready?: Promise<unknown>): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.start(ready)));
    this.coordinator.start();
  }

  /** Stops every partition here (each saves and releases) and leaves the membership, so that the others take over at once. */
  async stop(): Promise<void> {
    this.stops++;
    this.rebuildAbort?.abort();
    await Promise.all(this.runners.map((runner) => runner.stop()));
    await this.coordinator.stop();
  }

  /**
   * Rebuilds every partition at once: claims the projection (the other instances give their
   * partitions up), takes every partition's lease, flags the projection as rebuilding, moves every
   * checkpoint back, calls `reset()` once, clears the flag, and replays the partitions in parallel
   * up to the index head, with one progress for all. A rebuild is also how the partition count changes.
   */
  async rebuild(options: RebuildOptions, ready?: Promise<unknown>): Promise<RebuildProgress> {
    const reset = (this.instance as Partial<ResettableProjection>).reset;
    if (typeof reset !== 'function') throw new ProjectionNotResettableError(this.name, this.definition.type.name);
    const stops = this.stops;
    // One rebuild at a time in this instance (they would share its claim): a second waits for the first.
    const previous = this.rebuilding;
    let done!: () => void;
    this.rebuilding = new Promise<void>((resolve) => (done = resolve));
    try {
      await previous;
      return await this.rebuildNow(reset, options, stops, ready);
    } finally {
      done();
    }
  }

  private async rebuildNow(reset: () => unknown, options: RebuildOptions, stops: number, ready?: Promise<unknown>): Promise<RebuildProgress> {
    await ready;
    if (this.stops !== stops) throw new ProjectionStoppedError(this.name, false);
    const claim = await this.coordinator.claimForRebuild();
    const abort = new AbortController();
    this.rebuildAbort = abort;
    try {
      const { leaseTtlMs, partitions } = this.definition;
      // Long enough for the others to see the claim (a round: a third of the TTL) and let go, or for a dead holder's lease to lapse.
      const deadline = Date.now() + 2 * leaseTtlMs + 1000;
      const held = new Rendezvous(partitions, () => this.coordinator.markRebuilding(true));
      const resetDone = new Rendezvous(partitions, async () => {
        await reset.call(this.instance);
        await this.coordinator.forgetFormerLayouts();
        await this.coordinator.markRebuilding(false);
      });
      const progress = new CombinedProgress(partitions, options, this.logger, this.name);
      await Promise.all(this.runners.map((runner) => runner.rebuildPartition(deadline, abort.signal, { held, reset: resetDone, onPage: progress.pageOf(runner.partition.index) })));
      return progress.final();
    } finally {
      this.rebuildAbort = undefined;
      try {
        await claim.release();
      } catch (error) {
        // It lapses on its own (three lease TTLs); the rebuild's own outcome is what the caller needs.
        this.logger.warn(`Projection "${this.name}" could not release its rebuild claim (it lapses on its own): ${String(error)}`);
      }
    }
  }

  status(): ProjectionStatus {
    const { view } = this.coordinator.snapshot();
    const partitions: PartitionStatus[] = this.runners.map((runner) => {
      const local = runner.status();
      const stored = view.get(runner.partition.key);
      const here = runner.holding;
      const known = here || stored === undefined ? local : { ...local, checkpoint: stored.position.checkpoint, eventsHandled: stored.position.eventsHandled, eventsSkipped: stored.position.eventsSkipped };
      const partition: PartitionStatus = {
        partition: runner.partition.index,
        owner: here ? this.coordinator.member : stored?.owner !== undefined && stored.expiresAt >= Date.now() ? stored.owner : undefined,
        here,
        state: local.state,
        checkpoint: known.checkpoint,
        eventsHandled: known.eventsHandled,
        eventsSkipped: known.eventsSkipped,
      };
      return {
        ...partition,
        ...(here && local.lag !== undefined ? { lag: local.lag } : {}),
        ...(local.lastError === undefined ? {} : { lastError: local.lastError }),
      };
    });
    const state = STATE_ORDER.find((candidate) => partitions.some((partition) => partition.state === candidate)) ?? 'stopped';
    const lastError = partitions.find((partition) => partition.lastError !== undefined)?.lastError;
    const status: ProjectionStatus = {
      name: this.name,
      state,
      checkpoint: undefined,
      eventsHandled: partitions.reduce((sum, partition) => sum + partition.eventsHandled, 0),
      eventsSkipped: partitions.reduce((sum, partition) => sum + partition.eventsSkipped, 0),
      partitions,
    };
    return lastError === undefined ? status : { ...status, lastError };
  }
}

/** One rebuild progress for all partitions: positions summed against partitions x head. */
class CombinedProgress {
  private meter?: RebuildProgressMeter;
  private readonly startedAt = Date.now();
  private readonly positions: number[];
  private readonly caughtUp: boolean[];
  private head = 0;

  constructor(
    private readonly partitions: number,
    private readonly options: RebuildOptions,
    private readonly logger: Logger,
    private readonly name: string,
  ) {
    this.positions = new Array<number>(partitions).fill(0);
    this.caughtUp = new Array<boolean>(partitions).fill(false);
  }

  pageOf(partition: number): (page: FeedPage, handled: number) => void {
    return (page, handled) => {
      if (this.meter === undefined) {
        this.head = page.headPosition;
        this.meter = new RebuildProgressMeter(this.head * this.partitions, this.startedAt);
      }
      this.positions[partition] = Math.min(page.position, this.head);
      this.caughtUp[partition] ||= page.caughtUp;
      const progress = this.meter.page(handled, this.positions.reduce((sum, position) => sum + position, 0), this.caughtUp.every(Boolean));
      try {
        this.options.onProgress?.(progress);
      } catch (error) {
        this.logger.warn(`Projection "${this.name}": the rebuild's onProgress callback threw (ignored): ${String(error)}`);
      }
    };
  }

  final(): RebuildProgress {
    return this.meter!.progress(); // every partition's read yields at least its caught-up page
  }
}

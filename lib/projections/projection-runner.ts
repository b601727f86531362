import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { convertToUnpartitioned, type LayoutConversion } from './partitions/layout-conversion.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { FeedCheckpointMismatchError } from '../errors/feed-checkpoint-mismatch.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { ProjectionHandlerError } from '../errors/projection-handler.error.js';
import { ProjectionLeaseHeldError } from '../errors/projection-lease-held.error.js';
import { ProjectionLeaseLostError } from '../errors/projection-lease-lost.error.js';
import { ProjectionNotResettableError } from '../errors/projection-not-resettable.error.js';
import { ProjectionStoppedError } from '../errors/projection-stopped.error.js';
import type { CommitNotifier } from '../feed/commit-notifier.js';
import { FEED_START } from '../feed/feed-checkpoint.js';
import type { FeedPage, FeedReader, FeedReadScope } from '../feed/feed-reader.js';
import type { EventClass } from '../serialization/event-type-registry.js';
import type { ProjectionState, ProjectionStatus } from './interfaces/projection-status.interface.js';
import type { RebuildOptions } from './interfaces/rebuild-options.interface.js';
import type { RebuildProgress } from './interfaces/rebuild-progress.interface.js';
import type { ResettableProjection } from './interfaces/resettable-projection.interface.js';
import type { ProjectionDefinition } from './projection-definitions.js';
import { ProjectionHandlers } from './projection-handlers.js';
import { ProjectionLeaseKeeper, type Tenure } from './projection-lease-keeper.js';
import type { AcquireResult, ProjectionPosition, ProjectionStore } from './projection-store.js';
import { ProjectionWakeup } from './projection-wakeup.js';
import type { CoalescedHeadPolls } from './coalesced-head-polls.js';
import { Halted } from './halted.js';
import { PartitionReader } from './partition-reader.js';
import type { ParkedEventSource } from './parking/parked-event-reader.js';
import type { ParkedEventStore } from './parking/parked-event-store.js';
import { PartitionParking } from './parking/partition-parking.js';
import type { Rendezvous } from './partitions/rendezvous.js';
import { RebuildProgressMeter } from './rebuild-progress-meter.js';
import type { PartitionSpec } from './partitions/partition-keys.js';
import { partitionOf } from './partitions/stream-partition.js';
import { ProjectionPartitionsChangedError } from '../errors/projection-partitions-changed.error.js';

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
}


/** Failures back off from the poll interval, doubling, up to this. */
const MAX_BACKOFF_MS = 30_000;

/** A stored checkpoint this feed cannot resume from: reading again cannot help, only a migration or a rebuild. */
const isUnreadableCheckpoint = (error: unknown): error is Error =>
  error instanceof FeedCheckpointMismatchError || (error instanceof InvalidArgumentError && error.code === EventStoreErrorCode.INVALID_CHECKPOINT);

/**
 * Runs one projection in this app instance: on standby until it holds the projection's lease, then
 * reads the feed from the stored checkpoint, calls the handlers one event at a time in feed order,
 * and saves the checkpoint after each page, fenced by the lease. Once caught up, it reads again as
 * soon as the feed notifier hints that the feed may have advanced (a commit made in this process, a
 * batch written by this process's indexer), and otherwise polls the index every `pollIntervalMs`.
 * A failing handler is retried from the last saved checkpoint with backoff (so delivery is at least
 * once), and the event skipped after `maxAttempts` calls. A stored checkpoint the feed cannot read
 * (0.3's, or another index's) blocks the projection until it changes: no loop, nothing overwritten.
 * start(), stop() and rebuild() take effect one after another, in the order they were called.
 */
export class ProjectionRunner {
  readonly name: string;
  private readonly handlers: ProjectionHandlers;
  private readonly parking: PartitionParking;
  private readonly scope: FeedReadScope;
  /** Another partition count is stored under this (unpartitioned) projection's name: see acquire(). */
  private layoutError?: ProjectionPartitionsChangedError;

  private state: ProjectionState = 'stopped';
  /** Reads the partition's feed, handles or parks its events, saves its checkpoint. */
  private readonly pages: PartitionReader;
  private lastError?: Error;

  private readonly lease: ProjectionLeaseKeeper;
  private readonly wakeup: ProjectionWakeup;
  /** The stored checkpoint the feed refused (see `block()`): nothing is read while it is still the stored one. */
  private blockedAt?: string;
  private loop?: Promise<void>;
  private halt?: AbortController;
  /** start(), stop() and rebuild() run one after another on this chain. */
  private operations: Promise<unknown> = Promise.resolve();
  /** Whether the last of start() and stop() called was start(): what a rebuild goes back to. */
  private wanted = false;
  /** Counts stop() calls: a rebuild still queued when stop() is called is dropped. */
  private stops = 0;
  private rebuildAbort?: AbortController;
  private acquireFailing = false;

  constructor(
    private readonly definition: ProjectionDefinition,
    private readonly instance: object,
    /** Stored type name of each handled event class, as the registry resolved it at start-up. */
    handledTypes: ReadonlyMap<EventClass, string>,
    private readonly context: ProjectionRunnerContext,
    /** The partition this runner reads; the whole feed (one partition, keyed by the projection's name) by default. */
    readonly partition: PartitionSpec = { index: 0, count: 1, key: definition.name },
    /** With several partitions: the coordinator's say on holding this one. */
    private readonly policy?: PartitionPolicy,
  ) {
    // The partition's item key: the projection's name with one partition, `<name>#<i>` with several.
    this.name = partition.key;
    const { index, count } = partition;
    this.scope = { streams: count === 1 ? undefined : (streamId) => partitionOf(streamId, count) === index, tolerateUndecodable: true };
    this.handlers = new ProjectionHandlers(definition, instance, handledTypes, context.logger);
    this.parking = new PartitionParking(context.parked, definition.name, partition.key, definition.parkedStream, context.logger);
    this.pages = new PartitionReader({
      name: this.name,
      definition,
      context,
      handlers: this.handlers,
      parking: this.parking,
      scope: this.scope,
      policy,
      takeHints: () => this.wakeup.take(),
      lose: (tenure, reason) => this.lease.lose(tenure, reason),
      onGivenUp: (error) => (this.lastError = error),
    });
    this.lease = new ProjectionLeaseKeeper(
      this.name,
      definition,
      context.store,
      context.logger,
      () => {
        if (this.state !== 'stopped') this.state = 'standby';
      },
      () => this.wakeup.poke(), // a retry of parked events was asked for: carry it out now, even when idle
    );
    this.wakeup = new ProjectionWakeup(context.commits);
  }

  /** Whether this instance holds the partition's lease now. */
  get holding(): boolean {
    return this.tenure !== undefined;
  }

  /** Ends the wait in progress: the coordinator changed its say on this partition. */
  nudge(): void {
    this.wakeup.poke();
  }

  private get tenure(): Tenure | undefined {
    return this.lease.tenure;
  }

  status(): ProjectionStatus {
    const status = {
      name: this.name,
      state: this.state,
      ...this.pages.counts(),
    };
    const lag = this.pages.lag;
    const withLag = lag === undefined ? status : { ...status, lag };
    return this.lastError === undefined ? withLag : { ...withLag, lastError: this.lastError };
  }

  /**
   * Starts following (on standby until the lease is free), once the operations called before it
   * are done (and `ready`, the table set up); resolves then. Does nothing if it runs already (a
   * rebuild in progress goes on following afterwards).
   */
  start(ready?: Promise<unknown>): Promise<void> {
    this.wanted = true;
    return this.serially(async () => {
      await ready;
      this.follow();
    });
  }

  /**
   * Stops: ends a rebuild in progress and drops queued ones, then, in turn, lets the handler being
   * called finish, saves how far it got and releases the lease, so that another instance can take
   * over at once.
   */
  stop(): Promise<void> {
    this.wanted = false;
    this.stops++;
    this.rebuildAbort?.abort();
    return this.serially(async () => {
      await this.pause();
      this.wakeup.close();
      await this.lease.release();
      this.state = 'stopped';
    });
  }

  /**
   * Resets the projection (its `reset()`), replays the feed from the start up to the index head it
   * finds, then goes on as before: following if it was started (and not stopped since), otherwise
   * releasing the lease.
   * Runs after the operations called before it (one rebuild at a time), and once `ready` resolved.
   */
  rebuild(options: RebuildOptions, ready?: Promise<unknown>): Promise<RebuildProgress> {
    if (typeof (this.instance as Partial<ResettableProjection>).reset !== 'function') {
      return Promise.reject(new ProjectionNotResettableError(this.name, this.definition.type.name));
    }
    const stops = this.stops;
    return this.serially(async () => {
      await ready;
      if (this.stops !== stops) throw new ProjectionStoppedError(this.name, false);
      const abort = new AbortController();
      this.rebuildAbort = abort;
      try {
        await this.pause();
        return await this.replayAll(options, abort.signal);
      } finally {
        this.rebuildAbort = undefined;
        if (this.wanted) {
          this.follow();
        } else {
          await this.lease.release();
          this.state = 'stopped';
        }
      }
    });
  }

  /**
   * This partition's part in a rebuild of a partitioned projection (see PartitionCoordinator):
   * once the operations called before it are done, pauses the loop, takes the partition's lease
   * (waiting for its holder to give it up, until `deadline`), meets the other partitions at
   * `steps.held` (the coordinator then flags the projection as rebuilding), moves the checkpoint
   * back (flagged), meets them at `steps.reset` (the coordinator calls `reset()`), and replays the
   * partition up to the index head, reporting pages to `steps.onPage`. Then goes on as rebuild() does.
   */
  rebuildPartition(
    deadline: number,
    abort: AbortSignal,
    steps: { readonly held: Rendezvous; readonly reset: Rendezvous; readonly onPage: (page: FeedPage, handled: number) => void },
  ): Promise<void> {
    return this.serially(async () => {
      let tenure: Tenure | undefined;
      try {
        await this.pause();
        this.state = 'rebuilding';
        tenure = this.tenure ?? (await this.takeLeaseBy(deadline, abort));
        await steps.held.arrive();
        await this.pages.save(tenure, { checkpoint: FEED_START, eventsHandled: 0, eventsSkipped: 0 }, { rebuilding: true });
        this.handlers.forgetFailures();
        this.blockedAt = undefined;
        await steps.reset.arrive();
        await this.pages.clearParked(tenure);
        await this.pages.read(tenure, [abort, tenure.lost.signal], steps.onPage);
      } catch (error) {
        steps.held.fail(error);
        steps.reset.fail(error);
        if (error instanceof Halted) {
          throw tenure?.lost.signal.aborted ? new ProjectionLeaseLostError(this.name, 'the rebuild') : new ProjectionStoppedError(this.name);
        }
        if (error instanceof ProjectionLeaseLostError && tenure !== undefined) this.lease.lose(tenure, error);
        if (error instanceof ProjectionHandlerError) this.recordFailure(error, 'during its rebuild; it goes on from its last saved checkpoint once it runs');
        throw error;
      } finally {
        if (this.wanted) {
          this.follow();
        } else {
          await this.lease.release();
          this.state = 'stopped';
        }
      }
    });
  }

  /** Takes the lease, checking again at each standby delay until `deadline`. @throws ProjectionLeaseHeldError past it. */
  private async takeLeaseBy(deadline: number, abort: AbortSignal): Promise<Tenure> {
    for (;;) {
      if (abort.aborted) throw new Halted();
      const result = await this.lease.acquire();
      if (result.acquired) return this.adopt(result);
      if (Date.now() + this.lease.standbyDelay() > deadline) {
        throw new ProjectionLeaseHeldError(this.name, result.holder, new Date(result.expiresAt));
      }
      await this.wakeup.sleep(this.lease.standbyDelay(), [abort]);
    }
  }

  /** Runs `operation` once every operation queued before it has settled. */
  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.operations.then(operation);
    this.operations = result.catch(() => undefined);
    return result;
  }

  /** Starts the loop and listens for the feed notifier's hints, unless it runs already. */
  private follow(): void {
    if (this.loop !== undefined) return;
    this.wakeup.listen();
    const halt = new AbortController();
    this.halt = halt;
    this.state = this.blockedAt !== undefined ? 'blocked' : this.tenure === undefined ? 'standby' : 'catching-up';
    this.loop = this.run(halt.signal);
  }

  private async replayAll(options: RebuildOptions, abort: AbortSignal): Promise<RebuildProgress> {
    let tenure = this.tenure;
    let resetting = false;
    try {
      if (tenure === undefined) {
        let acquired = await this.lease.acquire();
        if (!acquired.acquired && acquired.partitionsStored !== undefined && this.context.layout !== undefined) {
          // Stored with several partitions: this rebuild makes it one again.
          const { leaseTtlMs } = this.definition;
          const member = `${this.name}:rebuild:${randomUUID().slice(0, 8)}`;
          await convertToUnpartitioned(this.name, Date.now() + 2 * leaseTtlMs + 1000, { ...this.context.layout, member, leaseTtlMs });
          this.layoutError = undefined;
          acquired = await this.lease.acquire();
        }
        if (!acquired.acquired) throw new ProjectionLeaseHeldError(this.name, acquired.holder, new Date(acquired.expiresAt));
        tenure = this.adopt(acquired);
      }
      if (abort.aborted) throw new Halted();
      this.state = 'rebuilding';
      // The checkpoint goes back (flagged) before anything is deleted: if this save fails, the read
      // model and checkpoint are untouched; if reset() fails or the process dies after it, the flag
      // makes whoever holds the lease next reset again before it reads.
      await this.pages.save(tenure, { checkpoint: FEED_START, eventsHandled: 0, eventsSkipped: 0 }, { rebuilding: true });
      tenure.resetPending = true;
      this.handlers.forgetFailures();
      this.blockedAt = undefined; // the checkpoint it was blocked at is gone
      resetting = true;
      await this.resetReadModel(tenure);
      resetting = false;
      await this.pages.clearParked(tenure);
      const startedAt = Date.now();
      let meter: RebuildProgressMeter | undefined;
      // Up to the index head as the replay's first read finds it (every page carries it); later commits are followed afterwards.
      await this.pages.read(tenure, [abort, tenure.lost.signal], (page, handled) => {
        meter ??= new RebuildProgressMeter(page.headPosition, startedAt);
        const progress = meter.page(handled, page.position, page.caughtUp);
        try {
          options.onProgress?.(progress);
        } catch (error) {
          this.context.logger.warn(`Projection "${this.name}": the rebuild's onProgress callback threw (ignored): ${String(error)}`);
        }
      });
      return meter!.progress(); // a read yields at least its caught-up page
    } catch (error) {
      if (error instanceof Halted) {
        throw tenure?.lost.signal.aborted ? new ProjectionLeaseLostError(this.name, 'the rebuild') : new ProjectionStoppedError(this.name);
      }
      if (error instanceof ProjectionLeaseLostError && tenure !== undefined) this.lease.lose(tenure, error);
      if (error instanceof ProjectionHandlerError) this.recordFailure(error, 'during its rebuild; it goes on from its last saved checkpoint once it runs');
      if (resetting) this.recordFailure(error, 'to reset during its rebuild; it resets again before it reads on');
      throw error;
    }
  }

  /**
   * Calls `reset()` under a tenure whose stored `rebuilding` flag is set. Its next checkpoint save
   * clears the flag, which is why that save may only come after this succeeded.
   */
  private async resetReadModel(tenure: Tenure): Promise<void> {
    this.state = 'rebuilding';
    const reset = (this.instance as Partial<ResettableProjection>).reset;
    if (typeof reset === 'function') {
      await reset.call(this.instance);
    } else {
      // Only a rebuild sets the flag, and only classes with reset() are rebuilt: the class changed since.
      this.context.logger.warn(`Projection "${this.name}" was being rebuilt, but has no reset() any more: it replays the feed onto its read model as it is.`);
    }
    tenure.resetPending = false;
  }

  /** Ends the loop, keeping the lease; resolves to whether it was running. */
  private async pause(): Promise<boolean> {
    const loop = this.loop;
    if (loop === undefined) return false;
    this.halt!.abort();
    await loop;
    this.loop = undefined;
    this.halt = undefined;
    return true;
  }

  private async run(halt: AbortSignal): Promise<void> {
    let failures = 0;
    while (!halt.aborted) {
      if (this.blockedAt !== undefined) {
        await this.checkWhileBlocked(halt);
        continue;
      }
      const blockedBy = this.policy?.blockedBy() ?? this.layoutError;
      if (blockedBy !== undefined) {
        await this.standAside(blockedBy, halt);
        continue;
      }
      if (this.tenure !== undefined && this.policy?.mayHold() === false) {
        // Given up to another instance (a fair share), between reads: what was read is saved.
        await this.lease.release();
        this.state = 'standby';
        continue;
      }
      const tenure = this.tenure ?? (this.policy?.mayHold() === false ? undefined : await this.acquire());
      if (tenure === undefined) {
        this.state = 'standby';
        await this.wakeup.sleep(this.lease.standbyDelay(), [halt]);
        continue;
      }
      try {
        if (tenure.resetPending) {
          this.context.logger.warn(`Projection "${this.name}": a rebuild was cut short after moving its checkpoint back; calling reset() again before reading.`);
          await this.resetReadModel(tenure);
          this.state = 'catching-up';
        }
        if (this.state !== 'live' && this.state !== 'failing') this.state = 'catching-up';
        await this.pages.prepareParking(tenure);
        await this.pages.read(tenure, [halt, tenure.lost.signal]);
        await this.pages.answerRetryRequest(tenure, halt);
        if (failures > 0) this.context.logger.log(`Projection "${this.name}" recovered after ${failures} failed attempt(s).`);
        failures = 0;
        this.state = 'live';
        if (tenure.retryRequest !== undefined) continue;
        await this.waitForWork([halt, tenure.lost.signal]);
      } catch (error) {
        if (error instanceof Halted) continue;
        if (error instanceof ProjectionLeaseLostError) {
          this.lease.lose(tenure, error);
          continue;
        }
        if (isUnreadableCheckpoint(error)) {
          await this.block(error);
          continue;
        }
        failures++;
        const delay = Math.min(MAX_BACKOFF_MS, this.definition.pollIntervalMs * 2 ** (failures - 1));
        this.recordFailure(error, `(attempt ${failures}); retrying from its last saved checkpoint in ${delay} ms`);
        await this.wakeup.sleep(delay, [halt, tenure.lost.signal]);
      }
    }
  }

  /**
   * Until the feed may hold something new: a hint from the notifier (read at once), or a poll,
   * every `pollIntervalMs`, that finds the index past the caught-up checkpoint (one eventually
   * consistent Query, 0.5 read units when idle). A failing poll reads anyway: the read reports it.
   */
  private async waitForWork(signals: readonly AbortSignal[]): Promise<void> {
    for (;;) {
      if ((await this.wakeup.untilHint(this.definition.pollIntervalMs, signals)) !== 'timeout') return;
      if (this.tenure?.retryRequest !== undefined || this.policy?.mayHold() === false) return;
      const checkpoint = this.pages.position!.checkpoint;
      if (checkpoint !== this.pages.caughtUpAt) return;
      try {
        // Shared with the process's other caught-up runners, which hold the same (head) checkpoint.
        if (await this.context.polls.hasNewer(checkpoint, this.definition.pollIntervalMs / 2)) return;
      } catch {
        return;
      }
    }
  }

  /**
   * The stored checkpoint cannot be read by this feed (0.3's commit-time checkpoint, one of another
   * feed index, or a corrupted one). Reading again would fail the same way for ever, so the
   * projection stops reading, keeps the checkpoint as it is, says how to fix it (`status()` shows
   * state `blocked` and the error), and gives its lease up: another instance, or the CLI's
   * `feed migrate` or `projection rebuild`, can take it. It goes on by itself once the stored
   * checkpoint has changed (see checkWhileBlocked), or when rebuilt in this instance.
   */
  private async block(error: Error): Promise<void> {
    this.blockedAt = this.pages.position!.checkpoint;
    this.lastError = error;
    this.state = 'blocked';
    this.context.logger.error(
      `Projection "${this.name}" cannot read on from its stored checkpoint "${this.blockedAt}" and stops (state 'blocked'; nothing is read ` +
        `and the checkpoint is kept until it changes): ${error.message}` +
        (error instanceof FeedCheckpointMismatchError ? '' : ' Rebuild the projection to replay the feed from the start.'),
      error.stack,
    );
    await this.lease.release();
  }

  /**
   * The projection may not run (see PartitionPolicy.blockedBy, or another partition count stored):
   * gives the lease up, shows `blocked` with the reason, and checks again at the next standby check.
   */
  private async standAside(reason: Error, halt: AbortSignal): Promise<void> {
    if (this.lastError?.message !== reason.message) {
      // A coordinator's reason is logged once, by the coordinator, not once per partition.
      if (reason === this.layoutError) this.context.logger.error(`Projection "${this.name}" does not run: ${reason.message}`);
      this.lastError = reason;
    }
    this.state = 'blocked';
    await this.lease.release();
    await this.wakeup.sleep(this.lease.standbyDelay(), [halt]);
    this.layoutError = undefined; // the next acquire() reads the item again
  }

  /** While blocked: reads the stored checkpoint at each standby check; once it changed, stands by to take the lease again. */
  private async checkWhileBlocked(halt: AbortSignal): Promise<void> {
    this.state = 'blocked';
    await this.wakeup.sleep(this.lease.standbyDelay(), [halt]);
    if (halt.aborted) return;
    let stored: ProjectionPosition;
    try {
      stored = await this.context.store.load(this.name);
    } catch {
      return; // checked again at the next one
    }
    if (stored.checkpoint === this.blockedAt) return;
    this.context.logger.log(`Projection "${this.name}": its stored checkpoint changed to "${stored.checkpoint}"; it stands by to run from there.`);
    this.blockedAt = undefined;
    this.state = 'standby';
  }

  /** One attempt to take the lease; undefined when another instance holds it or the table cannot be reached. */
  private async acquire(): Promise<Tenure | undefined> {
    let result: AcquireResult;
    try {
      result = await this.lease.acquire();
    } catch (error) {
      this.lastError = error as Error; // for status(): a missing table or permission shows there, not only in one log line
      if (!this.acquireFailing) {
        this.context.logger.warn(`Projection "${this.name}" cannot reach its lease (retrying while on standby): ${String(error)}`);
        this.acquireFailing = true;
      }
      return undefined;
    }
    if (this.acquireFailing) this.context.logger.log(`Projection "${this.name}" reaches its lease again.`);
    this.acquireFailing = false;
    if (!result.acquired && result.partitionsStored !== undefined) {
      this.layoutError = new ProjectionPartitionsChangedError(this.definition.name, result.partitionsStored, this.partition.count);
      return undefined;
    }
    return result.acquired ? this.adopt(result) : undefined;
  }

  private adopt(result: Extract<AcquireResult, { acquired: true }>): Tenure {
    const tenure = this.lease.adopt(result);
    // Partitioned: the projection-wide reset is the rebuild's business (the coordinator blocks every
    // partition while it may be incomplete); a flagged partition just replays from its checkpoint,
    // and its next save clears the flag.
    if (this.partition.count > 1) tenure.resetPending = false;
    this.pages.adopt(result.position);
    this.context.logger.log(
      `Projection "${this.name}" runs in this instance (lease epoch ${result.lease.epoch}), from checkpoint ${result.position.checkpoint}` +
        `${result.rebuilding ? ' (a rebuild was cut short: it resets first)' : ''}.`,
    );
    return tenure;
  }

  private recordFailure(error: unknown, what: string): void {
    this.lastError = error instanceof Error ? error : new Error(String(error));
    this.state = 'failing';
    this.context.logger.error(`Projection "${this.name}" failed ${what}: ${this.lastError.message}`, this.lastError.stack);
  }
}

import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { FeedCheckpointMismatchError } from '../errors/feed-checkpoint-mismatch.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { ProjectionLeaseLostError } from '../errors/projection-lease-lost.error.js';
import { ProjectionNotResettableError } from '../errors/projection-not-resettable.error.js';
import { ProjectionPartitionsChangedError } from '../errors/projection-partitions-changed.error.js';
import { ProjectionStoppedError } from '../errors/projection-stopped.error.js';
import type { FeedReadScope } from '../feed/feed-reader.js';
import type { EventClass } from '../serialization/event-type-registry.js';
import { Halted } from './halted.js';
import type { ProjectionState, ProjectionStatus } from './interfaces/projection-status.interface.js';
import type { RebuildOptions } from './interfaces/rebuild-options.interface.js';
import type { RebuildProgress } from './interfaces/rebuild-progress.interface.js';
import type { ResettableProjection } from './interfaces/resettable-projection.interface.js';
import { PartitionParking } from './parking/partition-parking.js';
import { PartitionReader } from './partition-reader.js';
import type { PartitionSpec } from './partitions/partition-keys.js';
import type { PartitionSlots } from './partitions/partition-slots.js';
import { partitionOf } from './partitions/stream-partition.js';
import type { ProjectionDefinition } from './projection-definitions.js';
import { ProjectionHandlers } from './projection-handlers.js';
import { ProjectionLeaseKeeper, type Tenure } from './projection-lease-keeper.js';
import { ProjectionRebuilder, type PartitionRebuildSteps } from './projection-rebuilder.js';
import type { PartitionPolicy, ProjectionRunnerContext } from './projection-runner-context.js';
import type { AcquireResult, ProjectionPosition } from './projection-store.js';
import { ProjectionWakeup } from './projection-wakeup.js';

/** Failures back off from the poll interval, doubling, up to this. */
const MAX_BACKOFF_MS = 30_000;

/** A stored checkpoint this feed cannot resume from: reading again cannot help, only a migration or a rebuild. */
const isUnreadableCheckpoint = (error: unknown): error is Error =>
  error instanceof FeedCheckpointMismatchError || (error instanceof InvalidArgumentError && error.code === EventStoreErrorCode.INVALID_CHECKPOINT);

/**
 * Runs one projection (or one partition of a partitioned one: its streams, under its own checkpoint
 * and lease, held when its coordinator says so) in this app instance: on standby until it holds the lease, then
 * reads the feed from the stored checkpoint, calls the handlers one event at a time in feed order,
 * and saves the checkpoint after each page, fenced by the lease. Once caught up, it reads again as
 * soon as the feed notifier hints that the feed may have advanced (a commit made in this process, a
 * batch written by this process's indexer), and otherwise polls the index every `pollIntervalMs`.
 * A failing handler is retried from the last saved checkpoint with backoff (so delivery is at least
 * once), and the event parked after `maxAttempts` calls (see PartitionReader). A stored checkpoint the feed cannot read
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
  private readonly rebuilder: ProjectionRebuilder;
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
    /** With `concurrency` below the partition count: the slots this instance's partitions share. */
    slots?: PartitionSlots,
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
      slots,
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
    this.rebuilder = new ProjectionRebuilder({
      name: this.name,
      definition,
      instance,
      context,
      pages: this.pages,
      handlers: this.handlers,
      lease: this.lease,
      wakeup: this.wakeup,
      tenure: () => this.tenure,
      adopt: (result) => this.adopt(result),
      setState: (state) => (this.state = state),
      unblock: () => {
        this.blockedAt = undefined;
        this.layoutError = undefined;
      },
      recordFailure: (error, what) => this.recordFailure(error, what),
    });
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
        return await this.rebuilder.replayAll(options, abort.signal);
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
   * This partition's part in a rebuild of a partitioned projection (see ProjectionRebuilder.replayPartition),
   * once the operations called before it are done, with the loop paused. Then goes on as rebuild() does.
   */
  rebuildPartition(deadline: number, abort: AbortSignal, steps: PartitionRebuildSteps): Promise<void> {
    return this.serially(async () => {
      try {
        await this.pause();
        await this.rebuilder.replayPartition(deadline, abort, steps);
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
          await this.rebuilder.resetReadModel(tenure);
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

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@nestjs/common';
import { ProjectionHandlerError } from '../errors/projection-handler.error.js';
import { ProjectionLeaseHeldError } from '../errors/projection-lease-held.error.js';
import { ProjectionLeaseLostError } from '../errors/projection-lease-lost.error.js';
import { ProjectionNotResettableError } from '../errors/projection-not-resettable.error.js';
import { ProjectionStoppedError } from '../errors/projection-stopped.error.js';
import type { CommitNotifier } from '../feed/commit-notifier.js';
import { FEED_START } from '../feed/feed-checkpoint.js';
import type { FeedPage, FeedReader } from '../feed/feed-reader.js';
import type { FeedEvent } from '../feed/interfaces/feed-event.interface.js';
import type { EventClass } from '../serialization/event-type-registry.js';
import type { ProjectionState, ProjectionStatus } from './interfaces/projection-status.interface.js';
import type { RebuildOptions } from './interfaces/rebuild-options.interface.js';
import type { RebuildProgress } from './interfaces/rebuild-progress.interface.js';
import type { ResettableProjection } from './interfaces/resettable-projection.interface.js';
import type { ProjectionDefinition } from './projection-definitions.js';
import type { AcquireResult, ProjectionLease, ProjectionPosition, ProjectionStore } from './projection-store.js';
import { RebuildProgressMeter } from './rebuild-progress-meter.js';

type Handler = (event: object, envelope: FeedEvent) => unknown;

/** What a runner needs of the module: built once by the ProjectionManager. */
export interface ProjectionRunnerContext {
  readonly reader: FeedReader;
  readonly store: ProjectionStore;
  readonly commits: CommitNotifier;
  readonly settleMs: number;
  readonly logger: Logger;
}

/** The lease as this instance holds it, with what ends its use: loss, release, or a stop. */
interface Tenure {
  lease: ProjectionLease;
  readonly lost: AbortController;
  renewal?: NodeJS.Timeout;
}

/** Thrown inside the runner to unwind a read when it must end: a stop, a pause, or the lease lost. */
class Halted extends Error {}

/** Failures back off from the poll interval, doubling, up to this. */
const MAX_BACKOFF_MS = 30_000;
/** In-process commits remembered while waiting for them to settle; beyond it, polling still finds them. */
const MAX_PENDING_COMMITS = 1000;

/**
 * Runs one projection in this app instance: on standby until it holds the projection's lease, then
 * reads the feed from the stored checkpoint, calls the handlers one event at a time in feed order,
 * and saves the checkpoint after each page, fenced by the lease. Once caught up, it reads again at
 * the next poll, or as soon as a commit made in this process has settled. A failing handler is
 * retried from the last saved checkpoint with backoff (so delivery is at least once).
 */
export class ProjectionRunner {
  readonly name: string;
  /** Tells this runner's lease apart from every other instance's, also of the same process. */
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly handlers = new Map<string, Handler>();
  private readonly eventTypes: EventClass[];

  private state: ProjectionState = 'stopped';
  /** Where the next read starts: the saved checkpoint, or later when reads found nothing to save. */
  private position?: ProjectionPosition;
  private handledInPage = 0;
  private lastError?: Error;

  private tenure?: Tenure;
  private loop?: Promise<void>;
  private halt?: AbortController;
  private rebuilding?: Promise<unknown>;
  private rebuildAbort?: AbortController;
  /** Whether the loop is to run once a rebuild ends (it was running, or start() was called meanwhile). */
  private resumeAfterRebuild = false;

  private unsubscribe?: () => void;
  /** Commit times of in-process commits not yet read (a hint to read early). */
  private pendingCommits: number[] = [];
  /** The high-water mark of the last read: commits at or before it have been read. */
  private readTo = -Infinity;
  private reschedule?: () => void;
  private acquireFailing = false;

  constructor(
    private readonly definition: ProjectionDefinition,
    private readonly instance: object,
    /** Stored type name of each handled event class, as the registry resolved it at start-up. */
    handledTypes: ReadonlyMap<EventClass, string>,
    private readonly context: ProjectionRunnerContext,
  ) {
    this.name = definition.name;
    for (const { method, events } of definition.handlers) {
      const handler = (instance as Record<string | symbol, Handler>)[method]!.bind(instance) as Handler;
      for (const event of events) this.handlers.set(handledTypes.get(event)!, handler);
    }
    this.eventTypes = definition.handlers.flatMap((handler) => [...handler.events]);
  }

  status(): ProjectionStatus {
    const status = {
      name: this.name,
      state: this.state,
      checkpoint: this.position?.checkpoint,
      eventsHandled: (this.position?.eventsHandled ?? 0) + this.handledInPage,
    };
    return this.lastError === undefined ? status : { ...status, lastError: this.lastError };
  }

  /** Starts following (on standby until the lease is free). Does nothing if it runs already. */
  start(): void {
    if (this.rebuilding !== undefined) {
      this.resumeAfterRebuild = true;
      return;
    }
    if (this.loop !== undefined) return;
    this.unsubscribe ??= this.context.commits.subscribe((committedAt) => this.heardOfCommit(committedAt));
    const halt = new AbortController();
    this.halt = halt;
    this.state = this.tenure === undefined ? 'standby' : 'catching-up';
    this.loop = this.run(halt.signal);
  }

  /**
   * Stops: ends a rebuild in progress, lets the handler being called finish, saves how far it got
   * and releases the lease, so that another instance can take over at once.
   */
  async stop(): Promise<void> {
    this.resumeAfterRebuild = false;
    this.rebuildAbort?.abort();
    await this.rebuilding?.catch(() => undefined);
    await this.pause();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.pendingCommits = [];
    await this.release();
    this.state = 'stopped';
  }

  /**
   * Resets the projection (its `reset()`), replays the feed up to now from the start, then goes on
   * as before: following if it was running, otherwise releasing the lease.
   */
  async rebuild(options: RebuildOptions): Promise<RebuildProgress> {
    if (typeof (this.instance as Partial<ResettableProjection>).reset !== 'function') {
      throw new ProjectionNotResettableError(this.name, this.definition.type.name);
    }
    // One rebuild at a time: a second request runs after the first.
    while (this.rebuilding !== undefined) await this.rebuilding.catch(() => undefined);
    const rebuilding = this.replayAll(options);
    this.rebuilding = rebuilding;
    try {
      return await rebuilding;
    } finally {
      this.rebuilding = undefined;
      const resume = this.resumeAfterRebuild;
      this.resumeAfterRebuild = false;
      if (resume) {
        this.start();
      } else if (this.loop === undefined) {
        await this.release();
        this.state = 'stopped';
      }
    }
  }

  private async replayAll(options: RebuildOptions): Promise<RebuildProgress> {
    if (await this.pause()) this.resumeAfterRebuild = true;
    const abort = new AbortController();
    this.rebuildAbort = abort;
    let tenure = this.tenure;
    try {
      if (tenure === undefined) {
        const acquired = await this.context.store.acquire(this.name, this.owner, this.definition.leaseTtlMs);
        if (!acquired.acquired) throw new ProjectionLeaseHeldError(this.name, acquired.holder, new Date(acquired.expiresAt));
        tenure = this.adopt(acquired);
      }
      this.state = 'rebuilding';
      await (this.instance as ResettableProjection).reset();
      await this.save(tenure, { checkpoint: FEED_START, eventsHandled: 0 });
      const highWaterMark = Date.now() - this.context.settleMs;
      const meter = new RebuildProgressMeter(highWaterMark);
      await this.readFeed(tenure, [abort.signal, tenure.lost.signal], highWaterMark, (page, handled) => {
        const progress = meter.page(handled, page.events[0]?.occurredAt.getTime(), page.reachedAt, page.caughtUp);
        try {
          options.onProgress?.(progress);
        } catch (error) {
          this.context.logger.warn(`Projection "${this.name}": the rebuild's onProgress callback threw (ignored): ${String(error)}`);
        }
      });
      return meter.progress();
    } catch (error) {
      if (error instanceof Halted) {
        throw tenure?.lost.signal.aborted ? new ProjectionLeaseLostError(this.name, 'the rebuild') : new ProjectionStoppedError(this.name);
      }
      if (error instanceof ProjectionLeaseLostError && tenure !== undefined) this.loseTenure(tenure, error);
      if (error instanceof ProjectionHandlerError) this.recordFailure(error, 'during its rebuild; it goes on from its last saved checkpoint once it runs');
      throw error;
    } finally {
      this.rebuildAbort = undefined;
    }
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
      const tenure = this.tenure ?? (await this.acquire());
      if (tenure === undefined) {
        this.state = 'standby';
        await this.wait(Math.min(this.definition.pollIntervalMs, this.definition.leaseTtlMs / 3), [halt]);
        continue;
      }
      try {
        if (this.state !== 'live' && this.state !== 'failing') this.state = 'catching-up';
        await this.readFeed(tenure, [halt, tenure.lost.signal]);
        if (failures > 0) this.context.logger.log(`Projection "${this.name}" recovered after ${failures} failed attempt(s).`);
        failures = 0;
        this.state = 'live';
        await this.waitForWork([halt, tenure.lost.signal]);
      } catch (error) {
        if (error instanceof Halted) continue;
        if (error instanceof ProjectionLeaseLostError) {
          this.loseTenure(tenure, error);
          continue;
        }
        failures++;
        const delay = Math.min(MAX_BACKOFF_MS, this.definition.pollIntervalMs * 2 ** (failures - 1));
        this.recordFailure(error, `(attempt ${failures}); retrying from its last saved checkpoint in ${delay} ms`);
        await this.wait(delay, [halt, tenure.lost.signal]);
      }
    }
  }

  /**
   * Reads the feed from the current position up to the high-water mark (default: now minus the
   * settle window), handling each event and saving the checkpoint after each page.
   * @throws Halted when a signal fires or the lease expired; ProjectionHandlerError; ProjectionLeaseLostError.
   */
  private async readFeed(
    tenure: Tenure,
    signals: readonly AbortSignal[],
    highWaterMark?: number,
    onPage?: (page: FeedPage, handled: number) => void,
  ): Promise<void> {
    const { pageSize, streamPrefix } = this.definition;
    const pages = this.context.reader.pages({ from: this.position!.checkpoint, pageSize, eventTypes: this.eventTypes, streamPrefix, highWaterMark });
    for await (const page of pages) {
      if (signals.some((signal) => signal.aborted)) throw new Halted();
      const base = this.position!.eventsHandled;
      let last: FeedEvent | undefined;
      try {
        for (const event of page.events) {
          this.assertHolding(tenure, signals);
          await this.handle(event);
          this.handledInPage++;
          last = event;
        }
      } catch (error) {
        // Keep what was handled (not when the lease is gone): the next attempt starts after it.
        if (last !== undefined && !tenure.lost.signal.aborted) {
          try {
            await this.save(tenure, { checkpoint: last.checkpoint, eventsHandled: base + this.handledInPage });
          } catch (saveError) {
            if (saveError instanceof ProjectionLeaseLostError) throw saveError;
          }
        }
        this.handledInPage = 0;
        throw error;
      }
      const handled = this.handledInPage;
      if (page.caughtUp) {
        // The last page holds no commit: nothing to save (a write per poll would cost for nothing).
        this.position = { checkpoint: page.checkpoint, eventsHandled: base + handled };
        this.handledInPage = 0;
        this.heardUpTo(page.highWaterMark);
      } else {
        await this.save(tenure, { checkpoint: page.checkpoint, eventsHandled: base + handled });
      }
      onPage?.(page, handled);
    }
  }

  private async handle(event: FeedEvent): Promise<void> {
    const handler = this.handlers.get(event.eventType);
    if (handler === undefined) return; // the read asked for handled types only
    try {
      await handler(event.event, event);
    } catch (cause) {
      throw new ProjectionHandlerError(this.name, event.eventType, event.streamId, event.version, cause);
    }
  }

  private async save(tenure: Tenure, position: ProjectionPosition): Promise<void> {
    await this.context.store.save(this.name, tenure.lease, position);
    this.position = position;
    this.handledInPage = 0;
  }

  /** Stops before the next handler call when asked to, or when the lease may have passed to another instance. */
  private assertHolding(tenure: Tenure, signals: readonly AbortSignal[]): void {
    if (signals.some((signal) => signal.aborted)) throw new Halted();
    // Renewals keep this well ahead; past it (renewals stalled), another instance may already run the projection.
    if (Date.now() >= tenure.lease.expiresAt) {
      this.loseTenure(tenure, new ProjectionLeaseLostError(this.name, 'handling (the lease expired before it could be renewed)'));
      throw new Halted();
    }
  }

  /** One attempt to take the lease; undefined when another instance holds it or the table cannot be reached. */
  private async acquire(): Promise<Tenure | undefined> {
    let result: AcquireResult;
    try {
      result = await this.context.store.acquire(this.name, this.owner, this.definition.leaseTtlMs);
    } catch (error) {
      if (!this.acquireFailing) {
        this.context.logger.warn(`Projection "${this.name}" cannot reach its lease (retrying while on standby): ${String(error)}`);
        this.acquireFailing = true;
      }
      return undefined;
    }
    if (this.acquireFailing) this.context.logger.log(`Projection "${this.name}" reaches its lease again.`);
    this.acquireFailing = false;
    return result.acquired ? this.adopt(result) : undefined;
  }

  private adopt(result: Extract<AcquireResult, { acquired: true }>): Tenure {
    const tenure: Tenure = { lease: result.lease, lost: new AbortController() };
    this.tenure = tenure;
    this.position = result.position;
    this.handledInPage = 0;
    this.readTo = -Infinity;
    this.scheduleRenewal(tenure);
    this.context.logger.log(`Projection "${this.name}" runs in this instance (lease epoch ${result.lease.epoch}), from checkpoint ${result.position.checkpoint}.`);
    return tenure;
  }

  private scheduleRenewal(tenure: Tenure): void {
    const { leaseTtlMs } = this.definition;
    tenure.renewal = setTimeout(() => {
      this.context.store.renew(this.name, tenure.lease, leaseTtlMs).then(
        (expiresAt) => {
          if (tenure.lost.signal.aborted) return;
          tenure.lease = { ...tenure.lease, expiresAt };
          this.scheduleRenewal(tenure);
        },
        // Not knowing whether it is still ours, stop at once: the standby check takes it back if it is.
        (error: unknown) => this.loseTenure(tenure, error),
      );
    }, leaseTtlMs / 3);
  }

  /** Drops the tenure: no handler is called under it any more, and any wait ends. */
  private loseTenure(tenure: Tenure, reason: unknown): void {
    if (tenure.lost.signal.aborted) return;
    clearTimeout(tenure.renewal);
    tenure.lost.abort();
    if (this.tenure === tenure) this.tenure = undefined;
    if (this.state !== 'stopped') this.state = 'standby';
    this.context.logger.warn(`Projection "${this.name}" lost its lease and stopped handling events (standing by): ${String(reason)}`);
  }

  private async release(): Promise<void> {
    const tenure = this.tenure;
    if (tenure === undefined) return;
    this.tenure = undefined;
    clearTimeout(tenure.renewal);
    tenure.lost.abort();
    try {
      await this.context.store.release(this.name, tenure.lease);
    } catch (error) {
      // It expires on its own; another instance takes over after the TTL instead of at once.
      this.context.logger.warn(`Projection "${this.name}" could not release its lease (it will expire): ${String(error)}`);
    }
  }

  private recordFailure(error: unknown, what: string): void {
    this.lastError = error instanceof Error ? error : new Error(String(error));
    this.state = 'failing';
    this.context.logger.error(`Projection "${this.name}" failed ${what}: ${this.lastError.message}`, this.lastError.stack);
  }

  private heardOfCommit(committedAt: number): void {
    if (committedAt <= this.readTo || this.pendingCommits.length >= MAX_PENDING_COMMITS) return;
    this.pendingCommits.push(committedAt);
    this.reschedule?.();
  }

  private heardUpTo(highWaterMark: number): void {
    this.readTo = Math.max(this.readTo, highWaterMark);
    this.pendingCommits = this.pendingCommits.filter((at) => at > this.readTo);
  }

  /** Until the next poll, or until the earliest in-process commit not read yet has settled, or a signal. */
  private waitForWork(signals: readonly AbortSignal[]): Promise<void> {
    const pollAt = Date.now() + this.definition.pollIntervalMs;
    return this.wait(() => {
      let earliest = Infinity;
      for (const at of this.pendingCommits) if (at < earliest) earliest = at;
      // A read includes commits at or before now - settleMs: one past that is the first moment it sees this one.
      return Math.min(pollAt, earliest + this.context.settleMs + 1) - Date.now();
    }, signals);
  }

  /** Resolves after `delay` ms (recomputed whenever an in-process commit is heard of), or once a signal fires. */
  private wait(delay: number | (() => number), signals: readonly AbortSignal[]): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(timer);
        if (this.reschedule === schedule) this.reschedule = undefined;
        for (const signal of signals) signal.removeEventListener('abort', finish);
        resolve();
      };
      const schedule = () => {
        clearTimeout(timer);
        timer = setTimeout(finish, Math.max(0, typeof delay === 'number' ? delay : delay()));
      };
      if (signals.some((signal) => signal.aborted)) return resolve();
      for (const signal of signals) signal.addEventListener('abort', finish, { once: true });
      if (typeof delay === 'function') this.reschedule = schedule;
      schedule();
    });
  }
}

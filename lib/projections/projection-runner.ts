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

/**
 * A lease owner id for one acquisition: host, process and a random part. New each time, so that a
 * release or renewal still in flight from an earlier tenure of this runner fails its condition.
 */
const newOwner = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

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
  /** The stored `rebuilding` flag is set and `reset()` has not succeeded under this tenure yet: reset before reading. */
  resetPending: boolean;
  /** The stored `rebuilding` flag is (still) set: the next save must happen, even on a page with nothing new, to clear it. */
  flagStored: boolean;
}

/** Thrown inside the runner to unwind a read when it must end: a stop, a pause, or the lease lost. */
class Halted extends Error {}

/** Failures back off from the poll interval, doubling, up to this. */
const MAX_BACKOFF_MS = 30_000;
/** In-process commits remembered while waiting for them to settle; beyond it, polling still finds them. */
const MAX_PENDING_COMMITS = 1000;
/** A failed renewal is retried after leaseTtlMs / this (doubling each time), within these bounds, while the lease lasts. */
const RENEWAL_RETRY_DIVISOR = 30;
const RENEWAL_RETRY_MIN_MS = 10;
const RENEWAL_RETRY_MAX_MS = 1000;

/**
 * Runs one projection in this app instance: on standby until it holds the projection's lease, then
 * reads the feed from the stored checkpoint, calls the handlers one event at a time in feed order,
 * and saves the checkpoint after each page, fenced by the lease. Once caught up, it reads again at
 * the next poll, or as soon as a commit made in this process has settled. A failing handler is
 * retried from the last saved checkpoint with backoff (so delivery is at least once), and the event
 * skipped after `maxAttempts` calls. start(), stop() and rebuild() take effect one after another, in
 * the order they were called.
 */
export class ProjectionRunner {
  readonly name: string;
  private readonly handlers = new Map<string, Handler>();
  private readonly eventTypes: EventClass[];

  private state: ProjectionState = 'stopped';
  /** Where the next read starts: the saved checkpoint, or later when reads found nothing to save. */
  private position?: ProjectionPosition;
  /** Handled and skipped in the page being read, not saved yet. */
  private handledInPage = 0;
  private skippedInPage = 0;
  private lastError?: Error;
  /** The event whose handler failed last, and how many calls failed in a row (for `maxAttempts`). */
  private failingEvent?: { readonly checkpoint: string; readonly attempts: number };

  private tenure?: Tenure;
  /** The last lease this runner held: while it is still the stored one, the runner takes it back at once. */
  private formerLease?: ProjectionLease;
  private loop?: Promise<void>;
  private halt?: AbortController;
  /** start(), stop() and rebuild() run one after another on this chain. */
  private operations: Promise<unknown> = Promise.resolve();
  /** Whether the last of start() and stop() called was start(): what a rebuild goes back to. */
  private wanted = false;
  /** Counts stop() calls: a rebuild still queued when stop() is called is dropped. */
  private stops = 0;
  private rebuildAbort?: AbortController;

  private unsubscribe?: () => void;
  /** Commit times of in-process commits not yet read (a hint to read early). */
  private pendingCommits: number[] = [];
  /** The high-water mark of the last read: commits at or before it have been read. */
  private readTo = -Infinity;
  private reschedule?: () => void;
  private acquireFailing = false;
  /** When the lease that another instance holds expires, as the last standby check read it. */
  private heldUntil?: number;

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
      eventsSkipped: (this.position?.eventsSkipped ?? 0) + this.skippedInPage,
    };
    return this.lastError === undefined ? status : { ...status, lastError: this.lastError };
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
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      this.pendingCommits = [];
      await this.release();
      this.state = 'stopped';
    });
  }

  /**
   * Resets the projection (its `reset()`), replays the feed up to now from the start, then goes on
   * as before: following if it was started (and not stopped since), otherwise releasing the lease.
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
          await this.release();
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

  /** Starts the loop and listens for in-process commits, unless it runs already. */
  private follow(): void {
    if (this.loop !== undefined) return;
    this.unsubscribe ??= this.context.commits.subscribe((committedAt) => this.heardOfCommit(committedAt));
    const halt = new AbortController();
    this.halt = halt;
    this.state = this.tenure === undefined ? 'standby' : 'catching-up';
    this.loop = this.run(halt.signal);
  }

  private async replayAll(options: RebuildOptions, abort: AbortSignal): Promise<RebuildProgress> {
    let tenure = this.tenure;
    let resetting = false;
    try {
      if (tenure === undefined) {
        const acquired = await this.context.store.acquire(this.name, newOwner(), this.definition.leaseTtlMs, this.formerLease);
        if (!acquired.acquired) throw new ProjectionLeaseHeldError(this.name, acquired.holder, new Date(acquired.expiresAt));
        tenure = this.adopt(acquired);
      }
      if (abort.aborted) throw new Halted();
      this.state = 'rebuilding';
      // The checkpoint goes back (flagged) before anything is deleted: if this save fails, the read
      // model and checkpoint are untouched; if reset() fails or the process dies after it, the flag
      // makes whoever holds the lease next reset again before it reads.
      await this.save(tenure, { checkpoint: FEED_START, eventsHandled: 0, eventsSkipped: 0 }, { rebuilding: true });
      tenure.resetPending = true;
      this.failingEvent = undefined;
      resetting = true;
      await this.resetReadModel(tenure);
      resetting = false;
      const highWaterMark = Date.now() - this.context.settleMs;
      const meter = new RebuildProgressMeter(highWaterMark);
      await this.readFeed(tenure, [abort, tenure.lost.signal], highWaterMark, (page, handled) => {
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
      const tenure = this.tenure ?? (await this.acquire());
      if (tenure === undefined) {
        this.state = 'standby';
        await this.wait(this.standbyDelay(), [halt]);
        continue;
      }
      try {
        if (tenure.resetPending) {
          this.context.logger.warn(`Projection "${this.name}": a rebuild was cut short after moving its checkpoint back; calling reset() again before reading.`);
          await this.resetReadModel(tenure);
          this.state = 'catching-up';
        }
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
      const { eventsHandled, eventsSkipped } = this.position!;
      let last: FeedEvent | undefined;
      try {
        for (const event of page.events) {
          this.assertHolding(tenure, signals);
          if (await this.handle(event)) this.handledInPage++;
          else this.skippedInPage++;
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
        this.heardUpTo(page.highWaterMark);
      } else if (page.caughtUp) {
        // The last page holds no commit: nothing to save (a write per poll would cost for nothing).
        this.position = { checkpoint: page.checkpoint, ...reached };
        this.handledInPage = 0;
        this.skippedInPage = 0;
        this.heardUpTo(page.highWaterMark);
      } else {
        await this.save(tenure, { checkpoint: page.checkpoint, ...reached });
      }
      onPage?.(page, handled);
    }
  }

  /**
   * Calls the event's handler; resolves to false when the event was skipped instead: its handler
   * failed for the `maxAttempts`-th time in a row.
   * @throws ProjectionHandlerError while attempts are left (the read is retried from the last saved checkpoint).
   */
  private async handle(event: FeedEvent): Promise<boolean> {
    const handler = this.handlers.get(event.eventType);
    if (handler === undefined) return true; // the read asked for handled types only
    try {
      await handler(event.event, event);
    } catch (cause) {
      const error = new ProjectionHandlerError(this.name, event.eventType, event.streamId, event.version, cause);
      const attempts = this.failingEvent?.checkpoint === event.checkpoint ? this.failingEvent.attempts + 1 : 1;
      if (attempts < this.definition.maxAttempts) {
        this.failingEvent = { checkpoint: event.checkpoint, attempts };
        throw error;
      }
      this.failingEvent = undefined;
      this.lastError = error;
      this.context.logger.error(
        `Projection "${this.name}" skipped ${event.eventType} (stream "${event.streamId}", version ${event.version}, event ${event.eventId}, ` +
          `checkpoint ${event.checkpoint}) after ${attempts} failed attempt(s) (maxAttempts ${this.definition.maxAttempts}): ${error.message}`,
        error.stack,
      );
      return false;
    }
    if (this.failingEvent?.checkpoint === event.checkpoint) this.failingEvent = undefined;
    return true;
  }

  private async save(tenure: Tenure, position: ProjectionPosition, flags?: { rebuilding: boolean }): Promise<void> {
    await this.context.store.save(this.name, tenure.lease, position, flags);
    tenure.flagStored = flags?.rebuilding === true;
    this.position = position;
    this.handledInPage = 0;
    this.skippedInPage = 0;
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

  /**
   * Until the next standby check: every `pollIntervalMs` (at most a third of `leaseTtlMs`), and
   * just past the expiry the last check read when that comes sooner. A holder that died is then
   * replaced as soon as its lease has lapsed (plus this check's requests), not up to a poll later.
   * A live holder renews every third of the TTL, so its expiry stays further off than a poll: no
   * more checks than polling alone.
   */
  private standbyDelay(): number {
    const interval = Math.min(this.definition.pollIntervalMs, this.definition.leaseTtlMs / 3);
    // The lease is free once `now > expiresAt` (ProjectionStore.acquire): 1 ms past it.
    const untilLapsed = this.heldUntil === undefined ? Infinity : this.heldUntil + 1 - Date.now();
    // Already past it (the holder's clock is ahead, or others took it in between): poll as usual rather than spin.
    return untilLapsed > 0 ? Math.min(interval, untilLapsed) : interval;
  }

  /** One attempt to take the lease; undefined when another instance holds it or the table cannot be reached. */
  private async acquire(): Promise<Tenure | undefined> {
    let result: AcquireResult;
    this.heldUntil = undefined;
    try {
      result = await this.context.store.acquire(this.name, newOwner(), this.definition.leaseTtlMs, this.formerLease);
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
    if (!result.acquired) {
      this.heldUntil = result.expiresAt;
      return undefined;
    }
    return this.adopt(result);
  }

  private adopt(result: Extract<AcquireResult, { acquired: true }>): Tenure {
    const tenure: Tenure = { lease: result.lease, lost: new AbortController(), resetPending: result.rebuilding, flagStored: result.rebuilding };
    this.tenure = tenure;
    this.position = result.position;
    this.handledInPage = 0;
    this.skippedInPage = 0;
    this.readTo = -Infinity;
    this.scheduleRenewal(tenure, this.definition.leaseTtlMs / 3, 0);
    this.context.logger.log(
      `Projection "${this.name}" runs in this instance (lease epoch ${result.lease.epoch}), from checkpoint ${result.position.checkpoint}` +
        `${result.rebuilding ? ' (a rebuild was cut short: it resets first)' : ''}.`,
    );
    return tenure;
  }

  /**
   * Renews the lease after `delay` ms, then every third of the TTL. A failed renewal is retried
   * with backoff while the lease lasts: only a refusal (the lease changed hands) or running out of
   * time ends the tenure, so a passing throttle does not make the page being read be handled again.
   */
  private scheduleRenewal(tenure: Tenure, delay: number, failures: number): void {
    const { leaseTtlMs } = this.definition;
    tenure.renewal = setTimeout(() => {
      this.context.store.renew(this.name, tenure.lease, leaseTtlMs).then(
        (expiresAt) => {
          if (tenure.lost.signal.aborted) return;
          tenure.lease = { ...tenure.lease, expiresAt };
          if (failures > 0) this.context.logger.log(`Projection "${this.name}" renewed its lease after ${failures} failed attempt(s).`);
          this.scheduleRenewal(tenure, leaseTtlMs / 3, 0);
        },
        (error: unknown) => {
          if (tenure.lost.signal.aborted) return;
          if (error instanceof ProjectionLeaseLostError) return this.loseTenure(tenure, error);
          const left = tenure.lease.expiresAt - Date.now();
          const backoff = Math.min(RENEWAL_RETRY_MAX_MS, Math.max(RENEWAL_RETRY_MIN_MS, leaseTtlMs / RENEWAL_RETRY_DIVISOR)) * 2 ** failures;
          // Leave the retry half the time left at most, so that a further one still fits.
          const retryIn = Math.min(backoff, left / 2);
          if (retryIn < RENEWAL_RETRY_MIN_MS) {
            return this.loseTenure(tenure, `renewing the lease failed ${failures + 1} time(s) and it is about to expire; last error: ${String(error)}`);
          }
          this.context.logger.warn(
            `Projection "${this.name}" could not renew its lease (attempt ${failures + 1}, ${Math.round(left)} ms left); retrying in ${Math.round(retryIn)} ms: ${String(error)}`,
          );
          this.scheduleRenewal(tenure, retryIn, failures + 1);
        },
      );
    }, delay);
  }

  /** Drops the tenure: no handler is called under it any more, and any wait ends. */
  private loseTenure(tenure: Tenure, reason: unknown): void {
    if (tenure.lost.signal.aborted) return;
    this.endTenure(tenure);
    if (this.state !== 'stopped') this.state = 'standby';
    this.context.logger.warn(`Projection "${this.name}" lost its lease and stopped handling events (standing by): ${String(reason)}`);
  }

  private endTenure(tenure: Tenure): void {
    clearTimeout(tenure.renewal);
    tenure.lost.abort();
    if (this.tenure === tenure) this.tenure = undefined;
    this.formerLease = tenure.lease;
  }

  private async release(): Promise<void> {
    const tenure = this.tenure;
    if (tenure === undefined) return;
    this.endTenure(tenure);
    try {
      await this.context.store.release(this.name, tenure.lease);
    } catch (error) {
      // It expires on its own; another instance takes over after the TTL instead of at once (this one at once).
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

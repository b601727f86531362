import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@nestjs/common';
import { ProjectionLeaseLostError } from '../errors/projection-lease-lost.error.js';
import type { AcquireResult, ProjectionLease, ProjectionStore } from './projection-store.js';

/** The lease as this instance holds it, with what ends its use: loss, release, or a stop. */
export interface Tenure {
  lease: ProjectionLease;
  readonly lost: AbortController;
  renewal?: NodeJS.Timeout;
  /** The stored `rebuilding` flag is set and `reset()` has not succeeded under this tenure yet: reset before reading. */
  resetPending: boolean;
  /** The stored `rebuilding` flag is (still) set: the next save must happen, even on a page with nothing new, to clear it. */
  flagStored: boolean;
  /** Parked events of the partition as acquire() read them; the parked events are loaded before the first read. */
  parkedCount: number;
  parkingLoaded: boolean;
  /** A retry of parked events asked for (by the CLI) and not carried out yet, as acquire or a renewal read it. */
  retryRequest?: string;
}

/**
 * A lease owner id for one acquisition: host, process and a random part. New each time, so that a
 * release or renewal still in flight from an earlier tenure of this runner fails its condition.
 */
const newOwner = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** A failed renewal is retried after leaseTtlMs / this (doubling each time), within these bounds, while the lease lasts. */
const RENEWAL_RETRY_DIVISOR = 30;
const RENEWAL_RETRY_MIN_MS = 10;
const RENEWAL_RETRY_MAX_MS = 1000;
/** Instances on standby check the lease at least this far apart, however short the poll interval. */
const MIN_STANDBY_CHECK_MS = 1000;

/**
 * One projection's lease in this app instance: taking it, renewing it every third of its TTL while
 * held, giving it up, and when to check again while another instance holds it.
 */
export class ProjectionLeaseKeeper {
  tenure?: Tenure;
  /** The last lease this instance held: while it is still the stored one, the instance takes it back at once. */
  private formerLease?: ProjectionLease;
  /** When the lease that another instance holds expires, as the last check read it. */
  private heldUntil?: number;

  constructor(
    private readonly name: string,
    private readonly settings: { readonly leaseTtlMs: number; readonly pollIntervalMs: number },
    private readonly store: ProjectionStore,
    private readonly logger: Logger,
    /** Called when a tenure is lost (not when it is released). */
    private readonly onLost: () => void,
    /** Called when a renewal finds a retry of parked events asked for. */
    private readonly onRetryRequest: () => void = () => undefined,
  ) {}

  /** One attempt to take the lease; remembers when another holder's lease expires. @throws what the store threw. */
  async acquire(): Promise<AcquireResult> {
    this.heldUntil = undefined;
    const result = await this.store.acquire(this.name, newOwner(), this.settings.leaseTtlMs, this.formerLease);
    if (!result.acquired) this.heldUntil = result.expiresAt;
    return result;
  }

  /** Holds the lease just acquired, renewing it every third of its TTL. */
  adopt(result: Extract<AcquireResult, { acquired: true }>): Tenure {
    const tenure: Tenure = {
      lease: result.lease,
      lost: new AbortController(),
      resetPending: result.rebuilding,
      flagStored: result.rebuilding,
      parkedCount: result.parkedCount,
      parkingLoaded: false,
      retryRequest: result.retryRequest,
    };
    this.tenure = tenure;
    this.scheduleRenewal(tenure, this.settings.leaseTtlMs / 3, 0);
    return tenure;
  }

  /**
   * Until the next standby check: every `pollIntervalMs` but at least a second apart (a poll
   * interval tuned for latency must not multiply lease reads), at most a third of `leaseTtlMs`,
   * and just past the expiry the last check read when that comes sooner. A holder that died is then
   * replaced as soon as its lease has lapsed (plus this check's requests). A live holder renews
   * every third of the TTL, so its expiry stays further off than a check: no more checks than that.
   */
  standbyDelay(): number {
    const interval = Math.min(Math.max(this.settings.pollIntervalMs, MIN_STANDBY_CHECK_MS), this.settings.leaseTtlMs / 3);
    // The lease is free once `now > expiresAt` (ProjectionStore.acquire): 1 ms past it.
    const untilLapsed = this.heldUntil === undefined ? Infinity : this.heldUntil + 1 - Date.now();
    // Already past it (the holder's clock is ahead, or others took it in between): check as usual rather than spin.
    return untilLapsed > 0 ? Math.min(interval, untilLapsed) : interval;
  }

  /** Drops the tenure: no handler is called under it any more, and any wait under it ends. */
  lose(tenure: Tenure, reason: unknown): void {
    if (tenure.lost.signal.aborted) return;
    this.end(tenure);
    this.onLost();
    this.logger.warn(`Projection "${this.name}" lost its lease and stopped handling events (standing by): ${String(reason)}`);
  }

  /** Gives the lease up, so that another instance can take over at once. */
  async release(): Promise<void> {
    const tenure = this.tenure;
    if (tenure === undefined) return;
    this.end(tenure);
    try {
      await this.store.release(this.name, tenure.lease);
    } catch (error) {
      // It expires on its own; another instance takes over after the TTL instead of at once (this one at once).
      this.logger.warn(`Projection "${this.name}" could not release its lease (it will expire): ${String(error)}`);
    }
  }

  private end(tenure: Tenure): void {
    clearTimeout(tenure.renewal);
    tenure.lost.abort();
    if (this.tenure === tenure) this.tenure = undefined;
    this.formerLease = tenure.lease;
  }

  /**
   * Renews the lease after `delay` ms, then every third of the TTL. A failed renewal is retried
   * with backoff while the lease lasts: only a refusal (the lease changed hands) or running out of
   * time ends the tenure, so a passing throttle does not make the page being read be handled again.
   */
  private scheduleRenewal(tenure: Tenure, delay: number, failures: number): void {
    const { leaseTtlMs } = this.settings;
    tenure.renewal = setTimeout(() => {
      this.store.renewAndRead(this.name, tenure.lease, leaseTtlMs).then(
        ({ expiresAt, retryRequest }) => {
          if (tenure.lost.signal.aborted) return;
          tenure.lease = { ...tenure.lease, expiresAt };
          if (retryRequest !== undefined && retryRequest !== tenure.retryRequest) {
            tenure.retryRequest = retryRequest;
            this.onRetryRequest();
          }
          if (failures > 0) this.logger.log(`Projection "${this.name}" renewed its lease after ${failures} failed attempt(s).`);
          this.scheduleRenewal(tenure, leaseTtlMs / 3, 0);
        },
        (error: unknown) => {
          if (tenure.lost.signal.aborted) return;
          if (error instanceof ProjectionLeaseLostError) return this.lose(tenure, error);
          const left = tenure.lease.expiresAt - Date.now();
          const backoff = Math.min(RENEWAL_RETRY_MAX_MS, Math.max(RENEWAL_RETRY_MIN_MS, leaseTtlMs / RENEWAL_RETRY_DIVISOR)) * 2 ** failures;
          // Leave the retry half the time left at most, so that a further one still fits.
          const retryIn = Math.min(backoff, left / 2);
          if (retryIn < RENEWAL_RETRY_MIN_MS) {
            return this.lose(tenure, `renewing the lease failed ${failures + 1} time(s) and it is about to expire; last error: ${String(error)}`);
          }
          this.logger.warn(
            `Projection "${this.name}" could not renew its lease (attempt ${failures + 1}, ${Math.round(left)} ms left); retrying in ${Math.round(retryIn)} ms: ${String(error)}`,
          );
          this.scheduleRenewal(tenure, retryIn, failures + 1);
        },
      );
    }, delay);
  }
}

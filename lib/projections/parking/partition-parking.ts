import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Logger } from '@nestjs/common';
import { ProjectionLeaseLostError } from '../../errors/projection-lease-lost.error.js';
import { parseCheckpoint } from '../../feed/feed-checkpoint.js';
import type { FeedEvent } from '../../feed/interfaces/feed-event.interface.js';
import { ProjectionItemAttribute as A } from '../../tables/projections-table.js';
import type { ProjectionLease } from '../projection-store.js';
import type { ParkedEventSource } from './parked-event-reader.js';
import type { ParkedEventStore } from './parked-event-store.js';
import type { ParkedEvent, ParkReason } from './parked-event.js';
import type { RetryFailure, RetryReport } from './retry-report.js';

/** What happens to a stream's later events once one of its events is parked (`@Projection` option `parkedStream`). */
export type ParkedStreamMode = 'wait' | 'continue';

/** The lease a retry runs under: as held now (a function, for a holder whose renewals move its expiry), or fixed. */
export type LeaseRef = ProjectionLease | (() => ProjectionLease);

/** What a retry needs of the handlers: one call, counting nothing (ProjectionHandlers.callOnce). */
export interface RetryHandlers {
  callOnce(event: FeedEvent): Promise<Error | undefined>;
}

const eventKey = (position: number, version: number): string => `${position}.${version}`;
const leaseOf = (lease: LeaseRef): ProjectionLease => (typeof lease === 'function' ? lease() : lease);

/**
 * The parked events of one partition, for the runner that holds its lease: which events to hold
 * back (in 'wait' mode, every later event of a stream with a parked event; in both modes, an event
 * that is itself parked already, e.g. by a former holder), parking, and retrying.
 *
 * What it knows comes from `load()` at lease acquisition and is kept up to date by its own writes:
 * while this runner holds the lease, nobody else parks or resolves anything in the partition
 * (every such write is fenced by the lease; the CLI asks the holder rather than doing it itself).
 */
export class PartitionParking {
  /** Parked events of the partition by `position.version`. */
  private readonly parked = new Map<string, ParkedEvent>();
  /** Streams with parked events here: the lowest parked version of each. */
  private readonly streams = new Map<string, number>();

  constructor(
    private readonly store: ParkedEventStore,
    readonly projection: string,
    readonly partitionKey: string,
    readonly mode: ParkedStreamMode,
    private readonly logger: Logger,
  ) {}

  /** Events parked in the partition, as far as this runner knows. */
  get count(): number {
    return this.parked.size;
  }

  /**
   * At lease acquisition: learns the partition's parked events, with a Scan only when the partition
   * item says there are some (`parkedCount` > 0, as acquire read it).
   */
  async load(partition: { readonly parkedCount: number }): Promise<void> {
    this.parked.clear();
    this.streams.clear();
    if (partition.parkedCount <= 0) return;
    for (const parked of await this.store.list(this.projection, this.partitionKey)) this.remember(parked);
  }

  /**
   * Whether the event must not reach its handler: it is parked already, or (in 'wait' mode) an
   * earlier event of its stream is. The runner then calls `park(..., 'waiting')` for it (which
   * writes nothing for an event parked already) and goes on to the next.
   */
  holdsBack(event: FeedEvent): boolean {
    if (this.parked.has(eventKey(positionOf(event), event.version))) return true;
    // Only the versions after the stream's first parked one: an earlier one (a rebuild's replay) is handled.
    const lowest = this.streams.get(event.streamId);
    return this.mode === 'wait' && lowest !== undefined && event.version > lowest;
  }

  /**
   * Parks the event (fenced by the lease; idempotent). `error` is why (undefined for a 'waiting' one).
   * @throws ProjectionLeaseLostError when the lease is gone (nothing written).
   */
  async park(lease: LeaseRef, event: FeedEvent, error: unknown, attempts: number, reason: ParkReason): Promise<ParkedEvent> {
    const position = positionOf(event);
    const known = this.parked.get(eventKey(position, event.version));
    if (known !== undefined) return known;
    const { parked, outcome } = await this.store.park(
      leaseOf(lease),
      {
        projection: this.projection,
        partitionKey: this.partitionKey,
        streamId: event.streamId,
        version: event.version,
        eventId: event.eventId,
        eventType: event.eventType,
        checkpoint: event.checkpoint,
        position,
        reason,
        attempts,
        parkedAt: new Date(),
        retries: 0,
      },
      error,
    );
    this.remember(parked);
    if (outcome === 'parked') {
      const why = reason === 'failed' ? `after ${attempts} failed attempt(s)` : 'behind an earlier parked event of its stream';
      this.logger.warn(
        `Projection "${this.projection}" parked ${event.eventType} (stream "${event.streamId}", version ${event.version}, checkpoint ${event.checkpoint}) ${why}; ` +
          `retry it with: nestjs-dynamo-es projection retry-parked ${this.projection}`,
      );
    }
    return parked;
  }

  /**
   * Retries every parked event of the partition, in feed order (position, then version): reads it
   * back (`readEvent`), calls its handler once; handled: un-parked (fenced); failed: kept, with the
   * new error and one more retry counted. In 'wait' mode, a stream's later parked events are not
   * retried once an earlier one of the same stream failed again (its order holds).
   * Lists the table rather than trusting memory, and learns from it.
   * @throws ProjectionLeaseLostError when the lease is gone or expired (what was done so far is stored).
   */
  async retry(lease: LeaseRef, handlers: RetryHandlers, readEvent: ParkedEventSource, signal?: AbortSignal): Promise<RetryReport> {
    const all = await this.store.list(this.projection, this.partitionKey);
    this.parked.clear();
    this.streams.clear();
    const stuck = new Set<string>();
    const errors: RetryFailure[] = [];
    let retried = 0;
    let handled = 0;
    let at = 0;
    try {
      for (; at < all.length; at++) {
        const parked = all[at]!;
        if (signal?.aborted === true || (this.mode === 'wait' && stuck.has(parked.streamId))) {
          this.remember(parked);
          continue;
        }
        const held = leaseOf(lease);
        if (Date.now() >= held.expiresAt) {
          throw new ProjectionLeaseLostError(this.partitionKey, 'retrying parked events (the lease expired before it could be renewed)');
        }
        retried++;
        let error: Error | undefined;
        try {
          error = await handlers.callOnce(await readEvent(parked));
        } catch (readError) {
          error = readError instanceof Error ? readError : new Error(String(readError));
        }
        if (error === undefined) {
          await this.store.resolve(held, parked);
          handled++;
          continue;
        }
        this.remember(await this.store.recordRetryFailure(held, parked, error));
        stuck.add(parked.streamId);
        errors.push({ streamId: parked.streamId, version: parked.version, eventType: parked.eventType, message: error.message });
      }
    } catch (failure) {
      // Whatever was not retried (or not un-parked) stays parked: remembered, so that its stream is still held back.
      for (const rest of all.slice(at)) this.remember(rest);
      throw failure;
    }
    const report = { retried, handled, stillParked: this.parked.size, errors };
    this.logger.log(
      `Projection "${this.projection}" (${this.partitionKey}) retried ${retried} parked event(s): ${handled} handled, ${report.stillParked} still parked.`,
    );
    return report;
  }

  /**
   * Answers a retry request (see pendingRetryRequest): retries, then stores `retryDone = id` and the
   * report on the partition item, fenced. The runner calls this between pages.
   * @throws ProjectionLeaseLostError
   */
  async answerRetryRequest(lease: LeaseRef, id: string, handlers: RetryHandlers, readEvent: ParkedEventSource, signal?: AbortSignal): Promise<RetryReport> {
    const report = await this.retry(lease, handlers, readEvent, signal);
    await this.store.completeRetryRequest(this.partitionKey, leaseOf(lease), id, report);
    return report;
  }

  /**
   * Un-parks every parked event of the partition without retrying it (fenced): for a rebuild, which
   * replays them with the rest. Resolves to how many were removed.
   * @throws ProjectionLeaseLostError
   */
  async forgetAll(lease: LeaseRef): Promise<number> {
    let removed = 0;
    for (const parked of await this.store.list(this.projection, this.partitionKey)) {
      if (await this.store.resolve(leaseOf(lease), parked)) removed++;
    }
    this.parked.clear();
    this.streams.clear();
    return removed;
  }

  private remember(parked: ParkedEvent): void {
    const key = eventKey(parked.position, parked.version);
    if (this.parked.has(key)) return;
    this.parked.set(key, parked);
    this.streams.set(parked.streamId, Math.min(this.streams.get(parked.streamId) ?? Infinity, parked.version));
  }
}

/** The feed index position of an event's commit, from its checkpoint. */
export const positionOf = (event: Pick<FeedEvent, 'checkpoint'>): number => parseCheckpoint(event.checkpoint).position;

/**
 * The retry request waiting on a partition item (as a lease renewal returned it, `ReturnValues:
 * 'ALL_NEW'`): its id when `retryRequest` is set and differs from `retryDone`, else undefined.
 */
export function pendingRetryRequest(item: Record<string, AttributeValue> | undefined): string | undefined {
  const request = item?.[A.retryRequest]?.S;
  return request !== undefined && request !== item?.[A.retryDone]?.S ? request : undefined;
}

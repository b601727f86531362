import type { Logger } from '@nestjs/common';
import { ProjectionHandlerError } from '../errors/projection-handler.error.js';
import { ProjectionLeaseLostError } from '../errors/projection-lease-lost.error.js';
import { ProjectionLeaseHeldError } from '../errors/projection-lease-held.error.js';
import { ProjectionPartitionsChangedError } from '../errors/projection-partitions-changed.error.js';
import { sleep } from '../event-store/retry-policy.js';
import { parseCheckpoint, type FeedCheckpoint } from '../feed/feed-checkpoint.js';
import type { FeedReader } from '../feed/feed-reader.js';
import type { FeedEvent } from '../feed/interfaces/feed-event.interface.js';
import type { EventClass } from '../serialization/event-type-registry.js';
import type { PartitionSpec } from '../projections/partitions/partition-keys.js';
import { partitionOf } from '../projections/partitions/stream-partition.js';
import type { ProjectionDefinition } from '../projections/projection-definitions.js';
import { ProjectionHandlers } from '../projections/projection-handlers.js';
import type { ProjectionLease, ProjectionPosition, ProjectionStore } from '../projections/projection-store.js';
import type { ParkedEventSource } from '../projections/parking/parked-event-reader.js';
import type { ParkedEventStore } from '../projections/parking/parked-event-store.js';
import type { ParkReason } from '../projections/parking/parked-event.js';
import { PartitionParking, type RetryHandlers } from '../projections/parking/partition-parking.js';
import { NO_TELEMETRY } from '../telemetry/no-telemetry.js';
import { handlerAttributes, handlerOutcomeAttributes } from '../telemetry/operation-attributes.js';
import { SpanName } from '../telemetry/span-names.js';
import type { Telemetry } from '../telemetry/telemetry.js';

/** How the leases Lambda invocations take start: a lease with it is another invocation's, not an app instance's. */
export const LAMBDA_OWNER_PREFIX = 'lambda:';

/** What partitions of a function share: the readers and stores of its runtime, and how it retries. */
export interface LambdaPartitionContext {
  readonly reader: FeedReader;
  readonly store: ProjectionStore;
  readonly logger: Logger;
  /** Where parked events are stored, and how a retry reads one back (per projection name). */
  readonly parked: ParkedEventStore;
  readonly readParked: (projection: string) => ParkedEventSource;
  /** A lease owner id, new for each acquisition; starts with LAMBDA_OWNER_PREFIX. */
  readonly newOwner: () => string;
  /** Handler calls for one event within one invocation before the invocation gives up on it (reports it for redelivery). */
  readonly attemptsPerInvocation: number;
  /** Wait before the second call of a failing event, doubling for each next one. */
  readonly retryDelayMs: number;
  /** Spans of feed pages and handler calls (absent: none). */
  readonly telemetry?: Telemetry;
}

/** What one invocation asks of a partition. */
export interface PartitionRun {
  /** Handle the partition's events up to this index position. */
  readonly upTo: number;
  /**
   * No handler call starts after this time (epoch ms), nor a backoff that would end after it: the
   * invocation must save, release and answer before Lambda's timeout. Undefined: no limit.
   */
  readonly stopBy?: number;
}

/** How far one partition got in an invocation. */
export type PartitionOutcome =
  /** Everything up to `position` is handled (at least the invocation's last position when it completed). */
  | { readonly kind: 'reached'; readonly position: number }
  /** Not run here now (another live holder runs it, or a rebuild holds it): it does not hold the records back. */
  | { readonly kind: 'skipped'; readonly reason: string }
  /** Handled up to `position`, then stopped because the invocation's time ran out (no error: the rest is delivered again). */
  | { readonly kind: 'out-of-time'; readonly position: number }
  /** Handled up to `position` (-1: not even the stored checkpoint is known), then stopped by `error`. */
  | { readonly kind: 'failed'; readonly position: number; readonly error: Error };

/** What came of one event: handled; given up after `maxAttempts` (to be parked); or still failing when the invocation may not call it again. */
type EventOutcome = { readonly kind: 'handled' } | { readonly kind: 'given-up' | 'failed'; readonly error: ProjectionHandlerError };

const HANDLED: EventOutcome = { kind: 'handled' };

/** The index position everything up to which a checkpoint covers: a checkpoint inside a commit covers only the commits before it. */
export function positionCoveredBy(checkpoint: FeedCheckpoint): number {
  const { position, version } = parseCheckpoint(checkpoint);
  return version === undefined ? position : position - 1;
}

/** Handled and parked events since the last checkpoint save. */
interface Unsaved {
  handled: number;
  skipped: number;
}

/**
 * One partition of a projection (or of a function's event handlers) as a Lambda function runs it:
 * per invocation, it takes the partition's lease (the same item and checkpoint as the in-app
 * runner's), learns the partition's parked events, carries out a retry of them that the CLI asked
 * for, reads the feed from the stored checkpoint up to the invocation's last index position,
 * calls the handlers in feed order (retrying a failing event a few times with backoff, and parking
 * it after the projection's `maxAttempts`, as the in-app runner does), saves the checkpoint after
 * each page, fenced by the lease, and releases the lease. Lives as long as the container, so that
 * a failing event's attempts are counted across redeliveries to it.
 */
export class LambdaPartition {
  private readonly handlers: ProjectionHandlers;
  private readonly parking: PartitionParking;
  private readonly accepts?: (streamId: string) => boolean;
  /** The last lease this container held: while it is still the stored one (a release was lost), it is taken back at once. */
  private former?: ProjectionLease;

  constructor(
    readonly definition: ProjectionDefinition,
    instance: object,
    handledTypes: ReadonlyMap<EventClass, string>,
    readonly spec: PartitionSpec,
    private readonly context: LambdaPartitionContext,
  ) {
    // One per partition: partitions run concurrently, and each counts its own failing event's attempts.
    this.handlers = new ProjectionHandlers(definition, instance, handledTypes, context.logger);
    this.parking = new PartitionParking(context.parked, definition.name, spec.key, definition.parkedStream, context.logger);
    if (spec.count > 1) this.accepts = (streamId) => partitionOf(streamId, spec.count) === spec.index;
  }

  private get telemetry(): Telemetry {
    return this.context.telemetry ?? NO_TELEMETRY;
  }

  private get label(): string {
    return this.spec.count === 1 ? `"${this.definition.name}"` : `"${this.definition.name}" partition ${this.spec.index}/${this.spec.count}`;
  }

  /** Handles the partition's events up to index position `upTo`. Never throws: a failure is an outcome. */
  async run({ upTo, stopBy }: PartitionRun): Promise<PartitionOutcome> {
    const { store, logger } = this.context;
    const { key } = this.spec;
    let acquired;
    try {
      acquired = await store.acquire(key, this.context.newOwner(), this.definition.leaseTtlMs, this.former);
    } catch (error) {
      return this.failed(-1, error);
    }
    if (!acquired.acquired) {
      if (acquired.partitionsStored !== undefined) {
        return this.failed(-1, new ProjectionPartitionsChangedError(this.definition.name, acquired.partitionsStored, this.spec.count));
      }
      if (acquired.holder.startsWith(LAMBDA_OWNER_PREFIX)) {
        // Another invocation's lease: most likely one that timed out (one invocation per shard at a time), whose
        // records Lambda redelivers now. Skipping would acknowledge them unread; failing has them delivered again,
        // by when the lease has lapsed.
        return this.failed(-1, new ProjectionLeaseHeldError(key, acquired.holder, new Date(acquired.expiresAt)));
      }
      return { kind: 'skipped', reason: `${acquired.holder} holds its lease until ${new Date(acquired.expiresAt).toISOString()}` };
    }
    let lease = acquired.lease;
    this.former = lease;
    let position = acquired.position;
    const unsaved: Unsaved = { handled: 0, skipped: 0 };
    const save = async (checkpoint: FeedCheckpoint) => {
      lease = await this.keep(lease);
      position = await this.save(lease, position, checkpoint, unsaved);
    };
    try {
      if (acquired.rebuilding) {
        // Only a rebuild (ProjectionManager.rebuild, or the CLI's) may call reset() and replay: it takes the lease itself.
        logger.warn(`Projection ${this.label}: a rebuild was cut short after moving its checkpoint back; the function leaves it to the rebuild run again.`);
        return { kind: 'skipped', reason: 'a rebuild was cut short' };
      }
      // Other holders (app instances, the CLI) may have parked or retried events since this container's last invocation.
      await this.parking.load({ parkedCount: acquired.parkedCount });
      if (acquired.retryRequest !== undefined) {
        // The CLI's `projection retry-parked` found the lease held (by an earlier invocation, or an instance) and waits for an answer.
        const handlers = this.retryHandlers(() => lease, (renewed) => (lease = renewed));
        const readEvent = this.context.readParked(this.definition.name);
        const retry = await this.parking.answerRetryRequest(() => lease, acquired.retryRequest, handlers, readEvent, deadlineSignal(stopBy));
        unsaved.handled += retry.handled;
      }
      if (positionCoveredBy(position.checkpoint) >= upTo) {
        if (unsaved.handled > 0) await save(position.checkpoint);
        return { kind: 'reached', position: positionCoveredBy(position.checkpoint) };
      }
      const { pageSize, streamPrefix, maxAttempts } = this.definition;
      const read = this.context.reader.pages(
        { from: position.checkpoint, pageSize, eventTypes: this.handlers.eventTypes, streamPrefix },
        { streams: this.accepts, upTo, tolerateUndecodable: true },
      );
      const pages = this.telemetry.tracePages(SpanName.feedPage, undefined, read, (page) => page.events.length);
      for await (const page of pages) {
        let last: FeedEvent | undefined;
        // Keeps what was handled and parked before `event`: a redelivery starts there.
        const stopAt = async () => {
          const at = last?.checkpoint ?? (unsaved.handled + unsaved.skipped > 0 ? position.checkpoint : undefined);
          if (at !== undefined) await save(at);
          return positionCoveredBy(position.checkpoint);
        };
        for (const event of page.events) {
          if (stopBy !== undefined && Date.now() >= stopBy) {
            const reached = await stopAt();
            logger.warn(`Projection ${this.label}: the invocation's time is running out; it stops at index position ${reached}, and the rest is delivered again.`);
            return { kind: 'out-of-time', position: reached };
          }
          lease = await this.keep(lease);
          let failure: Error | undefined;
          if (this.parking.holdsBack(event)) {
            // Parked already, or behind a parked event of its stream ('wait'): parked (again), not handled.
            failure = await this.park(() => lease, event, undefined, 0, 'waiting', unsaved);
          } else {
            const outcome = await this.handle(event, stopBy);
            if (outcome.kind === 'handled') unsaved.handled++;
            else if (outcome.kind === 'failed') failure = outcome.error;
            else failure = await this.park(() => lease, event, outcome.error, maxAttempts, 'failed', unsaved);
          }
          if (failure !== undefined) return this.failed(await stopAt(), failure);
          last = event;
        }
        if (page.checkpoint !== position.checkpoint || unsaved.handled + unsaved.skipped > 0) await save(page.checkpoint);
      }
      return { kind: 'reached', position: positionCoveredBy(position.checkpoint) };
    } catch (error) {
      // What was saved stands (also when the lease is lost since: the next holder goes on from it).
      return this.failed(positionCoveredBy(position.checkpoint), error);
    } finally {
      await store.release(key, lease).catch((error: unknown) => logger.warn(`Projection ${this.label}: releasing the lease failed (it lapses): ${String(error)}`));
    }
  }

  /**
   * Calls the event's handler, again after a backoff while it fails, up to `attemptsPerInvocation`
   * calls, or until the projection's `maxAttempts` is reached (counted across the container's
   * invocations: the event is then given up, to be parked), or until a backoff would end after `stopBy`.
   */
  private async handle(event: FeedEvent, stopBy: number | undefined): Promise<EventOutcome> {
    for (let call = 1; ; call++) {
      try {
        const gaveUp = await this.telemetry.trace(
          SpanName.projectionHandle,
          () => handlerAttributes(this.definition.name, event),
          () => this.handlers.handle(event),
          handlerOutcomeAttributes,
        );
        return gaveUp === undefined ? HANDLED : { kind: 'given-up', error: gaveUp };
      } catch (error) {
        if (!(error instanceof ProjectionHandlerError)) throw error;
        const delay = this.context.retryDelayMs * 2 ** (call - 1);
        if (call >= this.context.attemptsPerInvocation || (stopBy !== undefined && Date.now() + delay >= stopBy)) return { kind: 'failed', error };
        await sleep(delay);
      }
    }
  }

  /**
   * Parks the event (fenced by the lease) and counts it; resolves to the error when parking failed:
   * the event is then reported for redelivery, and parked once its calls failed `maxAttempts` times again.
   * @throws ProjectionLeaseLostError (nothing more can be saved under this lease)
   */
  private async park(lease: () => ProjectionLease, event: FeedEvent, error: Error | undefined, attempts: number, reason: ParkReason, unsaved: Unsaved): Promise<Error | undefined> {
    try {
      await this.parking.park(lease, event, error, attempts, reason);
      unsaved.skipped++;
      return undefined;
    } catch (parkError) {
      if (parkError instanceof ProjectionLeaseLostError) throw parkError;
      const failure = parkError instanceof Error ? parkError : new Error(String(parkError));
      if (error !== undefined) this.context.logger.error(`Projection ${this.label}: parking ${event.eventType} (stream "${event.streamId}", version ${event.version}) failed: ${failure.message}`);
      return failure;
    }
  }

  /** The handlers as a retry of parked events calls them: the lease renewed before each call (a retry may take long). */
  private retryHandlers(lease: () => ProjectionLease, renewed: (lease: ProjectionLease) => void): RetryHandlers {
    return {
      callOnce: async (event) => {
        renewed(await this.keep(lease()));
        return this.handlers.callOnce(event);
      },
    };
  }

  private async save(lease: ProjectionLease, from: ProjectionPosition, checkpoint: FeedCheckpoint, unsaved: Unsaved): Promise<ProjectionPosition> {
    const position = { checkpoint, eventsHandled: from.eventsHandled + unsaved.handled, eventsSkipped: from.eventsSkipped + unsaved.skipped };
    await this.context.store.save(this.spec.key, lease, position);
    unsaved.handled = 0;
    unsaved.skipped = 0;
    return position;
  }

  /**
   * The lease, renewed once a third of its TTL has gone by (a long page, a slow handler).
   * @throws ProjectionLeaseLostError when it expired or passed to another holder.
   */
  private async keep(lease: ProjectionLease): Promise<ProjectionLease> {
    const ttl = this.definition.leaseTtlMs;
    const now = Date.now();
    if (now >= lease.expiresAt) throw new ProjectionLeaseLostError(this.spec.key, 'handling (the lease expired before it could be renewed)');
    if (lease.expiresAt - now > (ttl * 2) / 3) return lease;
    return { ...lease, expiresAt: await this.context.store.renew(this.spec.key, lease, ttl) };
  }

  private failed(position: number, error: unknown): PartitionOutcome {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.context.logger.error(`Projection ${this.label} stopped at index position ${position} in this invocation: ${failure.message}`, failure.stack);
    return { kind: 'failed', position, error: failure };
  }
}

/** A signal that fires at `stopBy` (a retry of parked events then stops between events); undefined without a limit. */
function deadlineSignal(stopBy: number | undefined): AbortSignal | undefined {
  return stopBy === undefined ? undefined : AbortSignal.timeout(Math.max(0, stopBy - Date.now()));
}

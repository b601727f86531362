import type { Logger } from '@nestjs/common';
import { ProjectionHandlerError } from '../errors/projection-handler.error.js';
import { ProjectionLeaseLostError } from '../errors/projection-lease-lost.error.js';
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

/** What partitions of a function share: the readers and stores of its runtime, and how it retries. */
export interface LambdaPartitionContext {
  readonly reader: FeedReader;
  readonly store: ProjectionStore;
  readonly logger: Logger;
  /** A lease owner id, new for each acquisition. */
  readonly newOwner: () => string;
  /** Handler calls for one event within one invocation before the invocation gives up on it (reports it for redelivery). */
  readonly attemptsPerInvocation: number;
  /** Wait before the second call of a failing event, doubling for each next one. */
  readonly retryDelayMs: number;
}

/** How far one partition got in an invocation. */
export type PartitionOutcome =
  /** Everything up to `position` is handled (at least the invocation's last position when it completed). */
  | { readonly kind: 'reached'; readonly position: number }
  /** Not run here now (another live holder runs it, or a rebuild holds it): it does not hold the records back. */
  | { readonly kind: 'skipped'; readonly reason: string }
  /** Handled up to `position` (-1: not even the stored checkpoint is known), then stopped by `error`. */
  | { readonly kind: 'failed'; readonly position: number; readonly error: Error };

/** The index position everything up to which a checkpoint covers: a checkpoint inside a commit covers only the commits before it. */
export function positionCoveredBy(checkpoint: FeedCheckpoint): number {
  const { position, version } = parseCheckpoint(checkpoint);
  return version === undefined ? position : position - 1;
}

/**
 * One partition of a projection (or of a function's event handlers) as a Lambda function runs it:
 * per invocation, it takes the partition's lease (the same item and checkpoint as the in-app
 * runner's), reads the feed from the stored checkpoint up to the invocation's last index position,
 * calls the handlers in feed order (retrying a failing event a few times with backoff), saves the
 * checkpoint after each page, fenced by the lease, and releases the lease. Lives as long as the
 * container, so that a failing event's attempts are counted across redeliveries to it.
 */
export class LambdaPartition {
  private readonly handlers: ProjectionHandlers;
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
    if (spec.count > 1) this.accepts = (streamId) => partitionOf(streamId, spec.count) === spec.index;
  }

  private get label(): string {
    return this.spec.count === 1 ? `"${this.definition.name}"` : `"${this.definition.name}" partition ${this.spec.index}/${this.spec.count}`;
  }

  /** Handles the partition's events up to index position `upTo`. Never throws: a failure is an outcome. */
  async run(upTo: number): Promise<PartitionOutcome> {
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
      return { kind: 'skipped', reason: `${acquired.holder} holds its lease until ${new Date(acquired.expiresAt).toISOString()}` };
    }
    let lease = acquired.lease;
    this.former = lease;
    let position = acquired.position;
    try {
      if (acquired.rebuilding) {
        // Only a rebuild (ProjectionManager.rebuild, or the CLI's) may call reset() and replay: it takes the lease itself.
        logger.warn(`Projection ${this.label}: a rebuild was cut short after moving its checkpoint back; the function leaves it to the rebuild run again.`);
        return { kind: 'skipped', reason: 'a rebuild was cut short' };
      }
      if (positionCoveredBy(position.checkpoint) >= upTo) return { kind: 'reached', position: positionCoveredBy(position.checkpoint) };
      const { pageSize, streamPrefix } = this.definition;
      const pages = this.context.reader.pages(
        { from: position.checkpoint, pageSize, eventTypes: this.handlers.eventTypes, streamPrefix },
        { streams: this.accepts, upTo, tolerateUndecodable: true },
      );
      for await (const page of pages) {
        let handled = 0;
        const skipped = 0; // parked events, once parking is wired in
        let last: FeedEvent | undefined;
        for (const event of page.events) {
          lease = await this.keep(lease);
          const outcome = await this.handle(event);
          if (outcome !== undefined) {
            // Keep what was handled: the redelivery starts after it.
            if (last !== undefined) position = await this.save(lease, position, last.checkpoint, handled, skipped);
            return this.failed(positionCoveredBy(position.checkpoint), outcome);
          }
          handled++;
          last = event;
        }
        if (page.checkpoint !== position.checkpoint) {
          lease = await this.keep(lease);
          position = await this.save(lease, position, page.checkpoint, handled, skipped);
        }
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
   * calls (or the projection's `maxAttempts`); resolves to the error when it still fails.
   */
  private async handle(event: FeedEvent): Promise<Error | undefined> {
    for (let call = 1; ; call++) {
      try {
        const gaveUp = await this.handlers.handle(event);
        // maxAttempts reached. TODO(parking): park it (PartitionParking) and go on; until then it is reported for redelivery.
        return gaveUp;
      } catch (error) {
        if (!(error instanceof ProjectionHandlerError)) throw error;
        if (call >= this.context.attemptsPerInvocation) return error;
        await sleep(this.context.retryDelayMs * 2 ** (call - 1));
      }
    }
  }

  private async save(lease: ProjectionLease, from: ProjectionPosition, checkpoint: FeedCheckpoint, handled: number, skipped: number): Promise<ProjectionPosition> {
    const position = { checkpoint, eventsHandled: from.eventsHandled + handled, eventsSkipped: from.eventsSkipped + skipped };
    await this.context.store.save(this.spec.key, lease, position);
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

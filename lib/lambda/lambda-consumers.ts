import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { ProjectionPartitionsChangedError } from '../errors/projection-partitions-changed.error.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { EventStreamTable } from '../event-store/event-stream-table.js';
import { createFeedReader } from '../feed/feed-reader.js';
import type { DynamoDBRecord } from '../feed/indexer/stream-records.js';
import { partitionSpecs } from '../projections/partitions/partition-keys.js';
import { ProjectionMetaStore } from '../projections/partitions/projection-meta-store.js';
import type { ProjectionDefinition } from '../projections/projection-definitions.js';
import { ProjectionStore } from '../projections/projection-store.js';
import { parkedEventSource } from '../projections/parking/parked-event-reader.js';
import { ParkedEventStore } from '../projections/parking/parked-event-store.js';
import type { EventClass } from '../serialization/event-type-registry.js';
import { batchItemFailuresAfter, type BatchItemFailuresResponse, type IndexBatchRecord } from './index-batch-records.js';
import { LAMBDA_OWNER_PREFIX, LambdaPartition, type LambdaPartitionContext, type PartitionOutcome, type PartitionRun } from './lambda-partition.js';

/** Something a function runs over the feed: a projection, or the app's event handlers under a name of their own. */
export interface LambdaConsumer {
  readonly definition: ProjectionDefinition;
  readonly instance: object;
}

/** How a function retries failing events within one invocation. */
export interface LambdaRetrySettings {
  readonly attemptsPerInvocation: number;
  readonly retryDelayMs: number;
}

/**
 * The consumers of one function (built once per container): per invocation, runs every partition
 * of every consumer up to the invocation's last index position, concurrently across partitions,
 * and turns how far they got into the partial batch response.
 */
export class LambdaConsumers {
  private readonly partitions: Array<{ readonly consumer: LambdaConsumer; readonly partitions: LambdaPartition[] }>;
  private readonly meta: ProjectionMetaStore;
  private readonly logger = new Logger('DynamoEventSourcing');
  /** This container, as a member of partitioned projections' meta items (never live: it holds leases only while an invocation runs). */
  private readonly member: string;

  constructor(runtime: EventSourcingRuntime, consumers: readonly LambdaConsumer[], retry: LambdaRetrySettings) {
    const { client, options } = runtime;
    const container = `${LAMBDA_OWNER_PREFIX}${process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local'}:${randomBytes(4).toString('hex')}`;
    let acquisitions = 0;
    const events = new EventStreamTable(client, options.eventsTable, options.retry);
    const context: LambdaPartitionContext = {
      reader: createFeedReader(runtime),
      store: new ProjectionStore(client, options.projectionsTable, options.retry),
      logger: this.logger,
      parked: new ParkedEventStore(client, options.projectionsTable, options.retry),
      readParked: (projection) => parkedEventSource(events, runtime.registry, projection),
      newOwner: () => `${container}:${++acquisitions}`,
      telemetry: runtime.telemetry,
      ...retry,
    };
    this.member = container;
    this.meta = new ProjectionMetaStore(client, options.projectionsTable, options.retry);
    this.partitions = consumers.map((consumer) => {
      const handledTypes = handledTypesOf(runtime, consumer.definition);
      return {
        consumer,
        partitions: partitionSpecs(consumer.definition.name, consumer.definition.partitions).map(
          (spec) => new LambdaPartition(consumer.definition, consumer.instance, handledTypes, spec, context),
        ),
      };
    });
  }

  /**
   * Runs everything up to the last position of `batches` (records of `records`), starting no
   * handler call after `stopBy` (epoch ms, when the invocation's time runs out); resolves to the
   * partial batch response.
   */
  async consume(records: readonly DynamoDBRecord[], batches: readonly IndexBatchRecord[], stopBy?: number): Promise<BatchItemFailuresResponse> {
    const run: PartitionRun = { upTo: Math.max(...batches.map((batch) => batch.lastPosition)), stopBy };
    const outcomes = await Promise.all(this.partitions.map(({ consumer, partitions }) => this.runConsumer(consumer, partitions, run)));
    let reached = Number.POSITIVE_INFINITY;
    for (const outcome of outcomes.flat()) {
      if (outcome.kind !== 'skipped') reached = Math.min(reached, outcome.position);
    }
    return batchItemFailuresAfter(records, batches, reached);
  }

  private async runConsumer(consumer: LambdaConsumer, partitions: readonly LambdaPartition[], run: PartitionRun): Promise<PartitionOutcome[]> {
    const { name, partitions: count } = consumer.definition;
    if (count > 1) {
      let reason: string | undefined;
      try {
        reason = await this.checkMeta(name, count);
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.logger.error(`Projection "${name}" does not run in this invocation: ${failure.message}`, failure.stack);
        return [{ kind: 'failed', position: -1, error: failure }];
      }
      if (reason !== undefined) return [{ kind: 'skipped', reason }];
    }
    // `concurrency` partitions at a time (all, by default), as an app instance would handle them.
    const outcomes: PartitionOutcome[] = new Array(partitions.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < partitions.length) {
        const at = next++;
        outcomes[at] = await partitions[at]!.run(run);
      }
    };
    await Promise.all(Array.from({ length: Math.min(consumer.definition.concurrency, partitions.length) }, lane));
    return outcomes;
  }

  /**
   * The meta item of a partitioned projection: created (with its partition count) when the function
   * runs it first; a reason to leave it alone now while a rebuild holds it.
   * @throws ProjectionPartitionsChangedError when its checkpoints were made with another partition count.
   */
  private async checkMeta(name: string, count: number): Promise<string | undefined> {
    let meta = await this.meta.read(name);
    if (meta === undefined) {
      // Created with this member already lapsed (expiry 0): a function is no member that instances share partitions with.
      const created = await this.meta.heartbeat(name, count, this.member, 0, []);
      if (!created.ok) throw new ProjectionPartitionsChangedError(name, created.partitionsStored, count);
      meta = created.meta;
    }
    if (meta.partitions !== count) throw new ProjectionPartitionsChangedError(name, meta.partitions, count);
    if (meta.rebuildBy !== undefined && meta.rebuildUntil >= Date.now()) return `a rebuild by ${meta.rebuildBy} holds it`;
    if (meta.rebuilding) return 'a rebuild was cut short';
    return undefined;
  }
}

/** The stored type name of each event class the consumer handles. @throws InvalidModuleOptionsError for an unregistered class. */
function handledTypesOf(runtime: EventSourcingRuntime, definition: ProjectionDefinition): Map<EventClass, string> {
  const types = new Map<EventClass, string>();
  for (const { method, events } of definition.handlers) {
    for (const event of events) {
      const registered = runtime.registry.findClass(event);
      if (registered === undefined) {
        throw new InvalidModuleOptionsError(
          `${definition.type.name}.${String(method)}`,
          `handles class ${event.name}, which has no stable type name: decorate it with @EventType('<name>') (or list it as { name, type } in the \`events\` of forRoot()).`,
        );
      }
      types.set(event, registered.name);
    }
  }
  return types;
}

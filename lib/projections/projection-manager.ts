import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type Type } from '@nestjs/common';
import { EVENT_SOURCING_RUNTIME } from '../dynamo-event-sourcing.constants.js';
import { describeValue } from '../errors/describe-value.js';
import { FeedDisabledError } from '../errors/feed-disabled.error.js';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { UnknownProjectionError } from '../errors/unknown-projection.error.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { createFeedReader } from '../feed/feed-reader.js';
import type { EventClass } from '../serialization/event-type-registry.js';
import { projectionsTableDefinition } from '../tables/projections-table.js';
import { provisionTable } from '../tables/table-provisioner.js';
import type { ProjectionStatus } from './interfaces/projection-status.interface.js';
import type { RebuildOptions } from './interfaces/rebuild-options.interface.js';
import type { RebuildProgress } from './interfaces/rebuild-progress.interface.js';
import type { RegisteredProjection } from './projection-registry.js';
import { ProjectionRunner } from './projection-runner.js';
import { ProjectionStore } from './projection-store.js';
import { CoalescedHeadPolls } from './coalesced-head-polls.js';
import { EventStreamTable } from '../event-store/event-stream-table.js';
import { parkedEventSource } from './parking/parked-event-reader.js';
import { ParkedEventStore } from './parking/parked-event-store.js';
import { retryProjectionParkedEvents } from './parking/retry-projection-parked-events.js';
import type { RetryParkedOptions, RetryParkedResult } from './parking/retry-parked-events.js';
import { ProjectionExplorer } from './projection-explorer.js';
import { ProjectionHandlers } from './projection-handlers.js';
import { PartitionCoordinator } from './partitions/partition-coordinator.js';
import { partitionSpecs } from './partitions/partition-keys.js';
import { PartitionedProjection } from './partitions/partitioned-projection.js';
import { PartitionSlots } from './partitions/partition-slots.js';
import { ProjectionMetaStore } from './partitions/projection-meta-store.js';
import { assertRebuildOptions } from './assert-rebuild-options.js';

/** A projection as this instance runs it: one runner, or partitions shared with other instances. */
type RunningProjection = ProjectionRunner | PartitionedProjection;

/** A projection as the manager's methods take it: its class, or the name given to `@Projection`. */
export type ProjectionRef = Type<object> | string;

/**
 * Runs the app's projections (the `@Projection` classes listed in its modules' `providers`):
 * starts them when the app has bootstrapped (unless `projections: { autoStart: false }`), stops them
 * and releases their leases on shutdown. Of all instances of the app, one at a time runs a given
 * projection (the one holding its lease; the others stand by and take over if it goes away), or,
 * for a partitioned one, each partition: the instances share them out, at most a fair share each.
 *
 * ```ts
 * const progress = await projections.rebuild(BalancesProjection, {
 *   onProgress: (p) => console.log(`${Math.round(p.fraction * 100)}%, ${p.eventsHandled} events`),
 * });
 * projections.status('balances'); // { name: 'balances', state: 'live', checkpoint, eventsHandled }
 * ```
 */
@Injectable()
export class ProjectionManager implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DynamoEventSourcing');
  private runners?: Map<string, RunningProjection>;
  private ready?: Promise<Map<string, RunningProjection>>;
  /** Stops feeding the projection lag gauges (OpenTelemetry). */
  private unobserveLag?: () => void;

  constructor(
    @Inject(EVENT_SOURCING_RUNTIME) private readonly runtime: EventSourcingRuntime,
    private readonly explorer: ProjectionExplorer,
  ) {}

  /** Checks the projections, sets their table up and, with `autoStart`, starts them. */
  async onApplicationBootstrap(): Promise<void> {
    const runners = await this.prepare();
    this.unobserveLag = this.runtime.telemetry?.observeProjections(() => this.statuses());
    if (this.runtime.options.projections.autoStart) await Promise.all([...runners.values()].map((runner) => runner.start()));
  }

  /** Here rather than at a later shutdown hook: the module destroys its DynamoDB client in its own onModuleDestroy, after its providers'. */
  async onModuleDestroy(): Promise<void> {
    this.unobserveLag?.();
    await this.stop();
  }

  /**
   * The projection's state in this app instance.
   * @throws UnknownProjectionError
   */
  status(projection: ProjectionRef): ProjectionStatus {
    return this.runnerOf(projection).status();
  }

  /** The state of every projection of the app, in registration order. */
  statuses(): ProjectionStatus[] {
    return [...this.runnersOrCreate().values()].map((runner) => runner.status());
  }

  /**
   * Starts one projection, or all: each stands by until it gets its lease, then catches up and
   * follows. Starting a running projection does nothing. Each projection's start(), stop() and
   * rebuild() take effect in the order they were called, each once the previous ones are done;
   * this resolves once the projections have started (not once they hold their leases).
   * @throws UnknownProjectionError
   */
  async start(projection?: ProjectionRef): Promise<void> {
    const selected = projection === undefined ? undefined : this.runnerOf(projection);
    const runners = projection === undefined ? [...this.runnersOrCreate().values()] : [selected!];
    // Queued now, in call order (a stop() called right after must come after it), to run once the table is set up.
    const ready = this.prepare();
    await Promise.all(runners.map((runner) => runner.start(ready)));
  }

  /**
   * Stops one projection, or all: a rebuild in progress ends (queued ones are dropped), the handler
   * being called finishes, the checkpoint is saved as far as it got, and the lease is released so
   * that another instance takes over at once.
   * @throws UnknownProjectionError
   */
  async stop(projection?: ProjectionRef): Promise<void> {
    const selected = projection === undefined ? [...(this.runners?.values() ?? [])] : [this.runnerOf(projection)];
    await Promise.all(selected.map((runner) => runner.stop()));
  }

  /**
   * Rebuilds a projection: takes its lease (this instance must be able to: the projection runs
   * here, or nowhere), sets its checkpoint back to the start of the feed with a `rebuilding` flag,
   * calls its `reset()`, and replays every event up to the feed index's head as it finds it,
   * calling `onProgress` after each page (progress is measured in commits of the index).
   * Then it follows new commits if it was started here (and not stopped since), and otherwise
   * releases the lease. Resolves to the final progress (`fraction` 1). A rebuild called while
   * another runs (or a start/stop is in progress) waits for it.
   *
   * Crash-safe: if the checkpoint cannot be moved back, nothing is reset; if `reset()` fails or the
   * process dies before the replay's first save, the flag makes whichever instance holds the lease
   * next call `reset()` again before reading, so `reset()` must be idempotent.
   *
   * @throws UnknownProjectionError; InvalidArgumentError for bad options.
   * @throws ProjectionNotResettableError when the class has no `reset()` (nothing changed).
   * @throws ProjectionLeaseHeldError when another live instance runs it (nothing changed).
   * @throws RetriesExhaustedError (or another DynamoDB error) when the checkpoint could not be moved
   *   back: nothing was reset, and the projection goes on from its checkpoint as before.
   * @throws whatever `reset()` threw: the projection is flagged and resets again before it reads on.
   * @throws ProjectionHandlerError when a handler failed: the projection has been reset, and goes on
   *   from its last saved checkpoint once running (with backoff).
   * @throws ProjectionStoppedError, ProjectionLeaseLostError when stopped or taken over meanwhile
   *   (`started: false`: stopped before it began, nothing changed).
   */
  async rebuild(projection: ProjectionRef, options: RebuildOptions = {}): Promise<RebuildProgress> {
    assertRebuildOptions(options);
    // Queued now, in call order, to run once the table is set up.
    return this.runnerOf(projection).rebuild(options, this.prepare());
  }

  /**
   * Retries the projection's parked events (see `@Projection` option `maxAttempts`), partition by
   * partition, in feed order, with this app's handlers: a partition whose lease is free is retried
   * here (taking the lease for the time of it); one held by a live instance is asked to retry at its
   * next lease renewal, and this waits for its report (up to `options.timeoutMs`). Events whose
   * handler succeeds are un-parked; the others stay parked with the new error.
   * @throws UnknownProjectionError
   */
  async retryParked(projection: ProjectionRef, options: RetryParkedOptions = {}): Promise<RetryParkedResult> {
    this.runnerOf(projection);
    const registered = this.runtime.projections.byNameOrClass(projection)!;
    await this.prepare();
    const handlers = new ProjectionHandlers(registered.definition, registered.instance, this.handledTypes(registered), this.logger);
    return retryProjectionParkedEvents(this.runtime, registered.definition, handlers, this.logger, options);
  }

  private runnerOf(projection: ProjectionRef): RunningProjection {
    const runners = this.runnersOrCreate();
    const registered = this.runtime.projections.byNameOrClass(projection);
    const runner = registered === undefined ? undefined : runners.get(registered.definition.name);
    if (runner === undefined) {
      const what = typeof projection === 'function' ? `Class ${projection.name}` : `Projection ${describeValue(projection)}`;
      throw new UnknownProjectionError(what, [...runners.keys()]);
    }
    return runner;
  }

  /** The runners, and the projections table set up (once) when there are any. */
  private prepare(): Promise<Map<string, RunningProjection>> {
    this.ready ??= (async () => {
      const runners = this.runnersOrCreate();
      const { client, options } = this.runtime;
      if (runners.size > 0) await provisionTable(client, projectionsTableDefinition(options.projectionsTable), options.tableSetup);
      return runners;
    })();
    return this.ready;
  }

  /**
   * One runner per registered projection, built on first need (at bootstrap), when every feature
   * has registered its event classes: whatever is wrong with a projection fails start-up here.
   */
  private runnersOrCreate(): Map<string, RunningProjection> {
    if (this.runners !== undefined) return this.runners;
    this.explorer.explore();
    const registered = this.runtime.projections.all();
    const runners = new Map<string, RunningProjection>();
    if (registered.length > 0) {
      const { options, client } = this.runtime;
      if (options.feed === undefined) throw new FeedDisabledError();
      const taken = [options.eventsTable, options.snapshots === undefined ? undefined : options.snapshotsTable];
      if (taken.includes(options.projectionsTable)) {
        throw new InvalidModuleOptionsError('tables.projections', `names a table the module uses already ("${options.projectionsTable}"); projections need a table of their own.`);
      }
      const meta = new ProjectionMetaStore(client, options.projectionsTable, options.retry);
      const store = new ProjectionStore(client, options.projectionsTable, options.retry);
      const parked = new ParkedEventStore(client, options.projectionsTable, options.retry);
      const layout = { client, tableName: options.projectionsTable, store, meta, parked };
      const reader = createFeedReader(this.runtime);
      const events = new EventStreamTable(client, options.eventsTable, options.retry);
      const context = {
        layout,
        parked,
        readParked: (projection: string) => parkedEventSource(events, this.runtime.registry, projection),
        reader,
        polls: new CoalescedHeadPolls((checkpoint) => reader.hasNewer(checkpoint)),
        store,
        commits: this.runtime.commits,
        logger: this.logger,
        telemetry: this.runtime.telemetry,
      };
      for (const projection of registered) {
        const { definition, instance } = projection;
        const handledTypes = this.handledTypes(projection);
        if (definition.partitions === 1) {
          runners.set(definition.name, new ProjectionRunner(definition, instance, handledTypes, context));
          continue;
        }
        // The coordinator needs the runners, and each runner its policy from the coordinator.
        const partitionRunners: ProjectionRunner[] = [];
        const coordinator = new PartitionCoordinator(definition, partitionRunners, meta, context.store, this.logger, layout);
        const slots = definition.concurrency < definition.partitions ? new PartitionSlots(definition.concurrency) : undefined;
        for (const partition of partitionSpecs(definition.name, definition.partitions)) {
          partitionRunners.push(new ProjectionRunner(definition, instance, handledTypes, context, partition, coordinator.policyFor(partition.index), slots));
        }
        runners.set(definition.name, new PartitionedProjection(definition, instance, partitionRunners, coordinator, this.logger));
      }
    }
    this.runners = runners;
    return runners;
  }

  /** The stored type name of each event class the projection handles. @throws InvalidModuleOptionsError for an unregistered class. */
  private handledTypes({ definition }: RegisteredProjection): Map<EventClass, string> {
    const types = new Map<EventClass, string>();
    for (const { method, events } of definition.handlers) {
      for (const event of events) {
        const registered = this.runtime.registry.findClass(event);
        if (registered === undefined) {
          throw new InvalidModuleOptionsError(
            `projections (${definition.type.name}).${String(method)}`,
            `handles class ${event.name}, which has no stable type name: decorate it with @EventType('<name>') (or list it as { name, type } in the \`events\` of forRoot()).`,
          );
        }
        types.set(event, registered.name);
      }
    }
    return types;
  }
}

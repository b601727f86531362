import { Logger } from '@nestjs/common';
import type { IAggregateRoot } from '@nestjs/cqrs';
import { NO_STREAM } from '../event-store/expected-version.js';
import type { EventStore } from '../event-store/event-store.js';
import type { AppendResult } from '../event-store/interfaces/append-result.interface.js';
import type { AggregateRegistration } from './interfaces/aggregate-registration.interface.js';

/** What the repository needs of a snapshot store: the module's SnapshotRepository fits. */
export interface AggregateSnapshotStore {
  save(streamId: string, version: number, state: unknown, options: { revision: number }): Promise<unknown>;
  load(streamId: string, options?: { revision?: number }): Promise<{ version: number; revision: number; state: unknown } | undefined>;
}

export interface SaveAggregateOptions {
  /** Makes retrying the save safe; see `AppendOptions.commitId`. */
  commitId?: string;
  /** Metadata stored with the commit. */
  metadata?: Record<string, unknown>;
}

/** The stream version an aggregate was loaded or last saved at, and its newest snapshot's. */
interface Tracked {
  version: number;
  snapshotVersion: number;
}

const HISTORY_BATCH = 500;

/**
 * Loads and saves aggregates of one class (the stock @nestjs/cqrs `AggregateRoot`, or the
 * `WithAggregateRoot` mixin) as event streams. Inject it with `@InjectAggregateRepository(Type)`.
 *
 * The repository remembers, per aggregate instance, the version it was loaded at, and saves with
 * that as the expected version: a save racing another save of the same aggregate gets a
 * `ConcurrencyError` and writes nothing.
 */
export class AggregateRepository<TAggregate extends IAggregateRoot & object> {
  private readonly tracked = new WeakMap<TAggregate, Tracked>();
  private readonly logger = new Logger('DynamoEventSourcing');
  private readonly create: (id: string) => TAggregate;
  private readonly idOf: (aggregate: TAggregate) => string;
  private readonly snapshotRevision: number;

  constructor(
    private readonly registration: AggregateRegistration<TAggregate>,
    private readonly events: EventStore,
    private readonly snapshots?: AggregateSnapshotStore,
  ) {
    const type = registration.type as unknown as new (id: string) => TAggregate;
    this.create = registration.create ?? ((id) => new type(id));
    this.idOf = registration.idOf ?? ((aggregate) => (aggregate as unknown as { id: string }).id);
    this.snapshotRevision = registration.snapshots?.revision ?? 1;
  }

  /** The stream an aggregate's events are stored in. */
  streamIdOf(id: string): string {
    return `${this.registration.name}-${id}`;
  }

  /**
   * The aggregate with this id: its newest usable snapshot, then the events after it, through
   * `loadFromHistory`. Resolves to `null` when the aggregate has no events.
   */
  async load(id: string): Promise<TAggregate | null> {
    const streamId = this.streamIdOf(id);
    const snapshot = this.registration.snapshots && (await this.snapshots?.load(streamId, { revision: this.snapshotRevision }));
    const aggregate = snapshot ? this.fromSnapshot(id, snapshot.state as object) : this.create(id);
    let version = snapshot?.version ?? 0;
    let history: object[] = [];
    for await (const envelope of this.events.read(streamId, { fromVersion: version + 1 })) {
      history.push(envelope.event);
      version = envelope.version;
      if (history.length === HISTORY_BATCH) {
        aggregate.loadFromHistory(history);
        history = [];
      }
    }
    if (history.length > 0) aggregate.loadFromHistory(history);
    if (version === 0) return null;

    const tracked = { version, snapshotVersion: snapshot?.version ?? 0 };
    this.tracked.set(aggregate, tracked);
    await this.snapshotIfDue(aggregate, streamId, version, tracked);
    return aggregate;
  }

  /** The stream version this repository knows the aggregate at (0 for one never saved or loaded). */
  versionOf(aggregate: TAggregate): number {
    return this.tracked.get(aggregate)?.version ?? 0;
  }

  /**
   * Appends the aggregate's uncommitted events at the version it was loaded at, publishes them on
   * the EventBus, clears them, and takes a snapshot if the policy says so. With no uncommitted
   * events it writes nothing and resolves to `undefined`. Do not call `commit()` yourself: it would
   * publish and clear events that were never stored.
   *
   * @throws ConcurrencyError when another save got there first; nothing of this one is written and
   *   its events stay uncommitted (reload, re-apply the command, save again).
   */
  async save(aggregate: TAggregate, options: SaveAggregateOptions = {}): Promise<AppendResult | undefined> {
    const events = aggregate.getUncommittedEvents();
    if (events.length === 0) return undefined;
    const id = this.idOf(aggregate);
    const streamId = this.streamIdOf(id);
    const tracked = this.tracked.get(aggregate) ?? { version: 0, snapshotVersion: 0 };
    const result = await this.events.append(streamId, [...events], {
      expectedVersion: tracked.version === 0 ? NO_STREAM : tracked.version,
      commitId: options.commitId,
      metadata: options.metadata,
    });
    aggregate.uncommit();
    const previousVersion = tracked.version;
    tracked.version = result.version;
    this.tracked.set(aggregate, tracked);
    await this.snapshotIfDue(aggregate, streamId, previousVersion, tracked);
    return result;
  }

  private async snapshotIfDue(aggregate: TAggregate, streamId: string, previousVersion: number, tracked: Tracked): Promise<void> {
    const options = this.registration.snapshots;
    if (options === undefined || this.snapshots === undefined) return;
    const due = options.policy({ aggregate, version: tracked.version, previousVersion, snapshotVersion: tracked.snapshotVersion });
    if (!due) return;
    try {
      await this.snapshots.save(streamId, tracked.version, this.toSnapshot(aggregate), { revision: this.snapshotRevision });
      tracked.snapshotVersion = tracked.version;
    } catch (error) {
      // A snapshot only saves time on the next load: failing to write one must not fail the save.
      this.logger.warn(`Snapshot of ${streamId} at version ${tracked.version} failed: ${(error as Error).message}`);
    }
  }

  private toSnapshot(aggregate: TAggregate): object {
    return this.registration.snapshots?.toSnapshot?.(aggregate) ?? { ...aggregate };
  }

  private fromSnapshot(id: string, state: object): TAggregate {
    const custom = this.registration.snapshots?.fromSnapshot;
    return custom ? custom(id, state) : Object.assign(this.create(id), state);
  }
}

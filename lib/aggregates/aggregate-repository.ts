import { Logger } from '@nestjs/common';
import type { IEvent } from '@nestjs/cqrs';
import { NO_STREAM } from '../event-store/expected-version.js';
import { assertOptionsObject, describeArgument, isRevokedProxy } from '../event-store/argument-shape.js';
import type { EventStore } from '../event-store/event-store.js';
import type { AppendResult } from '../event-store/interfaces/append-result.interface.js';
import { describeValue } from '../errors/describe-value.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { SnapshotNotSerializableError } from '../errors/snapshot-not-serializable.error.js';
import { assertAggregateIdReadable } from './aggregate-registrations.js';
import type { AggregateRegistration } from './interfaces/aggregate-registration.interface.js';
import { aggregateAttributes, appendResultAttributes } from '../telemetry/operation-attributes.js';
import { SpanAttribute, SpanName } from '../telemetry/span-names.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { telemetryOf } from '../telemetry/telemetry-of.js';

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

/**
 * The members of @nestjs/cqrs's `AggregateRoot` the repository calls. Declared here because
 * @nestjs/cqrs 11 exports no `IAggregateRoot` type (12 does): this keeps the typings valid with both.
 */
export interface EventSourcedAggregate {
  getUncommittedEvents(): IEvent[];
  loadFromHistory(history: IEvent[]): void;
  uncommit(): void;
}

/** The stream an aggregate was loaded from or last saved to, its version there, and its newest snapshot's. */
interface Tracked {
  streamId: string;
  version: number;
  snapshotVersion: number;
}

const HISTORY_BATCH = 500;
const SAVE_OPTION_KEYS: ReadonlyArray<keyof SaveAggregateOptions> = ['commitId', 'metadata'];

/** The default snapshot state holds something that would not come back as it was. */
class SnapshotStateError extends Error {}

/**
 * The default snapshot state: the aggregate's own enumerable properties, without functions (such
 * as the `publish` that `EventPublisher.mergeObjectContext` adds). Only plain data comes back as it
 * was from JSON, so a Date, a Map or a value object is refused with a message saying what to do;
 * `#private` fields are not properties at all and need `toSnapshot`/`fromSnapshot` too.
 */
function plainState(aggregate: object, name: string): object {
  const state: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(aggregate)) {
    if (typeof value === 'function') continue;
    assertPlain(value, key, name);
    state[key] = value;
  }
  return state;
}

function assertPlain(value: unknown, path: string, name: string): void {
  if (value === null || typeof value !== 'object') return;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== Array.prototype && prototype !== null) {
    const kind = (value as object).constructor?.name ?? 'object';
    throw new SnapshotStateError(
      `the default snapshot state of "${name}" holds plain data only, but ${path} is a ${kind}; give snapshots.toSnapshot and fromSnapshot`,
    );
  }
  for (const [key, inner] of Object.entries(value)) assertPlain(inner, `${path}.${key}`, name);
}

/**
 * Loads and saves aggregates of one class (the stock @nestjs/cqrs `AggregateRoot`, or the
 * `WithAggregateRoot` mixin) as event streams. Inject it with `@InjectAggregateRepository(Type)`.
 *
 * The repository remembers, per aggregate instance, the version it was loaded at, and saves with
 * that as the expected version: a save racing another save of the same aggregate gets a
 * `ConcurrencyError` and writes nothing.
 */
export class AggregateRepository<TAggregate extends EventSourcedAggregate & object> {
  private readonly tracked = new WeakMap<TAggregate, Tracked>();
  private readonly logger = new Logger('DynamoEventSourcing');
  private readonly create: (id: string) => TAggregate;
  private readonly idOf: (aggregate: TAggregate) => string;
  private readonly snapshotRevision: number;
  /** Streams with a snapshot being written right now. */
  private readonly snapshotting = new Set<string>();
  /** Why snapshots of this aggregate cannot be taken with its state, once known. */
  private snapshotsUnusable?: string;
  private readonly telemetry: Telemetry;

  constructor(
    private readonly registration: AggregateRegistration<TAggregate>,
    private readonly events: EventStore,
    private readonly snapshots?: AggregateSnapshotStore,
  ) {
    const type = registration.type as unknown as new (id: string) => TAggregate;
    this.create = registration.create ?? ((id) => new type(id));
    this.idOf = registration.idOf ?? ((aggregate) => (aggregate as unknown as { id: string }).id);
    this.snapshotRevision = registration.snapshots?.revision ?? 1;
    this.telemetry = telemetryOf(events);
    assertAggregateIdReadable(registration, this.create);
  }

  /** The stream an aggregate's events are stored in. */
  streamIdOf(id: string): string {
    return `${this.registration.name}-${id}`;
  }

  /**
   * The aggregate with this id: its newest usable snapshot, then the events after it, through
   * `loadFromHistory`. Resolves to `null` when the aggregate has no events.
   * @throws InvalidArgumentError (`INVALID_AGGREGATE_ID`) for an id that is not a non-empty string; nothing is read.
   */
  async load(id: string): Promise<TAggregate | null> {
    if (typeof id !== 'string' || id.length === 0) {
      throw new InvalidArgumentError(
        EventStoreErrorCode.INVALID_AGGREGATE_ID,
        `The repository of ${this.typeName} (aggregate "${this.registration.name}") loads by id, a non-empty string; got ${describeValue(id)}. Nothing was read.`,
      );
    }
    const streamId = this.streamIdOf(id);
    return this.telemetry.trace(
      SpanName.aggregateLoad,
      () => aggregateAttributes(this.registration.name, streamId),
      () => this.loadStream(id, streamId),
      (aggregate) => ({ [SpanAttribute.lastVersion]: aggregate === null ? 0 : this.versionOf(aggregate) }),
    );
  }

  private async loadStream(id: string, streamId: string): Promise<TAggregate | null> {
    const snapshot = await this.usableSnapshot(id, streamId);
    const fromSnapshot = snapshot && (await this.replay(streamId, snapshot.aggregate, snapshot.version));
    const loaded = fromSnapshot ?? (await this.replay(streamId, this.create(id), 0))!;
    if (loaded.version === 0) return null;

    const tracked = { streamId, version: loaded.version, snapshotVersion: fromSnapshot ? snapshot!.version : 0 };
    this.tracked.set(loaded.aggregate, tracked);
    await this.snapshotIfDue(loaded.aggregate, streamId, loaded.version, tracked);
    return loaded.aggregate;
  }

  /** The newest snapshot of the current revision, restored; undefined (logged) when there is none or it cannot be used. */
  private async usableSnapshot(id: string, streamId: string): Promise<{ aggregate: TAggregate; version: number } | undefined> {
    if (this.registration.snapshots === undefined || this.snapshots === undefined) return undefined;
    try {
      const snapshot = await this.snapshots.load(streamId, { revision: this.snapshotRevision });
      return snapshot && { aggregate: this.fromSnapshot(id, snapshot.state as object), version: snapshot.version };
    } catch (error) {
      // A snapshot only saves time: when it cannot be read or restored, the events still can.
      this.logger.warn(`Snapshot of ${streamId} not used (${(error as Error).message}); rebuilding from events.`);
      return undefined;
    }
  }

  /**
   * Applies the events after `fromVersion` to `aggregate`. Starting from a snapshot, the read starts
   * at the snapshot's own version: if the stream has no such event, the snapshot is ahead of the
   * stream (a restored table, a removed stream) and unusable, and the result is undefined.
   */
  private async replay(streamId: string, aggregate: TAggregate, fromVersion: number): Promise<{ aggregate: TAggregate; version: number } | undefined> {
    let version = fromVersion;
    let history: object[] = [];
    // A version this process wrote or read is known to exist: then start right after it.
    const known = fromVersion > 0 && this.events.isKnownCommitEnd(streamId, fromVersion);
    let snapshotEventSeen = fromVersion === 0;
    let first = true;
    for await (const envelope of this.events.read(streamId, { fromVersion: known ? fromVersion + 1 : Math.max(fromVersion, 1) })) {
      if (first && fromVersion > 0) {
        // The snapshot's own event, or the one right after it (its own hidden by a truncation): nothing between is
        // missing. Anything later: the stream's retention hides events the snapshot does not hold.
        snapshotEventSeen = envelope.version === fromVersion || envelope.version === fromVersion + 1;
      }
      first = false;
      if (envelope.version === fromVersion) continue; // already part of the snapshot's state
      if (!snapshotEventSeen) break;
      history.push(envelope.event);
      version = envelope.version;
      if (history.length === HISTORY_BATCH) {
        aggregate.loadFromHistory(history);
        history = [];
      }
    }
    // No event at or after the snapshot: usable if it is the stream's head and nothing hides its version but a
    // truncation right after it; not after a deletion or a truncation past it, nor when the stream ends before it.
    if (first && fromVersion > 0) {
      const { firstKept, lastVersion } = await this.events.keptRange(streamId);
      snapshotEventSeen = firstKept <= fromVersion + 1 && lastVersion === fromVersion;
    }
    if (!snapshotEventSeen) {
      this.logger.warn(`Snapshot of ${streamId} at version ${fromVersion} is ahead of the stream or outside its retention; rebuilding from events.`);
      return undefined;
    }
    if (history.length > 0) aggregate.loadFromHistory(history);
    return { aggregate, version };
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
   * @throws InvalidArgumentError (`INVALID_AGGREGATE_ID`) when the id read from the aggregate (its
   *   `id`, or `idOf`) is not a non-empty string, or is not the one it was loaded or last saved
   *   under; nothing is written and its events stay uncommitted.
   */
  async save(aggregate: TAggregate, options: SaveAggregateOptions = {}): Promise<AppendResult | undefined> {
    this.assertAggregate(aggregate);
    assertOptionsObject(options, 'save options', SAVE_OPTION_KEYS, "{ commitId: 'deposit-42' }", (message) => new InvalidArgumentError(EventStoreErrorCode.INVALID_APPEND_OPTIONS, message));
    return this.telemetry.trace(SpanName.aggregateSave, () => aggregateAttributes(this.registration.name), () => this.saveChecked(aggregate, options), appendResultAttributes);
  }

  private async saveChecked(aggregate: TAggregate, options: SaveAggregateOptions): Promise<AppendResult | undefined> {
    const events = [...aggregate.getUncommittedEvents()];
    if (events.length === 0) return undefined;
    const streamId = this.streamIdOf(this.savedId(aggregate));
    const tracked = this.tracked.get(aggregate) ?? { streamId, version: 0, snapshotVersion: 0 };
    if (tracked.streamId !== streamId) {
      // Its version belongs to the other stream: writing at it here would misplace the events.
      throw new InvalidArgumentError(
        EventStoreErrorCode.INVALID_AGGREGATE_ID,
        `Cannot save this ${this.typeName}: it was loaded or last saved as stream "${tracked.streamId}", but its id now reads "${streamId}". ` +
          'An aggregate keeps its id; nothing was written.',
      );
    }
    const result = await this.events.append(streamId, [...events], {
      expectedVersion: tracked.version === 0 ? NO_STREAM : tracked.version,
      commitId: options.commitId,
      metadata: options.metadata,
    });
    const appliedMeanwhile = this.clearSaved(aggregate, events);
    const previousVersion = tracked.version;
    tracked.version = result.version;
    this.tracked.set(aggregate, tracked);
    // A state that includes events not stored yet must not become a snapshot at this version.
    if (!appliedMeanwhile) await this.snapshotIfDue(aggregate, streamId, previousVersion, tracked);
    return result;
  }

  /** Only an aggregate of this repository's class (or one it creates) can be saved: anything else would be saved by its id alone. */
  private assertAggregate(aggregate: TAggregate): void {
    const value: unknown = aggregate;
    const isAggregate =
      value !== null && typeof value === 'object' && !isRevokedProxy(value) && typeof (value as Partial<EventSourcedAggregate>).getUncommittedEvents === 'function';
    if (!isAggregate) {
      throw new InvalidArgumentError(
        EventStoreErrorCode.INVALID_EVENT,
        `Cannot save ${describeArgument(value)} with the repository of ${this.typeName}: it saves ${this.typeName} aggregates ` +
          '(with getUncommittedEvents(), as AggregateRoot has). Nothing was written.',
      );
    }
  }

  /** The id to save an aggregate under, refused unless a non-empty string (never `<name>-undefined`). */
  private savedId(aggregate: TAggregate): string {
    const id: unknown = this.idOf(aggregate);
    if (typeof id === 'string' && id.length > 0) return id;
    const where = this.registration.idOf === undefined ? 'its `id` property' : 'its registration\'s idOf';
    const fix =
      this.registration.idOf === undefined
        ? `Give ${this.typeName} an \`id\`, or its registration an idOf that returns its id: ` +
          `forFeature({ aggregates: [{ type: ${this.typeName}, name: '${this.registration.name}', idOf: (aggregate) => aggregate.accountId }] }) (with your id's property).`
        : 'Make idOf return the id as a non-empty string (an id set by an event is there only once that event is applied).';
    throw new InvalidArgumentError(
      EventStoreErrorCode.INVALID_AGGREGATE_ID,
      `Cannot save ${this.typeName} (aggregate "${this.registration.name}"): its id, read from ${where}, is ${describeValue(id)}. ${fix} ` +
        'Nothing was written; its events stay uncommitted.',
    );
  }

  private get typeName(): string {
    return this.registration.type.name || this.registration.name;
  }

  /**
   * Clears the events just stored, keeping any applied while the append was in flight (they go
   * with the next save). Returns whether there were such events.
   */
  private clearSaved(aggregate: TAggregate, saved: readonly object[]): boolean {
    const pending = aggregate.getUncommittedEvents(); // the stock AggregateRoot hands out its own array
    if (saved.every((event, i) => pending[i] === event)) pending.splice(0, saved.length);
    const left = aggregate.getUncommittedEvents();
    if (left[0] === saved[0]) {
      aggregate.uncommit(); // an implementation that hands out copies: clear it the only way it offers
      return false;
    }
    return left.length > 0;
  }

  private async snapshotIfDue(aggregate: TAggregate, streamId: string, previousVersion: number, tracked: Tracked): Promise<void> {
    const options = this.registration.snapshots;
    if (options === undefined || this.snapshots === undefined || this.snapshotsUnusable !== undefined) return;
    const due = options.policy({ aggregate, version: tracked.version, previousVersion, snapshotVersion: tracked.snapshotVersion });
    if (!due || this.snapshotting.has(streamId)) return; // concurrent loads of one aggregate write one snapshot, not one each
    this.snapshotting.add(streamId);
    try {
      await this.snapshots.save(streamId, tracked.version, this.toSnapshot(aggregate), { revision: this.snapshotRevision });
      tracked.snapshotVersion = tracked.version;
    } catch (error) {
      // A snapshot only saves time on the next load: failing to write one must not fail the save.
      if (error instanceof SnapshotNotSerializableError || error instanceof SnapshotStateError) {
        this.snapshotsUnusable = (error as Error).message; // the same state would fail every time: say it once
        this.logger.error(`Snapshots of ${this.registration.name} are off until restart: ${(error as Error).message}`);
      } else {
        this.logger.warn(`Snapshot of ${streamId} at version ${tracked.version} failed: ${(error as Error).message}`);
      }
    } finally {
      this.snapshotting.delete(streamId);
    }
  }

  private toSnapshot(aggregate: TAggregate): object {
    const custom = this.registration.snapshots?.toSnapshot;
    return custom ? custom(aggregate) : plainState(aggregate, this.registration.name);
  }

  private fromSnapshot(id: string, state: object): TAggregate {
    const custom = this.registration.snapshots?.fromSnapshot;
    // Defined, not assigned: a stored "__proto__" key stays a field instead of replacing the aggregate's prototype.
    return custom ? custom(id, state) : Object.defineProperties(this.create(id), Object.getOwnPropertyDescriptors(state));
  }
}

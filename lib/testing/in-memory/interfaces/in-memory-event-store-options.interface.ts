import type { EventBus } from '@nestjs/cqrs';
import type { LifecycleOptions } from '../../../lifecycle/interfaces/lifecycle-options.interface.js';
import type { EventRegistration } from '../../../serialization/event-type-registry.js';
import type { InMemorySnapshotRepository } from '../in-memory-snapshot-repository.js';
import type { InMemoryPersonalDataOptions } from './in-memory-personal-data-options.interface.js';

/** Options of `new InMemoryEventStore()`: those of `DynamoEventSourcingModule.forRoot()` that apply in memory. */
export interface InMemoryEventStoreOptions {
  /** Event classes: `@EventType`-decorated classes, or `{ name, type, revision?, aliases?, serializer?, upcasters? }`. */
  events?: EventRegistration[];
  /** Publish committed events on `eventBus` (when given). Default true; `append(..., { publish })` overrides it per call. */
  publishEvents?: boolean;
  /** `false` turns the feed off, as in `DynamoEventSourcingModule.forRoot()`: `replayAll$` then throws FeedDisabledError. */
  feed?: false | object;
  /** The @nestjs/cqrs EventBus to publish committed events on. Default: none (nothing is published). */
  eventBus?: Pick<EventBus, 'publishAll'>;
  /**
   * `clock`: Unix milliseconds now (default `Date.now`), as the module's `lifecycle.clock`: commits
   * are stamped by it and `maxAge` is measured by it, so a test moves it instead of waiting.
   */
  lifecycle?: Pick<LifecycleOptions, 'clock'>;
  /**
   * The snapshot repository whose snapshots of a stream a hard `deleteStream` deletes too
   * (`InMemoryEventSourcingModule` passes its own when the `snapshots` option is set). Default: none.
   */
  snapshotRepository?: Pick<InMemorySnapshotRepository, 'delete'>;
  /**
   * Crypto-shredding, as the module's `personalData` option (checked the same way), over a keys
   * table in memory (`store.personalDataKeys`); nothing is required: `personalData: {}` turns it on.
   * Without it, appends of events with `@PersonalData` fields are refused as in DynamoDB.
   */
  personalData?: InMemoryPersonalDataOptions;
}

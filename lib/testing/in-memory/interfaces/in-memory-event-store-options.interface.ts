import type { EventBus } from '@nestjs/cqrs';
import type { EventRegistration } from '../../../serialization/event-type-registry.js';

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
}

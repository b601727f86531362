export * from './dynamo-event-sourcing.module.js';
export { DynamoEventSourcingFeatureModule } from './dynamo-event-sourcing-feature.module.js';
export { AggregateRepository, type AggregateSnapshotStore, type SaveAggregateOptions } from './aggregates/aggregate-repository.js';
export { getAggregateRepositoryToken } from './aggregates/aggregate-repository.token.js';
export { InjectAggregateRepository } from './aggregates/inject-aggregate-repository.decorator.js';
export { everyNEvents, type SnapshotPolicy, type SnapshotPolicyContext } from './aggregates/snapshot-policy.js';
export type {
  AggregateClass,
  AggregateRegistration,
  AggregateSnapshotOptions,
  DynamoEventSourcingFeatureOptions,
} from './aggregates/interfaces/aggregate-registration.interface.js';
export type { DynamoEventSourcingModuleOptions } from './interfaces/dynamo-event-sourcing-module-options.interface.js';
export { EventStore } from './event-store/event-store.js';
export { handleInOrder } from './replay/handle-in-order.operator.js';
export type {
  ReplayOptions,
  ReplayHandlerOptions,
  ReplayResult,
  ReplayAllHandlerOptions,
  ReplayAllResult,
  EventTypeList,
  EventsOfTypes,
  ReplayedEvent,
} from './replay/interfaces/index.js';
export { FEED_START, type FeedCheckpoint } from './feed/feed-checkpoint.js';
export type { FeedEvent, FeedOptions, ReplayAllOptions } from './feed/interfaces/index.js';
export { StreamDeleted } from './lifecycle/stream-deleted.event.js';
export * from './lifecycle/interfaces/index.js';
export { StreamPurger, type PurgeOptions } from './lifecycle/stream-purger.js';
export { ANY, NO_STREAM, STREAM_EXISTS, type ExpectedVersion } from './event-store/expected-version.js';
export * from './event-store/interfaces/index.js';
export type { RetryOptions } from './event-store/retry-policy.js';
export { MAX_STREAM_ID_BYTES, MAX_COMMIT_ID_LENGTH, MAX_MESSAGE_ID_LENGTH, MAX_METADATA_BYTES } from './event-store/input-validation.js';
export * from './errors/index.js';
export * from './snapshots/index.js';
export * from './projections/index.js';
export { projectionsTableDefinition, ProjectionItemAttribute } from './tables/projections-table.js';
export { snapshotsTableDefinition, SnapshotItemAttribute, SNAPSHOTS_TTL_ATTRIBUTE } from './tables/snapshots-table.js';
export * from './personal-data/index.js';
export { personalDataKeysTableDefinition, PersonalDataKeyAttribute } from './tables/personal-data-keys-table.js';
export type { EventClass, EventRegistration, NamedEventRegistration } from './serialization/event-type-registry.js';
export { EventType } from './serialization/event-type.decorator.js';
export type {
  EventTypeOptions,
  EventSerializer,
  EventDeserializationContext,
  EventUpcaster,
  EventUpcasters,
  UpcastContext,
} from './serialization/interfaces/index.js';
export { EventMetadataContext } from './metadata/event-metadata-context.js';
export { WithCommandMetadata } from './metadata/with-command-metadata.decorator.js';
export { envelopeOf } from './metadata/envelope-of.js';
export { isEvent } from './metadata/is-event.js';
export type { EventMetadataScope, CorrelatedCommand } from './metadata/interfaces/index.js';
export { eventsTableDefinition, EventItemAttribute, FEED_INDEX, type EventsTableDefinitionOptions } from './tables/events-table.js';
export { itemSize, MAX_ITEM_BYTES, MAX_TRANSACTION_BYTES, MAX_TRANSACTION_ITEMS } from './tables/item-size.js';
export type { TableSetup } from './tables/table-setup.js';
export { FeedIndexerService } from './feed/indexer/feed-indexer.service.js';
export type { FeedIndexerStatus, FeedIndexerState } from './feed/indexer/feed-indexer.js';
export type { FeedIndexerOptions } from './feed/interfaces/feed-options.interface.js';
export { reconcileFeedIndex, type ReconcileOptions, type ReconcileReport } from './feed/indexer/feed-reconciler.js';
export { SpanName, SpanAttribute, MetricName, INSTRUMENTATION_SCOPE } from './telemetry/index.js';
export type { TelemetryOptions, TracerProviderLike, MeterProviderLike } from './telemetry/index.js';

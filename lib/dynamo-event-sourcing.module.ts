import { Inject, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { DynamoEventSourcingFeatureOptions } from './aggregates/interfaces/aggregate-registration.interface.js';
import { DynamoEventSourcingFeatureModule } from './dynamo-event-sourcing-feature.module.js';
import { EVENT_SOURCING_RUNTIME } from './dynamo-event-sourcing.constants.js';
import { DynamoEventSourcingConfigurableModule, DYNAMO_EVENT_SOURCING_OPTIONS } from './dynamo-event-sourcing.module-definition.js';
import { createEventSourcingRuntime, type EventSourcingRuntime } from './event-sourcing-runtime.js';
import { EventStore } from './event-store/event-store.js';
import type { DynamoEventSourcingModuleOptions } from './interfaces/dynamo-event-sourcing-module-options.interface.js';
import { FeedIndexerService } from './feed/indexer/feed-indexer.service.js';
import { ProjectionExplorer } from './projections/projection-explorer.js';
import { ProjectionManager } from './projections/projection-manager.js';
import { CommittedEventsPublisher } from './publishing/committed-events.publisher.js';
import { SnapshotRepository } from './snapshots/snapshot-repository.js';
import { StreamPurger } from './lifecycle/stream-purger.js';
import { unlinkPersonalData } from './personal-data/personal-data-links.js';

/**
 * Event sourcing on DynamoDB for Nest apps: provides the {@link EventStore}, the
 * {@link SnapshotRepository} and the {@link ProjectionManager}, which runs every `@Projection`
 * class listed in the app's providers; `forFeature()` adds aggregate repositories.
 *
 * ```ts
 * @Module({
 *   imports: [
 *     CqrsModule.forRoot(),
 *     DynamoEventSourcingModule.forRoot({ tableSetup: 'create' }),
 *   ],
 * })
 * export class AppModule {}
 * ```
 *
 * `forRootAsync({ imports, inject, useFactory | useClass | useExisting })` takes the same options
 * from a factory. Both accept `isGlobal` (default true).
 */
@Module({
  // DiscoveryService: @Projection classes are found among the app's providers.
  imports: [DiscoveryModule],
  providers: [
    {
      provide: EVENT_SOURCING_RUNTIME,
      useFactory: (options: DynamoEventSourcingModuleOptions) => createEventSourcingRuntime(options),
      inject: [DYNAMO_EVENT_SOURCING_OPTIONS],
    },
    CommittedEventsPublisher,
    EventStore,
    SnapshotRepository,
    StreamPurger,
    ProjectionExplorer,
    ProjectionManager,
    FeedIndexerService,
  ],
  exports: [EventStore, SnapshotRepository, StreamPurger, ProjectionManager, FeedIndexerService, EVENT_SOURCING_RUNTIME],
})
export class DynamoEventSourcingModule extends DynamoEventSourcingConfigurableModule implements OnModuleDestroy {
  constructor(@Inject(EVENT_SOURCING_RUNTIME) private readonly runtime: EventSourcingRuntime) {
    super();
  }

  /**
   * Provides an `AggregateRepository` per aggregate class (inject it with
   * `@InjectAggregateRepository(Type)`). Its `events` (event classes listed, rather than known by
   * their `@EventType` once loaded) and `projections` (rather than listed in `providers`, with their
   * dependencies in `imports`) are the 0.4 forms, still accepted. Needs `forRoot` or
   * `forRootAsync` imported once in the app (it is global by default); without it, start-up fails
   * with a `RootModuleMissingError` saying so.
   */
  static forFeature<const TAggregates extends readonly object[] = object[]>(options: DynamoEventSourcingFeatureOptions<TAggregates>): DynamicModule {
    return DynamoEventSourcingFeatureModule.register(options as DynamoEventSourcingFeatureOptions);
  }

  onModuleDestroy(): void {
    const { personalData, registry, client, options } = this.runtime;
    if (personalData !== undefined) {
      unlinkPersonalData(personalData, { registry, client, eventsTable: options.eventsTable });
      personalData.close();
    }
    if (this.runtime.ownsClient) this.runtime.client.destroy();
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { EVENT_SOURCING_RUNTIME } from '../../dynamo-event-sourcing.constants.js';
import { EventStore } from '../../event-store/event-store.js';
import { resolveModuleOptions } from '../../options/resolve-module-options.js';
import { SnapshotRepository } from '../../snapshots/snapshot-repository.js';
import { createInMemoryEventSourcingRuntime } from './in-memory-event-sourcing-runtime.js';
import { InMemoryEventStore } from './in-memory-event-store.js';
import { InMemorySnapshotRepository } from './in-memory-snapshot-repository.js';
import { withInMemoryPersonalData } from './in-memory-personal-data.js';
import type { InMemoryEventSourcingModuleOptions } from './interfaces/in-memory-event-sourcing-module-options.interface.js';

/**
 * `DynamoEventSourcingModule.forRoot()` for unit tests: the same providers, in memory. It provides
 * an {@link InMemoryEventStore} as the `EventStore` and an {@link InMemorySnapshotRepository} as the
 * `SnapshotRepository` (each also under its own class, to inspect), and what
 * `DynamoEventSourcingModule.forFeature()` needs, so that a feature module's aggregate repositories
 * and every provider injecting `EventStore` or `SnapshotRepository` work unchanged. Committed
 * events are published on the EventBus when `CqrsModule.forRoot()` is imported. Global by default.
 *
 * ```ts
 * const module = await Test.createTestingModule({
 *   imports: [
 *     CqrsModule.forRoot(),
 *     InMemoryEventSourcingModule.forRoot({ snapshots: {} }),
 *     AccountsModule, // imports DynamoEventSourcingModule.forFeature({ aggregates: [...] })
 *   ],
 * }).compile();
 * ```
 *
 * Not provided: the `ProjectionManager`. A `@Projection` class listed in `providers` is built like any
 * provider and never run (inject it and call its handlers); `forFeature({ projections })` fails at
 * start-up, naming the class (projections keep checkpoints and leases in DynamoDB). Each
 * `forRoot()` app starts empty.
 */
@Module({})
export class InMemoryEventSourcingModule {
  /** @throws InvalidModuleOptionsError (when the app starts) for options `DynamoEventSourcingModule` would refuse. */
  static forRoot(options: InMemoryEventSourcingModuleOptions = {}): DynamicModule {
    const { isGlobal = true, ...given } = options ?? {};
    // personalData completed once (a keys table name, a local key), so that the store and the runtime check the same options.
    const moduleOptions = withInMemoryPersonalData(given);
    return {
      module: InMemoryEventSourcingModule,
      global: isGlobal,
      providers: [
        {
          provide: InMemoryEventStore,
          useFactory: (snapshots: InMemorySnapshotRepository, eventBus?: EventBus) => {
            const { events, publishEvents, feed, personalData } = resolveModuleOptions(moduleOptions); // every option checked first, typos included
            return new InMemoryEventStore({
              events,
              publishEvents,
              eventBus,
              feed: feed === undefined ? false : {},
              lifecycle: { clock: moduleOptions.lifecycle?.clock },
              // A hard delete deletes the stream's snapshots too, as in DynamoDB.
              snapshotRepository: moduleOptions.snapshots ? snapshots : undefined,
              // The keys table's full name (tablePrefix included), for reports and errors.
              personalData: personalData && { ...moduleOptions.personalData, keysTable: personalData.keysTable },
            });
          },
          inject: [InMemorySnapshotRepository, { token: EventBus, optional: true }],
        },
        { provide: EventStore, useExisting: InMemoryEventStore },
        { provide: InMemorySnapshotRepository, useFactory: () => new InMemorySnapshotRepository(moduleOptions.snapshots ?? false) },
        { provide: SnapshotRepository, useExisting: InMemorySnapshotRepository },
        {
          provide: EVENT_SOURCING_RUNTIME,
          // The store's own registry: forFeature({ events }) registers into it.
          useFactory: (store: InMemoryEventStore) => createInMemoryEventSourcingRuntime(moduleOptions, store.registry, store.personalData),
          inject: [InMemoryEventStore],
        },
      ],
      exports: [EventStore, InMemoryEventStore, SnapshotRepository, InMemorySnapshotRepository, EVENT_SOURCING_RUNTIME],
    };
  }
}

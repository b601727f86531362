import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AggregateRepository } from './aggregates/aggregate-repository.js';
import { getAggregateRepositoryToken } from './aggregates/aggregate-repository.token.js';
import { assertAggregateRegistrations } from './aggregates/aggregate-registrations.js';
import type { DynamoEventSourcingFeatureOptions } from './aggregates/interfaces/aggregate-registration.interface.js';
import { EVENT_SOURCING_RUNTIME } from './dynamo-event-sourcing.constants.js';
import type { EventSourcingRuntime } from './event-sourcing-runtime.js';
import { InvalidModuleOptionsError } from './errors/invalid-module-options.error.js';
import { EventStore } from './event-store/event-store.js';
import { defineProjections } from './projections/projection-definitions.js';
import { SnapshotRepository } from './snapshots/snapshot-repository.js';

/** The module `DynamoEventSourcingModule.forFeature()` returns: aggregate repositories, more event classes, projections. */
@Module({})
export class DynamoEventSourcingFeatureModule {
  static register(options: DynamoEventSourcingFeatureOptions): DynamicModule {
    const aggregates = options.aggregates ?? [];
    assertAggregateRegistrations(aggregates);
    const events = options.events ?? [];
    const projections = defineProjections(options.projections ?? []);
    // Registers the feature's event classes before any repository of it can read or write.
    const registeredEvents = Symbol('nestjs-dynamo-es:feature-events');
    const providers: Provider[] = [
      {
        provide: registeredEvents,
        useFactory: (runtime: EventSourcingRuntime) => {
          for (const registration of events) runtime.registry.register(registration);
          return true;
        },
        inject: [EVENT_SOURCING_RUNTIME],
      },
      ...aggregates.map(
        (registration): Provider => ({
          provide: getAggregateRepositoryToken(registration.type),
          useFactory: (store: EventStore, snapshots: SnapshotRepository, runtime: EventSourcingRuntime) => {
            const holder = runtime.aggregateNames.get(registration.name);
            if (holder !== undefined && holder !== registration.type) {
              throw new InvalidModuleOptionsError(`aggregates (${registration.name}).name`, `"${registration.name}" is already the name of another aggregate class.`);
            }
            runtime.aggregateNames.set(registration.name, registration.type);
            if (registration.snapshots !== undefined && runtime.options.snapshots === undefined) {
              throw new InvalidModuleOptionsError(
                `aggregates (${registration.name}).snapshots`,
                'needs snapshots turned on in DynamoEventSourcingModule.forRoot(): add `snapshots: {}`.',
              );
            }
            return new AggregateRepository(registration as never, store, registration.snapshots ? snapshots : undefined);
          },
          inject: [EventStore, SnapshotRepository, EVENT_SOURCING_RUNTIME, registeredEvents],
        }),
      ),
    ];
    if (projections.length > 0) {
      // Nest builds the projection classes (with what they inject); the runtime's registry hands them to the ProjectionManager.
      providers.push(...projections.map((projection) => projection.type), {
        provide: Symbol('nestjs-dynamo-es:feature-projections'),
        useFactory: (runtime: EventSourcingRuntime, ...instances: object[]) => {
          projections.forEach((projection, index) => runtime.projections.register(projection, instances[index]!));
          return true;
        },
        inject: [EVENT_SOURCING_RUNTIME, ...projections.map((projection) => projection.type)],
      });
    }
    return {
      module: DynamoEventSourcingFeatureModule,
      imports: options.imports ?? [],
      providers,
      exports: [...aggregates.map((registration) => getAggregateRepositoryToken(registration.type)), ...projections.map((projection) => projection.type)],
    };
  }
}

import { Module, type DynamicModule, type InjectionToken, type Provider } from '@nestjs/common';
import { AggregateRepository } from './aggregates/aggregate-repository.js';
import { getAggregateRepositoryToken } from './aggregates/aggregate-repository.token.js';
import { assertAggregateRegistrations } from './aggregates/aggregate-registrations.js';
import type { DynamoEventSourcingFeatureOptions } from './aggregates/interfaces/aggregate-registration.interface.js';
import { EVENT_SOURCING_RUNTIME } from './dynamo-event-sourcing.constants.js';
import type { EventSourcingRuntime } from './event-sourcing-runtime.js';
import { InvalidModuleOptionsError } from './errors/invalid-module-options.error.js';
import { RootModuleMissingError } from './errors/root-module-missing.error.js';
import { EventStore } from './event-store/event-store.js';
import { assertFeatureOptions } from './options/resolve-feature-options.js';
import { defineProjections } from './projections/projection-definitions.js';
import { SnapshotRepository } from './snapshots/snapshot-repository.js';
import { SealedSnapshotStore } from './personal-data/sealed-snapshot-store.js';

/**
 * The root module's providers, injected as optional: when forRoot() is missing, the feature's first
 * factory says so (RootModuleMissingError), instead of Nest naming an unresolvable symbol.
 */
const fromRoot = (token: InjectionToken) => ({ token, optional: true });

/** The module `DynamoEventSourcingModule.forFeature()` returns: aggregate repositories, more event classes, projections. */
@Module({})
export class DynamoEventSourcingFeatureModule {
  static register(options: DynamoEventSourcingFeatureOptions): DynamicModule {
    assertFeatureOptions(options);
    const aggregates = options.aggregates ?? [];
    assertAggregateRegistrations(aggregates);
    const events = options.events ?? [];
    const projections = defineProjections(options.projections ?? []);
    const rootRuntime = (runtime: EventSourcingRuntime | undefined): EventSourcingRuntime => {
      if (runtime === undefined) throw new RootModuleMissingError(describeFeature(options));
      return runtime;
    };
    // Registers the feature's event classes before any repository of it can read or write.
    const registeredEvents = Symbol('nestjs-dynamo-es:feature-events');
    const providers: Provider[] = [
      {
        provide: registeredEvents,
        useFactory: (runtime?: EventSourcingRuntime) => {
          for (const registration of events) rootRuntime(runtime).registry.register(registration);
          return true;
        },
        inject: [fromRoot(EVENT_SOURCING_RUNTIME)],
      },
      ...aggregates.map(
        (registration): Provider => ({
          provide: getAggregateRepositoryToken(registration.type),
          useFactory: (store: EventStore, snapshots: SnapshotRepository, root?: EventSourcingRuntime) => {
            const runtime = rootRuntime(root);
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
            const subjectOf = registration.snapshots?.subject;
            // Crypto-shredding: the whole state sealed under the aggregate's data subject.
            const snapshotStore = subjectOf === undefined ? snapshots : new SealedSnapshotStore(snapshots, runtime.personalData, subjectOf as never, registration.name);
            return new AggregateRepository(registration as never, store, registration.snapshots ? snapshotStore : undefined);
          },
          inject: [fromRoot(EventStore), fromRoot(SnapshotRepository), fromRoot(EVENT_SOURCING_RUNTIME), registeredEvents],
        }),
      ),
    ];
    if (projections.length > 0) {
      // Nest builds the projection classes (with what they inject); the runtime's registry hands them to the ProjectionManager.
      providers.push(...projections.map((projection) => projection.type), {
        provide: Symbol('nestjs-dynamo-es:feature-projections'),
        useFactory: (runtime: EventSourcingRuntime | undefined, ...instances: object[]) => {
          projections.forEach((projection, index) => rootRuntime(runtime).projections.register(projection, instances[index]!));
          return true;
        },
        inject: [fromRoot(EVENT_SOURCING_RUNTIME), ...projections.map((projection) => projection.type)],
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

/** What a forFeature() registers, in a few words, for messages: `{ aggregates: [Account], projections: [Balances] }`. */
function describeFeature(options: DynamoEventSourcingFeatureOptions): string {
  const nameOf = (item: unknown): string => {
    const named = (item as { type?: unknown } | undefined)?.type ?? item; // a registration object, or the class itself
    return typeof named === 'function' && named.name !== '' ? named.name : '?';
  };
  const list = (label: string, items: readonly unknown[] | undefined) => (items?.length ? [`${label}: [${items.map(nameOf).join(', ')}]`] : []);
  const parts = [...list('aggregates', options.aggregates), ...list('projections', options.projections), ...list('events', options.events)];
  return parts.length === 0 ? '' : `{ ${parts.join(', ')} }`;
}

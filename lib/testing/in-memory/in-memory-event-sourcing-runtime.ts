import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidModuleOptionsError } from '../../errors/invalid-module-options.error.js';
import type { EventSourcingRuntime } from '../../event-sourcing-runtime.js';
import { CommitNotifier } from '../../feed/commit-notifier.js';
import type { DynamoEventSourcingModuleOptions } from '../../interfaces/dynamo-event-sourcing-module-options.interface.js';
import { resolveModuleOptions } from '../../options/resolve-module-options.js';
import type { ProjectionDefinition } from '../../projections/projection-definitions.js';
import { ProjectionRegistry } from '../../projections/projection-registry.js';
import type { EventTypeRegistry } from '../../serialization/event-type-registry.js';
import type { PersonalDataService } from '../../personal-data/personal-data-service.js';

/** Projections need the DynamoDB projections table (checkpoints, leases): refused at start-up, naming the class. */
class UnsupportedProjectionRegistry extends ProjectionRegistry {
  override register(definition: ProjectionDefinition): void {
    throw new InvalidModuleOptionsError(
      `projections (${definition.type.name})`,
      'is not run by InMemoryEventSourcingModule: projections keep their checkpoints and leases in DynamoDB. ' +
        "In a unit test, call the projection's handlers directly (with events from the in-memory store's replayAll$), " +
        'or run the app against DynamoDB Local (EmbeddedDynamoDb).',
    );
  }
}

/** Stands for the DynamoDB client that nothing in memory may use: any use says so, rather than failing on `undefined`. */
const NO_CLIENT = new Proxy(
  {},
  {
    get(_target, property) {
      if (typeof property === 'symbol' || property === 'then') return undefined;
      throw new Error(`InMemoryEventSourcingModule has no DynamoDB client (something asked for client.${property}); only the EventStore, the SnapshotRepository and aggregate repositories work in memory.`);
    },
  },
) as DynamoDBClient;

/**
 * The runtime `DynamoEventSourcingModule.forFeature()` reads (the event registry, aggregate names,
 * the `snapshots` option, crypto-shredding for sealed snapshots), for the in-memory module: the
 * options checked as the DynamoDB module checks them, the in-memory store's registry and
 * crypto-shredding, and no DynamoDB client.
 */
export function createInMemoryEventSourcingRuntime(options: DynamoEventSourcingModuleOptions, registry: EventTypeRegistry, personalData?: PersonalDataService): EventSourcingRuntime {
  return {
    client: NO_CLIENT,
    ownsClient: false,
    options: resolveModuleOptions(options),
    registry,
    aggregateNames: new Map(),
    commits: new CommitNotifier(),
    projections: new UnsupportedProjectionRegistry(),
    personalData,
  };
}

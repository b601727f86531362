import { Logger } from '@nestjs/common';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoEventSourcingModuleOptions } from './interfaces/dynamo-event-sourcing-module-options.interface.js';
import { resolveModuleOptions, type ResolvedModuleOptions } from './options/resolve-module-options.js';
import { CommitNotifier } from './feed/commit-notifier.js';
import { ProjectionRegistry } from './projections/projection-registry.js';
import { EventTypeRegistry } from './serialization/event-type-registry.js';
import { provisionSnapshotsTimeToLive } from './snapshots/snapshots-time-to-live.js';
import { eventsTableDefinition } from './tables/events-table.js';
import { snapshotsTableDefinition } from './tables/snapshots-table.js';
import { provisionTable } from './tables/table-provisioner.js';
import { createTelemetry } from './telemetry/create-telemetry.js';
import { linkPersonalData } from './personal-data/personal-data-links.js';
import { PersonalDataService } from './personal-data/personal-data-service.js';
import { personalDataKeysTableDefinition } from './tables/personal-data-keys-table.js';
import type { Telemetry } from './telemetry/telemetry.js';

/** What the module's providers share: one client, the checked options, the event registry. */
export interface EventSourcingRuntime {
  readonly client: DynamoDBClient;
  /** True when the module created the client, and so destroys it on shutdown. */
  readonly ownsClient: boolean;
  readonly options: ResolvedModuleOptions;
  readonly registry: EventTypeRegistry;
  /** Aggregate names taken by `forFeature` registrations, across all of them: stream ids must not collide. */
  readonly aggregateNames: Map<string, object>;
  /** Hears of every commit this process makes (for projections to read the feed early). */
  readonly commits: CommitNotifier;
  /** The app's projections (found among its providers), for the root module's ProjectionManager. */
  readonly projections: ProjectionRegistry;
  /** Spans and metrics (the no-op without `@opentelemetry/api` or with `telemetry: false`); absent in runtimes made by hand (the CLI's). */
  readonly telemetry?: Telemetry;
  /** Crypto-shredding, with the `personalData` option (linked to the registry, client and events table: see personal-data-links.ts). */
  readonly personalData?: PersonalDataService;
}

/** Checks the options, builds the client and readies the tables: everything that can fail at start-up fails here. */
export async function createEventSourcingRuntime(options: DynamoEventSourcingModuleOptions): Promise<EventSourcingRuntime> {
  const resolved = resolveModuleOptions(options);
  if (resolved.feed !== undefined && resolved.feed.ignored.length > 0) {
    new Logger('DynamoEventSourcing').warn(
      `feed.${resolved.feed.ignored.join(' and feed.')} belonged to 0.3's commit-time feed and are ignored: the feed is now built from the table's DynamoDB Stream (see CHANGELOG 0.4.0).`,
    );
  }
  const registry = new EventTypeRegistry(resolved.events);
  const ownsClient = resolved.client === undefined;
  const client = resolved.client ?? new DynamoDBClient(resolved.clientConfig);
  let telemetry: Telemetry;
  let personalData: PersonalDataService | undefined;
  try {
    await provisionTable(client, eventsTableDefinition(resolved.eventsTable, { feed: resolved.feed !== undefined }), resolved.tableSetup);
    // Only with the `snapshots` option: apps without snapshots need no snapshots table (nor the permissions for one).
    if (resolved.snapshots !== undefined) {
      await provisionTable(client, snapshotsTableDefinition(resolved.snapshotsTable), resolved.tableSetup);
      if (resolved.snapshots.ttlSeconds !== undefined) {
        await provisionSnapshotsTimeToLive(client, resolved.snapshotsTable, resolved.tableSetup);
      }
    }
    // Loads @opentelemetry/api now, if it is installed (a dynamic import): an app without it loads nothing.
    telemetry = await createTelemetry(resolved.telemetry, client);
    if (resolved.personalData !== undefined) {
      await provisionTable(client, personalDataKeysTableDefinition(resolved.personalData.keysTable), resolved.tableSetup);
      // Loads @aws-sdk/client-kms now, with KMS wrapping only.
      personalData = await PersonalDataService.create(resolved.personalData, client, resolved.retry, resolved.events);
      linkPersonalData(personalData, { registry, client, eventsTable: resolved.eventsTable });
    }
  } catch (error) {
    if (ownsClient) client.destroy();
    throw error;
  }
  return { client, ownsClient, options: resolved, registry, aggregateNames: new Map(), commits: new CommitNotifier(), projections: new ProjectionRegistry(), telemetry, personalData };
}

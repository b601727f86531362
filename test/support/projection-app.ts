import { DynamoDBClient, GetItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ModuleMetadata } from '@nestjs/common';
import { CqrsModule, EventBus } from '@nestjs/cqrs';
import { Test, type TestingModule, type TestingModuleBuilder } from '@nestjs/testing';
import { EVENT_SOURCING_RUNTIME } from '../../lib/dynamo-event-sourcing.constants.js';
import type { EventSourcingRuntime } from '../../lib/event-sourcing-runtime.js';
import { DynamoEventSourcingModule, EventStore, ProjectionManager, type DynamoEventSourcingModuleOptions } from '../../lib/index.js';
import { deleteTables, testClientConfig, uniqueTableName } from './dynamodb.js';
import { TEST_EVENTS } from './events.js';
import { RequestTap } from './fault-injection.js';

/** The tables app instances share: what makes them instances of one app. */
export interface ProjectionTables {
  readonly events: string;
  readonly projections: string;
}

export const projectionTables = (label: string): ProjectionTables => ({
  events: uniqueTableName(`${label}-ev`),
  projections: uniqueTableName(`${label}-pr`),
});

export const deleteProjectionTables = (tables: ProjectionTables): Promise<void> => deleteTables(tables.events, tables.projections);

export interface ProjectionAppOptions {
  /** `@Projection` classes, registered with forFeature. */
  projections?: Array<NonNullable<Parameters<typeof DynamoEventSourcingModule.forFeature>[0]['projections']>[number]>;
  /** Modules the feature's projections import (their recorders). */
  imports?: ModuleMetadata['imports'];
  /** Providers of the app's root module (event handlers, say). */
  providers?: ModuleMetadata['providers'];
  /** Module options; by default the module's feed (with its in-app indexer) and quick retries. */
  options?: Partial<DynamoEventSourcingModuleOptions>;
  /** Changes to the testing module before it compiles (provider overrides). */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/** One app instance: a Nest testing module on the shared tables, with a client of its own behind a RequestTap. */
export interface ProjectionApp {
  readonly module: TestingModule;
  readonly store: EventStore;
  readonly manager: ProjectionManager;
  readonly eventBus: EventBus;
  readonly runtime: EventSourcingRuntime;
  readonly client: DynamoDBClient;
  readonly tap: RequestTap;
  /** Closes the module (stopping its projections), then its client. */
  close(): Promise<void>;
}

export async function createProjectionApp(tables: ProjectionTables, app: ProjectionAppOptions = {}): Promise<ProjectionApp> {
  const client = new DynamoDBClient(testClientConfig());
  const tap = new RequestTap(client);
  let builder = Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({
        client,
        tableSetup: 'create',
        events: TEST_EVENTS,
        retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
        ...app.options,
        tables: { events: tables.events, projections: tables.projections },
      }),
      ...(app.projections === undefined ? [] : [DynamoEventSourcingModule.forFeature({ projections: app.projections, imports: app.imports })]),
    ],
    providers: app.providers ?? [],
  });
  if (app.override !== undefined) builder = app.override(builder);
  let module: TestingModule | undefined;
  try {
    module = await builder.compile();
    await module.init();
  } catch (error) {
    await module?.close().catch(() => undefined);
    client.destroy();
    throw error;
  }
  let closed = false;
  return {
    module,
    store: module.get(EventStore),
    manager: module.get(ProjectionManager),
    eventBus: module.get(EventBus),
    runtime: module.get<EventSourcingRuntime>(EVENT_SOURCING_RUNTIME),
    client,
    tap,
    async close() {
      if (closed) return;
      closed = true;
      await module.close();
      client.destroy();
    },
  };
}

/** The projection's item in the projections table, read straight from it (strongly consistent). */
export async function storedProjection(tables: ProjectionTables, name: string): Promise<Record<string, AttributeValue> | undefined> {
  const client = new DynamoDBClient(testClientConfig());
  try {
    const { Item } = await client.send(new GetItemCommand({ TableName: tables.projections, Key: { projection: { S: name } }, ConsistentRead: true }));
    return Item;
  } finally {
    client.destroy();
  }
}

/** Sets the stored lease expiry into the past: what the holder's lease looks like once it stalled past its TTL. */
export async function expireLease(tables: ProjectionTables, name: string): Promise<void> {
  const client = new DynamoDBClient(testClientConfig());
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tables.projections,
        Key: { projection: { S: name } },
        UpdateExpression: 'SET leaseExpiresAt = :past',
        ExpressionAttributeValues: { ':past': { N: '1' } },
      }),
    );
  } finally {
    client.destroy();
  }
}

/**
 * Resolves once `condition` holds, checking every few ms; rejects after `timeoutMs` saying what
 * was awaited. For effects of background work, which a test cannot await directly.
 */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

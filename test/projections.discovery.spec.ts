import { describe, expect, it, afterAll } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Injectable, Module, Scope } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { DynamoEventSourcingModule, EventStore, EventType, NO_STREAM, Projection, ProjectionHandler, ProjectionManager } from '../lib/index.js';
import { InMemoryEventSourcingModule } from '../lib/testing/index.js';
import { testClientConfig } from './support/dynamodb.js';
import { deleteProjectionTables, projectionTables, waitUntil, type ProjectionTables } from './support/projection-app.js';

// Declared here and listed nowhere: @EventType is all the registration they get.
@EventType('discovery.card-issued')
class CardIssued {
  constructor(readonly cardId: string) {}
}
@EventType('discovery.card-blocked')
class CardBlocked {
  constructor(
    readonly cardId: string,
    readonly reason: string,
  ) {}
}

/** The read model, a provider of the cards module that the projection injects. */
@Injectable()
class CardsTable {
  readonly rows = new Map<string, string>();
}

@Projection('discovery-cards', { pollIntervalMs: 20 })
class CardsProjection {
  constructor(private readonly table: CardsTable) {}

  @ProjectionHandler(CardIssued)
  issued(event: CardIssued): void {
    this.table.rows.set(event.cardId, 'issued');
  }

  @ProjectionHandler(CardBlocked)
  blocked(event: CardBlocked): void {
    this.table.rows.set(event.cardId, `blocked: ${event.reason}`);
  }
}

/** An ordinary feature module: the projection is one of its providers, like an @EventsHandler would be. */
@Module({ providers: [CardsTable, CardsProjection], exports: [CardsTable] })
class CardsModule {}

async function appWith(tables: ProjectionTables, ...modules: unknown[]) {
  const client = new DynamoDBClient(testClientConfig());
  const module = Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({ client, tableSetup: 'create', tables: { events: tables.events, projections: tables.projections } }),
      ...(modules as []),
    ],
  });
  return { client, module };
}

describe('projections listed in providers, event types known by @EventType alone', () => {
  const tables = projectionTables('discovery');
  afterAll(() => deleteProjectionTables(tables));

  it("finds a projection among a module's providers, injects that module's providers into it, and runs it", async () => {
    const { client, module } = await appWith(tables, CardsModule);
    const app = await module.compile();
    await app.init();
    try {
      const manager = app.get(ProjectionManager);
      expect(manager.statuses().map((status) => status.name)).toEqual(['discovery-cards']);
      const store = app.get(EventStore);
      // No `events` option anywhere: the decorated classes are appended and read by their @EventType names.
      await store.append('card-1', [new CardIssued('card-1')], { expectedVersion: NO_STREAM });
      await store.append('card-1', [new CardBlocked('card-1', 'lost')], { expectedVersion: 1 });
      const table = app.get(CardsTable);
      await waitUntil('the projection handled both events', () => table.rows.get('card-1') === 'blocked: lost');
      expect(manager.status(CardsProjection)).toMatchObject({ state: 'live', eventsHandled: 2 });
      const read = [];
      for await (const envelope of store.read('card-1')) read.push([envelope.eventType, envelope.event]);
      expect(read).toEqual([
        ['discovery.card-issued', new CardIssued('card-1')],
        ['discovery.card-blocked', new CardBlocked('card-1', 'lost')],
      ]);
    } finally {
      await app.close();
      client.destroy();
    }
  });

  it('finds the projections even when the ProjectionManager is asked for them before the modules are initialized', async () => {
    const { client, module } = await appWith(tables, CardsModule);
    const app = await module.compile(); // every provider built, no onModuleInit run yet
    try {
      expect(app.get(ProjectionManager).statuses().map((status) => status.name)).toEqual(['discovery-cards']);
      await app.init();
      expect(app.get(ProjectionManager).statuses().map((status) => status.name)).toEqual(['discovery-cards']);
    } finally {
      await app.close();
      client.destroy();
    }
  });

  it('refuses at start-up a projection class listed in the providers of two modules, naming the fix', async () => {
    @Module({ providers: [CardsTable, CardsProjection] })
    class SecondCardsModule {}
    const { client, module } = await appWith(tables, CardsModule, SecondCardsModule);
    const app = await module.compile();
    try {
      await expect(app.init()).rejects.toThrow(/\(CardsProjection\)` is named "discovery-cards", which is already the name of the same class, listed in the providers of two modules/);
    } finally {
      await app.close();
      client.destroy();
    }
  });

  it('refuses at start-up a request-scoped projection: one checkpoint and lease need one instance', async () => {
    @Projection('discovery-scoped')
    class ScopedProjection {
      @ProjectionHandler(CardIssued)
      issued(): void {}
    }
    @Module({ providers: [{ provide: ScopedProjection, useClass: ScopedProjection, scope: Scope.REQUEST }] })
    class ScopedModule {}
    const { client, module } = await appWith(tables, ScopedModule);
    const app = await module.compile();
    try {
      await expect(app.init()).rejects.toThrow(/providers \(ScopedProjection\)` is a @Projection, which must be a singleton provider/);
    } finally {
      await app.close();
      client.destroy();
    }
  });

  it('checks a discovered projection as forFeature did: a handler of a class with no type name fails start-up', async () => {
    class Untyped {}
    @Projection('discovery-untyped')
    class UntypedProjection {
      @ProjectionHandler(Untyped)
      on(): void {}
    }
    @Module({ providers: [UntypedProjection] })
    class UntypedModule {}
    const { client, module } = await appWith(tables, UntypedModule);
    const app = await module.compile();
    try {
      await expect(app.init()).rejects.toThrow(/\(UntypedProjection\)\.on` handles class Untyped, which has no stable type name: decorate it with @EventType/);
    } finally {
      await app.close();
      client.destroy();
    }
  });

  it('under InMemoryEventSourcingModule, builds the projection like any provider and runs nothing', async () => {
    const app = await Test.createTestingModule({ imports: [CqrsModule.forRoot(), InMemoryEventSourcingModule.forRoot(), CardsModule] }).compile();
    await app.init();
    try {
      const projection = app.get(CardsProjection);
      projection.issued(new CardIssued('card-9')); // a unit test calls its handlers directly
      expect(app.get(CardsTable).rows.get('card-9')).toBe('issued');
      await app.get(EventStore).append('card-9', [new CardBlocked('card-9', 'stolen')], { expectedVersion: NO_STREAM });
      expect(app.get(CardsTable).rows.get('card-9')).toBe('issued');
    } finally {
      await app.close();
    }
  });
});

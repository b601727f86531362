'use strict';
/**
 * The save/load/replay round trip both packaging apps run against the packed nestjs-dynamo-es, with
 * a projection found among a module's providers, the Terminus health indicator and OpenTelemetry
 * spans. It is handed the packages as its app loaded them (require() or import) and loads nothing
 * itself, so each app exercises its own flavour of the package (and the package loads
 * `@opentelemetry/api` itself, as it does in an app). Plain JavaScript, so no compile step:
 * decorators are applied by calling them, as compiled TypeScript would.
 */
const within = require('./within.cjs');

module.exports = async function roundTrip({ common, core, cqrs, rxjs, es, health, terminus, tracing }, { clientConfig, tablePrefix, id }) {
  const { Inject, Injectable, Module } = common;
  const { NestFactory } = core;
  const { AggregateRoot, CqrsModule, EventsHandler } = cqrs;
  const { ConcurrencyError, DynamoEventSourcingModule, EventStore, EventType, NO_STREAM, Projection, ProjectionHandler, getAggregateRepositoryToken } = es;
  const { DynamoEventSourcingHealthIndicator, DynamoEventSourcingHealthModule } = health;
  const { HealthCheckService, TerminusModule } = terminus;
  const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = tracing;

  class AccountOpened {
    constructor(accountId, owner) {
      this.accountId = accountId;
      this.owner = owner;
    }
  }
  EventType('packaging.account-opened')(AccountOpened);

  class MoneyDeposited {
    constructor(accountId, amount) {
      this.accountId = accountId;
      this.amount = amount;
    }
  }
  EventType('packaging.money-deposited')(MoneyDeposited);

  // The stock @nestjs/cqrs AggregateRoot of the app's Nest version: its API is what the repository relies on.
  class Account extends AggregateRoot {
    constructor(accountId) {
      super();
      this.id = accountId;
      this.balance = 0;
    }
    open(owner) {
      this.apply(new AccountOpened(this.id, owner));
    }
    deposit(amount) {
      this.apply(new MoneyDeposited(this.id, amount));
    }
    onAccountOpened(event) {
      this.owner = event.owner;
    }
    onMoneyDeposited(event) {
      this.balance += event.amount;
    }
  }

  // Committed events reach @EventsHandlers through the EventBus (EventBus.publishAll of the app's Nest version).
  const published = [];
  let allPublished;
  const publishedThree = new Promise((resolve) => (allPublished = resolve));
  class DepositsHandler {
    handle(event) {
      published.push(event.amount);
      if (published.length === 3) allPublished();
    }
  }
  EventsHandler(MoneyDeposited)(DepositsHandler);

  // A read model's store, an ordinary provider of the ledger module; the projection gets it injected.
  class DepositLog {
    constructor() {
      this.entries = new Map(); // by stream and version: delivery is at least once
      this.threeHandled = new Promise((resolve) => (this.resolveThree = resolve));
    }
    record(event, envelope) {
      const { streamId, version, eventType } = envelope;
      this.entries.set(`${streamId}@${version}`, { streamId, version, type: eventType, instance: event.constructor.name, amount: event.amount });
      if (this.entries.size === 3) this.resolveThree();
    }
  }
  Injectable()(DepositLog);

  // A projection listed in its module's providers only (no forFeature): the module discovers and runs it.
  class DepositsProjection {
    constructor(log) {
      this.log = log;
    }
    onDeposit(event, envelope) {
      this.log.record(event, envelope);
    }
  }
  Inject(DepositLog)(DepositsProjection, undefined, 0); // as `constructor(private readonly log: DepositLog)` compiles
  ProjectionHandler(MoneyDeposited)(DepositsProjection.prototype, 'onDeposit', Object.getOwnPropertyDescriptor(DepositsProjection.prototype, 'onDeposit'));
  Projection('packaging-deposits')(DepositsProjection);

  class LedgerModule {}
  Module({ providers: [DepositLog, DepositsProjection] })(LedgerModule);

  // Spans in memory, from the provider handed to the module (not the global one).
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });

  class AppModule {}
  Module({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({ clientConfig, tablePrefix, tableSetup: 'create', events: [AccountOpened, MoneyDeposited], telemetry: { tracerProvider } }),
      DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Account, name: 'account' }] }),
      LedgerModule,
      TerminusModule,
      DynamoEventSourcingHealthModule,
    ],
    providers: [DepositsHandler],
  })(AppModule);

  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  try {
    const store = app.get(EventStore);
    const streamId = `ledger-${id}`;

    // Save: one atomic commit of two events, then one more.
    await store.append(streamId, [new AccountOpened(id, 'Ada'), new MoneyDeposited(id, 100)], { expectedVersion: NO_STREAM });
    const { version } = await store.append(streamId, [new MoneyDeposited(id, 20)], { expectedVersion: 2 });
    // A stale writer is refused with the error class the app itself loaded (one copy of the package).
    const staleWrite = await store.append(streamId, [new MoneyDeposited(id, 1)], { expectedVersion: 2 }).then(
      () => 'accepted',
      (error) => (error instanceof ConcurrencyError ? 'ConcurrencyError' : `${error}`),
    );

    // Load: the events come back as instances of their classes.
    const loaded = [];
    for await (const envelope of store.read(streamId)) {
      loaded.push({ version: envelope.version, type: envelope.eventType, instance: envelope.event.constructor.name, ...envelope.event });
    }

    // Replay: the cold Observable, two versions a page.
    const replayed = await rxjs.lastValueFrom(store.replay$(streamId, { pageSize: 2 }).pipe(rxjs.map((envelope) => envelope.version), rxjs.toArray()));

    // The aggregate repository: save an AggregateRoot's uncommitted events, load it back through loadFromHistory.
    const accounts = app.get(getAggregateRepositoryToken(Account));
    const account = new Account(id);
    account.open('Grace');
    account.deposit(40);
    await accounts.save(account);
    const reloaded = await accounts.load(id);

    // Each append's span ended before its promise settled (SimpleSpanProcessor exports a span as it ends).
    const appendSpans = spans.getFinishedSpans().filter((span) => span.name === 'nestjs-dynamo-es append');

    // Bounded waits for the deposits (100 and 20 appended, 40 saved) to reach the handler and the
    // projection, so that a miss fails, saying what arrived, instead of hanging.
    await within(publishedThree, 10_000, () => `The EventBus delivered only ${published}`);
    const log = app.get(DepositLog);
    await within(log.threeHandled, 30_000, () => `The projection handled only ${JSON.stringify([...log.entries.values()])}`);

    // Health through Terminus, as a /health endpoint would ask it; a down check answers 503 (thrown).
    const indicator = app.get(DynamoEventSourcingHealthIndicator);
    const healthCheck = app.get(HealthCheckService);
    const healthResult = await healthCheck.check([() => indicator.isHealthy('event-sourcing', { maxLagCommits: 100 })]).catch((error) => {
      if (typeof error?.getResponse === 'function') return error.getResponse();
      throw error;
    });

    return {
      saved: { version, staleWrite },
      loaded,
      replayed,
      aggregate: {
        instance: reloaded.constructor.name,
        owner: reloaded.owner,
        balance: reloaded.balance,
        version: accounts.versionOf(reloaded),
        uncommitted: reloaded.getUncommittedEvents().length,
      },
      published: [...published].sort((a, b) => a - b),
      projected: [...log.entries.values()].sort((a, b) => a.streamId.localeCompare(b.streamId) || a.version - b.version),
      health: healthResult,
      traced: {
        appends: appendSpans.map((span) => ({
          streamId: span.attributes['nestjs_dynamo_es.stream.id'],
          eventCount: span.attributes['nestjs_dynamo_es.event.count'],
          expectedVersion: span.attributes['nestjs_dynamo_es.expected_version'],
          error: span.attributes['error.type'] ?? null,
        })),
        spanNames: [...new Set(spans.getFinishedSpans().map((span) => span.name))].sort(),
      },
    };
  } finally {
    await app.close();
  }
};

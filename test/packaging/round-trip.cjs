'use strict';
/**
 * The save/load/replay round trip both packaging apps run against the packed nestjs-dynamo-es.
 * It is handed the packages as its app loaded them (require() or import) and loads nothing itself,
 * so each app exercises its own flavour of the package. Plain JavaScript, so no compile step:
 * decorators are applied by calling them, as compiled TypeScript would.
 */
module.exports = async function roundTrip({ common, core, cqrs, rxjs, es }, { clientConfig, tablePrefix, id }) {
  const { Module } = common;
  const { NestFactory } = core;
  const { AggregateRoot, CqrsModule, EventsHandler } = cqrs;
  const { ConcurrencyError, DynamoEventSourcingModule, EventStore, EventType, NO_STREAM, getAggregateRepositoryToken } = es;

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

  class AppModule {}
  Module({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({ clientConfig, tablePrefix, tableSetup: 'create', events: [AccountOpened, MoneyDeposited] }),
      DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Account, name: 'account' }] }),
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

    // Bounded wait for the deposits to reach the handler (100 and 20 appended, 40 saved), so a miss fails instead of hanging.
    let timer;
    const deadline = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`EventBus delivered only ${published}`)), 10_000)));
    await Promise.race([publishedThree, deadline]).finally(() => clearTimeout(timer));

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
    };
  } finally {
    await app.close();
  }
};

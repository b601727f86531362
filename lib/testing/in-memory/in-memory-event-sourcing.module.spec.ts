import { afterEach, describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module } from '@nestjs/common';
import { AggregateRoot, CqrsModule, EventBus, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  AggregateRepository,
  ConcurrencyError,
  DynamoEventSourcingModule,
  everyNEvents,
  EventStore,
  EventType,
  InjectAggregateRepository,
  InvalidModuleOptionsError,
  Projection,
  ProjectionHandler,
  SnapshotRepository,
  SnapshotsDisabledError,
} from '../../index.js';
import { InMemoryEventSourcingModule, InMemoryEventStore, InMemorySnapshotRepository } from '../index.js';

@EventType('in-memory-spec.account-opened')
class AccountOpened {
  constructor(
    readonly accountId: string,
    readonly owner: string,
  ) {}
}
@EventType('in-memory-spec.money-deposited')
class MoneyDeposited {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}
/** Registered by the feature module only. */
@EventType('in-memory-spec.money-withdrawn')
class MoneyWithdrawn {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

class Account extends AggregateRoot {
  owner = '';
  balance = 0;
  constructor(readonly id: string) {
    super();
  }
  open(owner: string): void {
    this.apply(new AccountOpened(this.id, owner));
  }
  deposit(amount: number): void {
    this.apply(new MoneyDeposited(this.id, amount));
  }
  withdraw(amount: number): void {
    this.apply(new MoneyWithdrawn(this.id, amount));
  }
  onAccountOpened(event: AccountOpened): void {
    this.owner = event.owner;
  }
  onMoneyDeposited(event: MoneyDeposited): void {
    this.balance += event.amount;
  }
  onMoneyWithdrawn(event: MoneyWithdrawn): void {
    this.balance -= event.amount;
  }
}

/** An app's service, written against DynamoDB's providers: it must not know it runs in memory. */
@Injectable()
class AccountsService {
  constructor(
    @InjectAggregateRepository(Account) readonly accounts: AggregateRepository<Account>,
    @Inject(EventStore) readonly events: EventStore,
  ) {}

  async open(id: string, owner: string): Promise<void> {
    const account = new Account(id);
    account.open(owner);
    await this.accounts.save(account);
  }

  async deposit(id: string, amount: number): Promise<number> {
    const account = (await this.accounts.load(id))!;
    account.deposit(amount);
    return (await this.accounts.save(account))!.version;
  }
}

@Module({
  imports: [
    DynamoEventSourcingModule.forFeature({
      aggregates: [{ type: Account, name: 'account', snapshots: { policy: everyNEvents(2) } }],
      events: [MoneyWithdrawn],
    }),
  ],
  providers: [AccountsService],
  exports: [AccountsService],
})
class AccountsModule {}

const published: object[] = [];
@EventsHandler(AccountOpened, MoneyDeposited, MoneyWithdrawn)
class PublishedEvents implements IEventHandler {
  handle(event: object): void {
    published.push(event);
  }
}

@Projection('in-memory-spec.balances')
class BalancesProjection {
  @ProjectionHandler(MoneyDeposited)
  deposited(): void {}
}

describe('InMemoryEventSourcingModule', () => {
  const apps: TestingModule[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    published.length = 0;
  });

  async function start(imports: Parameters<typeof Test.createTestingModule>[0]['imports'], providers: Array<new (...args: never[]) => object> = []) {
    const app = await Test.createTestingModule({ imports, providers }).compile();
    apps.push(app);
    await app.init();
    return app;
  }
  const bankApp = () =>
    start([CqrsModule.forRoot(), InMemoryEventSourcingModule.forRoot({ events: [AccountOpened, MoneyDeposited], snapshots: {} }), AccountsModule], [PublishedEvents]);

  it("runs a feature module's aggregate repository and services unchanged: load, save, snapshots, the EventBus", async () => {
    const app = await bankApp();
    const service = app.get(AccountsService);
    await service.open('1', 'ann');
    expect(await service.deposit('1', 30)).toBe(2);
    expect(await service.deposit('1', 12)).toBe(3);

    const account = (await service.accounts.load('1'))!;
    expect(account).toBeInstanceOf(Account);
    expect({ owner: account.owner, balance: account.balance }).toEqual({ owner: 'ann', balance: 42 });
    account.withdraw(2); // a class registered by forFeature({ events })
    expect((await service.accounts.save(account))!.version).toBe(4);
    expect((await service.accounts.load('1'))!.balance).toBe(40);

    // The snapshot policy ran against the in-memory SnapshotRepository (every 2 events: versions 2 and 4).
    const snapshot = await app.get(SnapshotRepository).load<{ balance: number }>('account-1');
    expect(snapshot).toMatchObject({ version: 4, revision: 1, state: { balance: 40, owner: 'ann' } });

    expect(published).toEqual([new AccountOpened('1', 'ann'), new MoneyDeposited('1', 30), new MoneyDeposited('1', 12), new MoneyWithdrawn('1', 2)]);
    const stored: object[] = [];
    for await (const { event } of app.get(EventStore).read('account-1')) stored.push(event);
    expect(stored).toEqual(published);
  });

  it("a hard deleteStream deletes the stream's snapshots too, as the DynamoDB store does", async () => {
    const app = await bankApp();
    const service = app.get(AccountsService);
    await service.open('1', 'ann');
    await service.deposit('1', 30); // a snapshot at version 2
    expect(await app.get(SnapshotRepository).load('account-1')).toMatchObject({ version: 2 });
    const report = await app.get(InMemoryEventStore).deleteStream('account-1', { expectedVersion: 2, mode: 'hard' });
    expect(report.actions).toContainEqual(expect.objectContaining({ what: 'snapshots-deleted', count: 1 }));
    expect(await app.get(SnapshotRepository).load('account-1')).toBeUndefined();
  });

  it('provides the in-memory store and repository as EventStore and SnapshotRepository', async () => {
    const app = await bankApp();
    expect(app.get(EventStore)).toBe(app.get(InMemoryEventStore));
    expect(app.get(EventStore)).toBeInstanceOf(InMemoryEventStore);
    expect(app.get(SnapshotRepository)).toBe(app.get(InMemorySnapshotRepository));
  });

  it('refuses a stale save with a ConcurrencyError, as with DynamoDB', async () => {
    const app = await bankApp();
    const { accounts } = app.get(AccountsService);
    await app.get(AccountsService).open('2', 'bob');
    const [first, second] = [(await accounts.load('2'))!, (await accounts.load('2'))!];
    first.deposit(1);
    second.deposit(2);
    await accounts.save(first);
    await expect(accounts.save(second)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(second.getUncommittedEvents()).toHaveLength(1);
    expect((await accounts.load('2'))!.balance).toBe(1);
  });

  it('starts each app empty', async () => {
    const first = await bankApp();
    await first.get(AccountsService).open('3', 'cy');
    const second = await bankApp();
    expect(await second.get(AccountsService).accounts.load('3')).toBeNull();
    expect(await second.get(SnapshotRepository).load('account-3')).toBeUndefined();
  });

  it('publishes nothing with publishEvents: false, and works without CqrsModule', async () => {
    const quiet = await start([CqrsModule.forRoot(), InMemoryEventSourcingModule.forRoot({ events: [AccountOpened], publishEvents: false })], [PublishedEvents]);
    await quiet.get(EventStore).append('q-1', [new AccountOpened('q', 'x')], { expectedVersion: 'no-stream' });
    // The bus delivers in order: had the append published anything, it would come before this marker.
    const marker = new MoneyDeposited('marker', 0);
    quiet.get(EventBus).publish(marker);
    expect(published).toEqual([marker]);
    const busless = await start([InMemoryEventSourcingModule.forRoot({ events: [AccountOpened] })]);
    expect((await busless.get(EventStore).append('q-1', [new AccountOpened('q', 'x')], { expectedVersion: 'no-stream' })).version).toBe(1);
  });

  it('accepts the options of DynamoEventSourcingModule.forRoot() as they are, and refuses what it refuses', async () => {
    await start([
      InMemoryEventSourcingModule.forRoot({
        clientConfig: { region: 'eu-west-1' },
        tableSetup: 'verify',
        tables: { events: 'prod-events' },
        feed: { indexer: false },
        events: [AccountOpened],
      }),
    ]);
    await expect(start([InMemoryEventSourcingModule.forRoot({ event: [AccountOpened] } as never)])).rejects.toThrow(/`event` is not an option/);
    await expect(start([InMemoryEventSourcingModule.forRoot({ events: [class Unnamed {}] })])).rejects.toThrow(InvalidModuleOptionsError);
    await expect(start([InMemoryEventSourcingModule.forRoot({ snapshots: { keep: 0 } })])).rejects.toThrow(/snapshots\.keep/);
  });

  it('without the snapshots option, refuses aggregate snapshots at start-up and SnapshotRepository calls, as the DynamoDB module does', async () => {
    await expect(start([InMemoryEventSourcingModule.forRoot({ events: [AccountOpened, MoneyDeposited] }), AccountsModule])).rejects.toThrow(
      /needs snapshots turned on/,
    );
    const app = await start([InMemoryEventSourcingModule.forRoot({ events: [AccountOpened] })]);
    await expect(app.get(SnapshotRepository).load('account-1')).rejects.toBeInstanceOf(SnapshotsDisabledError);
  });

  it('refuses projections at start-up, naming the class', async () => {
    const failure = start([
      InMemoryEventSourcingModule.forRoot({ events: [MoneyDeposited] }),
      DynamoEventSourcingModule.forFeature({ projections: [BalancesProjection] }),
    ]);
    await expect(failure).rejects.toBeInstanceOf(InvalidModuleOptionsError);
    await expect(failure).rejects.toThrow(/projections \(BalancesProjection\)` is not run by InMemoryEventSourcingModule/);
  });
});

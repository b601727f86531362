import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import {
  AggregateRoot,
  CommandHandler,
  CqrsModule,
  EventsHandler,
  ofType,
  Saga,
  WithAggregateRoot,
  type ICommandHandler,
  type IEventHandler,
} from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { map, type Observable } from 'rxjs';
import {
  AggregateRepository,
  ConcurrencyError,
  DynamoEventSourcingModule,
  everyNEvents,
  EventStore,
  getAggregateRepositoryToken,
  InjectAggregateRepository,
  SnapshotRepository,
  UnknownEventTypeError,
} from '../lib/index.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { collect } from './support/event-store-app.js';
import { ReceivedEvents } from './support/received-events.js';

class AccountOpened {
  constructor(readonly accountId: string, readonly owner: string) {}
}
class MoneyDeposited {
  constructor(readonly accountId: string, readonly amount: number) {}
}
class TransferRequested {
  constructor(readonly accountId: string, readonly toAccountId: string, readonly amount: number) {}
}
const EVENTS = [
  { name: 'agg.account-opened', type: AccountOpened },
  { name: 'agg.money-deposited', type: MoneyDeposited },
  { name: 'agg.transfer-requested', type: TransferRequested },
];

/** A plain @nestjs/cqrs aggregate: no base class of this library. */
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
  transfer(toAccountId: string, amount: number): void {
    this.apply(new TransferRequested(this.id, toAccountId, amount));
  }

  onAccountOpened(event: AccountOpened): void {
    this.owner = event.owner;
  }
  onMoneyDeposited(event: MoneyDeposited): void {
    this.balance += event.amount;
  }
  onTransferRequested(event: TransferRequested): void {
    this.balance -= event.amount;
  }
}

/** The v12 mixin on a class of the app's own hierarchy. */
class Entity {
  constructor(readonly id: string) {}
}
class Counter extends WithAggregateRoot(Entity) {
  count = 0;
  increment(): void {
    this.apply(new MoneyDeposited(this.id, 1));
  }
  onMoneyDeposited(): void {
    this.count++;
  }
}

class DepositCommand {
  constructor(readonly accountId: string, readonly amount: number) {}
}

@Injectable()
class TransferSaga {
  @Saga()
  transfers = (events$: Observable<object>): Observable<DepositCommand> =>
    events$.pipe(
      ofType(TransferRequested),
      map((event) => new DepositCommand(event.toAccountId, event.amount)),
    );
}

@CommandHandler(DepositCommand)
class DepositHandler implements ICommandHandler<DepositCommand> {
  constructor(@InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>) {}

  async execute({ accountId, amount }: DepositCommand): Promise<void> {
    const account = await this.accounts.load(accountId);
    if (account === null) throw new Error(`no account ${accountId}`);
    account.deposit(amount);
    await this.accounts.save(account);
  }
}

const deposited = new ReceivedEvents<MoneyDeposited>();
@EventsHandler(MoneyDeposited)
class DepositsHandler implements IEventHandler<MoneyDeposited> {
  handle(event: MoneyDeposited): void {
    deposited.add(event);
  }
}

describe('aggregate repositories', () => {
  const table = uniqueTableName('aggregates');
  let module: TestingModule;
  let accounts: AggregateRepository<Account>;
  let counters: AggregateRepository<Counter>;
  let store: EventStore;
  let ids = 0;
  const newId = () => `${Date.now().toString(36)}-${++ids}`;

  beforeAll(async () => {
    module = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'create', tables: { events: table } }),
        DynamoEventSourcingModule.forFeature({
          aggregates: [
            { type: Account, name: 'account' },
            { type: Counter, name: 'counter' },
          ],
          events: EVENTS,
        }),
      ],
      providers: [TransferSaga, DepositHandler, DepositsHandler],
    }).compile();
    await module.init();
    accounts = module.get(getAggregateRepositoryToken(Account));
    counters = module.get(getAggregateRepositoryToken(Counter));
    store = module.get(EventStore);
  });
  afterAll(async () => {
    await module.close();
    await deleteTables(table);
  });

  it('loads null for an aggregate that has no events', async () => {
    expect(await accounts.load('nobody')).toBeNull();
  });

  it('saves uncommitted events, clears them, and loads the aggregate back through loadFromHistory', async () => {
    const id = newId();
    const account = new Account(id);
    account.open('ann');
    account.deposit(30);
    const result = await accounts.save(account);
    expect(result?.version).toBe(2);
    expect(account.getUncommittedEvents()).toEqual([]);
    expect((await collect(store.read(`account-${id}`))).map((e) => e.event)).toEqual([new AccountOpened(id, 'ann'), new MoneyDeposited(id, 30)]);

    const loaded = (await accounts.load(id))!;
    expect(loaded).toBeInstanceOf(Account);
    expect({ owner: loaded.owner, balance: loaded.balance }).toEqual({ owner: 'ann', balance: 30 });
    expect(accounts.versionOf(loaded)).toBe(2);
    loaded.deposit(12);
    expect((await accounts.save(loaded))?.version).toBe(3);
    expect((await accounts.load(id))!.balance).toBe(42);
  });

  it('publishes saved events on the EventBus', async () => {
    const id = newId();
    const before = deposited.events.length;
    const account = new Account(id);
    account.open('bo');
    account.deposit(5);
    await accounts.save(account);
    await deposited.waitFor(before + 1);
    expect(deposited.events.slice(before)).toEqual([new MoneyDeposited(id, 5)]);
  });

  it('writes nothing when there is nothing to save', async () => {
    const id = newId();
    const account = new Account(id);
    account.open('cy');
    await accounts.save(account);
    expect(await accounts.save(account)).toBeUndefined();
    expect(await collect(store.read(`account-${id}`))).toHaveLength(1);
  });

  it('two saves racing on one aggregate: exactly one wins, the other writes nothing', async () => {
    const id = newId();
    const account = new Account(id);
    account.open('dee');
    await accounts.save(account);
    const [first, second] = [(await accounts.load(id))!, (await accounts.load(id))!];
    first.deposit(1);
    second.deposit(2);
    second.deposit(3);
    const outcomes = await Promise.allSettled([accounts.save(first), accounts.save(second)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const [failure] = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(failure!.reason).toBeInstanceOf(ConcurrencyError);
    const stored = (await collect(store.read(`account-${id}`))).map((e) => e.event);
    const winner = outcomes[0]!.status === 'fulfilled' ? [new MoneyDeposited(id, 1)] : [new MoneyDeposited(id, 2), new MoneyDeposited(id, 3)];
    expect(stored).toEqual([new AccountOpened(id, 'dee'), ...winner]);
    const loser = outcomes[0]!.status === 'fulfilled' ? second : first;
    expect(loser.getUncommittedEvents().length).toBeGreaterThan(0); // kept, for the caller to retry after a reload
  });

  it('keeps events applied while a save is in flight for the next save', async () => {
    const id = newId();
    const account = new Account(id);
    account.open('ida');
    const saving = accounts.save(account);
    account.deposit(5); // applied before the append has answered
    await saving;
    expect(account.getUncommittedEvents()).toEqual([new MoneyDeposited(id, 5)]);
    await accounts.save(account);
    expect((await collect(store.read(`account-${id}`))).map((e) => e.event)).toEqual([new AccountOpened(id, 'ida'), new MoneyDeposited(id, 5)]);
    expect((await accounts.load(id))!.balance).toBe(5);
  });

  it('refuses an aggregate name already given to another class in another forFeature', async () => {
    const start = Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'none', tables: { events: table } }),
        DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Account, name: 'account' }], events: EVENTS }),
        DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Counter, name: 'account' }] }),
      ],
    }).compile();
    await expect(start).rejects.toThrow(/"account" is already the name of another aggregate class/);
  });

  it('works with the WithAggregateRoot mixin', async () => {
    const id = newId();
    const counter = new Counter(id);
    counter.increment();
    counter.increment();
    await counters.save(counter);
    const loaded = (await counters.load(id))!;
    expect(loaded).toBeInstanceOf(Entity);
    expect(loaded.count).toBe(2);
  });

  it('a saga end to end: saving A publishes an event, the saga sends a command, its handler loads, changes and saves B', async () => {
    const [a, b] = [newId(), newId()];
    const from = new Account(a);
    from.open('eve');
    from.deposit(100);
    const to = new Account(b);
    to.open('fay');
    await Promise.all([accounts.save(from), accounts.save(to)]);
    const before = deposited.events.length;

    const reloaded = (await accounts.load(a))!;
    reloaded.transfer(b, 40);
    await accounts.save(reloaded);

    await deposited.waitFor(before + 1);
    expect(deposited.events.slice(before)).toEqual([new MoneyDeposited(b, 40)]);
    // The saga's command ran asynchronously: wait for B's stream rather than for time.
    const events = await collect(store.read(`account-${b}`));
    expect(events.map((e) => e.event)).toEqual([new AccountOpened(b, 'fay'), new MoneyDeposited(b, 40)]);
    expect((await accounts.load(b))!.balance).toBe(40);
    expect((await accounts.load(a))!.balance).toBe(60);
  });
});

describe('aggregate repositories with snapshots', () => {
  const events = uniqueTableName('aggregates-snap');
  const snapshotsTable = uniqueTableName('aggregates-snapshots');
  const modules: TestingModule[] = [];
  let ids = 0;
  const newId = () => `s-${Date.now().toString(36)}-${++ids}`;

  async function boot(revision: number) {
    const module = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({
          clientConfig: testClientConfig(),
          tableSetup: 'create',
          tables: { events, snapshots: snapshotsTable },
          snapshots: {},
        }),
        DynamoEventSourcingModule.forFeature({
          aggregates: [{ type: Account, name: 'account', snapshots: { policy: everyNEvents(5), revision } }],
          events: EVENTS,
        }),
      ],
    }).compile();
    await module.init();
    modules.push(module);
    return {
      accounts: module.get<AggregateRepository<Account>>(getAggregateRepositoryToken(Account)),
      snapshots: module.get(SnapshotRepository),
    };
  }

  afterAll(async () => {
    for (const module of modules) await module.close();
    await deleteTables(events, snapshotsTable);
  });

  it('takes a snapshot when a commit reaches or jumps over a multiple of n, and loads from it', async () => {
    const { accounts, snapshots } = await boot(1);
    const id = newId();
    const account = new Account(id);
    account.open('gus');
    account.deposit(1);
    account.deposit(2); // version 3: no snapshot yet
    await accounts.save(account);
    expect(await snapshots.load(`account-${id}`)).toBeUndefined();
    for (let i = 0; i < 7; i++) account.deposit(10); // one commit from 3 to 10, jumping over 5
    await accounts.save(account);
    const snapshot = await snapshots.load<{ balance: number; owner: string }>(`account-${id}`, { revision: 1 });
    expect(snapshot).toMatchObject({ version: 10, revision: 1, state: { balance: 73, owner: 'gus' } });

    // Prove that load starts from the snapshot: overwrite it with a state that events alone cannot give.
    await snapshots.save(`account-${id}`, 10, { ...snapshot!.state, balance: 1000 }, { revision: 1 });
    account.deposit(5);
    await accounts.save(account); // version 11
    const loaded = (await accounts.load(id))!;
    expect(loaded.balance).toBe(1005);
    expect(loaded.owner).toBe('gus');
    expect(accounts.versionOf(loaded)).toBe(11);
  });

  it('ignores a snapshot of another revision, rebuilds from events and takes a fresh snapshot', async () => {
    const first = await boot(1);
    const id = newId();
    const account = new Account(id);
    account.open('hal');
    for (let i = 0; i < 5; i++) account.deposit(1);
    await first.accounts.save(account); // version 6: snapshot of revision 1 at 6
    expect((await first.snapshots.load(`account-${id}`))?.revision).toBe(1);

    const second = await boot(2);
    const loaded = (await second.accounts.load(id))!;
    expect(loaded.balance).toBe(5);
    expect(await second.snapshots.load(`account-${id}`, { revision: 2 })).toMatchObject({ version: 6, state: { balance: 5 } });
  });

  it('ignores a snapshot that is ahead of the stream and rebuilds from events', async () => {
    const { accounts, snapshots } = await boot(1);
    const id = newId();
    const account = new Account(id);
    account.open('jo');
    account.deposit(7);
    await accounts.save(account); // version 2
    await snapshots.save(`account-${id}`, 50, { id, owner: 'ghost', balance: 999 }, { revision: 1 }); // as if the events table were restored from an older backup
    const loaded = (await accounts.load(id))!;
    expect({ owner: loaded.owner, balance: loaded.balance }).toEqual({ owner: 'jo', balance: 7 });
    expect(accounts.versionOf(loaded)).toBe(2);
    loaded.deposit(1);
    expect((await accounts.save(loaded))?.version).toBe(3);
  });

  it('does not take a default snapshot of state that JSON would not bring back (a Date), and says why once', async () => {
    class Dated extends AggregateRoot {
      openedAt = new Date(0);
      balance = 0;
      constructor(readonly id: string) {
        super();
      }
      deposit(amount: number): void {
        this.apply(new MoneyDeposited(this.id, amount));
      }
      onMoneyDeposited(event: MoneyDeposited): void {
        this.balance += event.amount;
      }
    }
    const module = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'verify', tables: { events, snapshots: snapshotsTable }, snapshots: {} }),
        DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Dated, name: 'dated', snapshots: { policy: everyNEvents(2) } }], events: EVENTS }),
      ],
    }).compile();
    await module.init();
    modules.push(module);
    const repository = module.get<AggregateRepository<Dated>>(getAggregateRepositoryToken(Dated));
    const errors: string[] = [];
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
    try {
      const id = newId();
      const dated = new Dated(id);
      dated.deposit(1);
      dated.deposit(2);
      await repository.save(dated); // version 2: due, but refused
      dated.deposit(3);
      dated.deposit(4);
      await repository.save(dated); // due again: not retried
      expect(await module.get(SnapshotRepository).load(`dated-${id}`)).toBeUndefined();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/openedAt is a Date; give snapshots.toSnapshot and fromSnapshot/);
      expect((await repository.load(id))!.balance).toBe(10);
    } finally {
      logged.mockRestore();
    }
  });

  it('refuses snapshot settings on an aggregate when snapshots are off, at start-up', async () => {
    const start = Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'none', tables: { events } }),
        DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Account, name: 'account', snapshots: { policy: everyNEvents(5) } }] }),
      ],
    }).compile();
    await expect(start).rejects.toThrow(/needs snapshots turned on/);
  });
});

describe('aggregate repositories with bad data', () => {
  const table = uniqueTableName('aggregates-bad');
  let module: TestingModule;

  afterAll(async () => {
    await module?.close();
    await deleteTables(table);
  });

  it('loading a stream that holds an event of an unregistered type fails with a typed error naming it', async () => {
    // Registered by name only: a decorated class would be known to every app of this process, as @EventType classes are.
    class Mystery {
      readonly note = 'x';
    }
    module = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'create', tables: { events: table }, events: [{ name: 'agg.unknown-later', type: Mystery }] }),
        DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Account, name: 'account' }], events: EVENTS }),
      ],
    }).compile();
    await module.init();
    const store = module.get(EventStore);
    await store.append('account-x', [new AccountOpened('x', 'ivy'), new Mystery()], { expectedVersion: 0 });

    const other = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'verify', tables: { events: table } }),
        DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Account, name: 'account' }], events: EVENTS }),
      ],
    }).compile();
    await other.init();
    try {
      const accounts = other.get<AggregateRepository<Account>>(getAggregateRepositoryToken(Account));
      await expect(accounts.load('x')).rejects.toBeInstanceOf(UnknownEventTypeError);
      await expect(accounts.load('x')).rejects.toThrow(/"agg.unknown-later" \(stream "account-x", version 2\)/);
    } finally {
      await other.close();
    }
  });
});

// Never run: the packaging test type-checks it, as a TypeScript CommonJS app on NestJS 11 would
// compile against the packed typings (the "require" types of both entry points).
import { Module } from '@nestjs/common';
import { AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import { AggregateRepository, DynamoEventSourcingModule, EventStore, EventType, InjectAggregateRepository, NO_STREAM, type EventEnvelope } from 'nestjs-dynamo-es';
import { localClientConfig } from 'nestjs-dynamo-es/testing';

@EventType('consumer.money-deposited')
export class MoneyDeposited {
  constructor(readonly amount: number) {}
}

export class Account extends AggregateRoot {
  constructor(readonly id: string) {
    super();
  }
}

export class Accounts {
  constructor(
    private readonly events: EventStore,
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  async deposit(id: string, amount: number): Promise<EventEnvelope<MoneyDeposited>[]> {
    await this.events.append(`ledger-${id}`, [new MoneyDeposited(amount)], { expectedVersion: NO_STREAM });
    const account = (await this.accounts.load(id)) ?? new Account(id);
    await this.accounts.save(account);
    const read: EventEnvelope<MoneyDeposited>[] = [];
    for await (const envelope of this.events.read<MoneyDeposited>(`ledger-${id}`)) read.push(envelope);
    return read;
  }
}

@Module({
  imports: [
    CqrsModule.forRoot(),
    DynamoEventSourcingModule.forRoot({ clientConfig: localClientConfig('http://127.0.0.1:8000'), events: [MoneyDeposited] }),
    DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Account, name: 'account' }] }),
  ],
  providers: [Accounts],
})
export class AppModule {}

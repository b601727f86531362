// Never run: the packaging test type-checks it, as a TypeScript CommonJS app on NestJS 11 would
// compile against the packed typings (the "require" types of its entry points).
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import { HealthCheck, HealthCheckService, TerminusModule, type HealthCheckResult } from '@nestjs/terminus';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import {
  AggregateRepository,
  DynamoEventSourcingModule,
  EventStore,
  EventType,
  InjectAggregateRepository,
  isEvent,
  NO_STREAM,
  Projection,
  ProjectionHandler,
  type EventEnvelope,
  type FeedEvent,
} from 'nestjs-dynamo-es';
import { DynamoEventSourcingHealthIndicator, DynamoEventSourcingHealthModule } from 'nestjs-dynamo-es/health';
import { localClientConfig } from 'nestjs-dynamo-es/testing';

@EventType('consumer.money-deposited')
export class MoneyDeposited {
  constructor(readonly amount: number) {}
}

@EventType('consumer.account-opened')
export class AccountOpened {
  constructor(readonly owner: string) {}
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

  /** isEvent narrows the whole envelope (read() hands out `EventEnvelope<object>`), not only its event. */
  async total(id: string): Promise<number> {
    let total = 0;
    for await (const envelope of this.events.read(`ledger-${id}`)) {
      if (isEvent(envelope, MoneyDeposited)) total += envelope.event.amount;
    }
    return total;
  }

  /** The promise-returning replay, typed by its eventTypes: each envelope holds a MoneyDeposited. */
  async deposits(id: string): Promise<{ amounts: number[]; eventsHandled: number }> {
    const amounts: number[] = [];
    const { eventsHandled } = await this.events.replay(`ledger-${id}`, (envelope) => amounts.push(envelope.event.amount), {
      pageSize: 100,
      eventTypes: [MoneyDeposited],
    });
    return { amounts, eventsHandled };
  }
}

@Injectable()
export class Balances {
  readonly byStream = new Map<string, number>();
}

/** A projection listed in a module's providers, its handler's parameters checked against @ProjectionHandler's class. */
@Projection('consumer-balances')
export class BalancesProjection {
  constructor(private readonly balances: Balances) {}

  @ProjectionHandler(MoneyDeposited)
  deposited(event: MoneyDeposited, envelope: FeedEvent<MoneyDeposited>): void {
    this.balances.byStream.set(envelope.streamId, (this.balances.byStream.get(envelope.streamId) ?? 0) + event.amount);
  }
}

/** Never listed: proves that the typings keep @ProjectionHandler's check of a method against its class. */
export class MistypedProjection {
  // @ts-expect-error: a handler of AccountOpened cannot be declared for MoneyDeposited
  @ProjectionHandler(MoneyDeposited)
  opened(event: AccountOpened): string {
    return event.owner;
  }
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventSourcing: DynamoEventSourcingHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.eventSourcing.isHealthy('event-sourcing', { maxLagMs: 5_000 })]);
  }
}

@Module({
  imports: [
    CqrsModule.forRoot(),
    DynamoEventSourcingModule.forRoot({
      clientConfig: localClientConfig('http://127.0.0.1:8000'),
      events: [MoneyDeposited],
      telemetry: { tracerProvider: new BasicTracerProvider() },
    }),
    DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Account, name: 'account' }] }),
    TerminusModule,
    DynamoEventSourcingHealthModule,
  ],
  controllers: [HealthController],
  providers: [Accounts, Balances, BalancesProjection],
})
export class AppModule {}

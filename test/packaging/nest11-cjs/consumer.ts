// Never run: the packaging test type-checks it, as a TypeScript CommonJS app on NestJS 11 would
// compile against the packed typings (the "require" types of its entry points).
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import { HealthCheck, HealthCheckService, TerminusModule, type HealthCheckResult } from '@nestjs/terminus';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import {
  AggregateRepository,
  ANY,
  DataSubject,
  DynamoEventSourcingModule,
  EventStore,
  EventType,
  InjectAggregateRepository,
  isEvent,
  NO_STREAM,
  PersonalData,
  Projection,
  ProjectionHandler,
  REDACTED,
  StreamDeleted,
  StreamPurger,
  type DeleteStreamOptions,
  type ErasureReport,
  type EventEnvelope,
  type FeedEvent,
  type StreamMetadata,
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

/** Personal data: the e-mail address is sealed with the data key of the customer the event names. */
@EventType('consumer.customer-registered')
export class CustomerRegistered {
  @DataSubject() readonly customerId: string;
  @PersonalData() readonly email: string;

  constructor(customerId: string, email: string) {
    this.customerId = customerId;
    this.email = email;
  }
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

/** Deletions, retention and crypto-shredding, typed: the options deleteStream takes, the reports it and forgetSubject give. */
@Injectable()
export class Erasures {
  constructor(
    private readonly events: EventStore,
    private readonly purger: StreamPurger,
  ) {}

  async close(id: string, version: number, hard: boolean): Promise<string[]> {
    const options: DeleteStreamOptions = { expectedVersion: version, mode: hard ? 'hard' : 'soft' };
    const report: ErasureReport = await this.events.deleteStream(`ledger-${id}`, options);
    await this.events.deleteStream(`audit-${id}`, { expectedVersion: ANY });
    // @ts-expect-error: a deletion is 'soft' or 'hard'
    await this.events.deleteStream(`audit-${id}`, { expectedVersion: ANY, mode: 'gone' });
    // @ts-expect-error: the expected version is required
    await this.events.deleteStream(`audit-${id}`, {});
    return [report.operation, ...report.actions.map(({ what, where, count, at }) => `${what} ${count} ${where} ${at}`), ...report.notes];
  }

  async keepLast(id: string, count: number): Promise<StreamMetadata> {
    const metadata = await this.events.setStreamMetadata(`ledger-${id}`, { maxCount: count, maxAge: null });
    const report: ErasureReport = await this.purger.purge({ streamIds: [`ledger-${id}`] });
    return report.actions.length > 0 ? metadata : this.events.getStreamMetadata(`ledger-${id}`);
  }

  async forget(customerId: string): Promise<{ report: ErasureReport; redacted: boolean }> {
    const report = await this.events.forgetSubject(customerId);
    let redacted = false;
    for await (const envelope of this.events.read(`customer-${customerId}`)) {
      if (isEvent(envelope, CustomerRegistered)) redacted ||= envelope.event.email === REDACTED;
    }
    return { report, redacted };
  }

  /** The feed's deletions, typed by eventTypes: each envelope holds a StreamDeleted. */
  async deletedStreams(): Promise<string[]> {
    const deleted: string[] = [];
    await this.events.replayAll((envelope) => deleted.push(`${envelope.streamId}@${envelope.event.deletedVersion} (${envelope.event.mode})`), {
      pageSize: 100,
      eventTypes: [StreamDeleted],
    });
    return deleted;
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

  /** A read model forgets a deleted stream: the feed delivers the deletion as an event. */
  @ProjectionHandler(StreamDeleted)
  deleted(event: StreamDeleted, envelope: FeedEvent<StreamDeleted>): void {
    if (event.mode === 'hard' || event.deletedVersion > 0) this.balances.byStream.delete(envelope.streamId);
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
      events: [MoneyDeposited, CustomerRegistered],
      telemetry: { tracerProvider: new BasicTracerProvider() },
      personalData: { keysTable: 'personal-data-keys', wrapping: { localKey: 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=' } },
    }),
    DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Account, name: 'account' }] }),
    TerminusModule,
    DynamoEventSourcingHealthModule,
  ],
  controllers: [HealthController],
  providers: [Accounts, Balances, BalancesProjection, Erasures],
})
export class AppModule {}

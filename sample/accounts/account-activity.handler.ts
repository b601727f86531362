import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { MoneyDeposited, MoneyWithdrawn } from './account.events.js';

/** An ordinary @nestjs/cqrs handler: it sees every committed event, republished by the event store. */
@EventsHandler(MoneyDeposited, MoneyWithdrawn)
export class AccountActivityHandler implements IEventHandler<MoneyDeposited | MoneyWithdrawn> {
  readonly seen: string[] = [];

  handle(event: MoneyDeposited | MoneyWithdrawn): void {
    this.seen.push(`${event.constructor.name} ${event.amount} on ${event.accountId}`);
  }
}

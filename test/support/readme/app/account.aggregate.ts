import { AggregateRoot } from '@nestjs/cqrs';
import { AccountOpened, MoneyDeposited } from './events.js';

/** As README's "Aggregates" shows it. */
export class Account extends AggregateRoot {
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

  onMoneyDeposited(event: MoneyDeposited): void {
    this.balance += event.amount;
  }
}

import { Injectable } from '@nestjs/common';
import { EventStore, NO_STREAM } from '../../lib/index.js';
import { AccountOpened, MoneyDeposited, MoneyWithdrawn } from './account.events.js';

export interface AccountState {
  readonly accountId: string;
  readonly balance: number;
  readonly version: number;
}

/** Writes and reads account streams through the injected EventStore. */
@Injectable()
export class AccountsService {
  constructor(private readonly events: EventStore) {}

  async open(accountId: string, owner: string): Promise<number> {
    const { version } = await this.events.append(this.stream(accountId), [new AccountOpened(accountId, owner, 'EUR')], {
      expectedVersion: NO_STREAM,
    });
    return version;
  }

  /** Deposits at the version the caller read: a stale version is a ConcurrencyError. */
  async deposit(accountId: string, amounts: number[], expectedVersion: number): Promise<number> {
    const deposits = amounts.map((amount) => new MoneyDeposited(accountId, amount));
    return (await this.events.append(this.stream(accountId), deposits, { expectedVersion, metadata: { source: 'sample' } })).version;
  }

  async withdraw(accountId: string, amount: number, expectedVersion: number): Promise<number> {
    return (await this.events.append(this.stream(accountId), [new MoneyWithdrawn(accountId, amount)], { expectedVersion })).version;
  }

  /** Folds the account's events into its balance. */
  async load(accountId: string): Promise<AccountState> {
    let balance = 0;
    let version = 0;
    for await (const { event, version: at } of this.events.read(this.stream(accountId))) {
      if (event instanceof MoneyDeposited) balance += event.amount;
      if (event instanceof MoneyWithdrawn) balance -= event.amount;
      version = at;
    }
    return { accountId, balance, version };
  }

  private stream(accountId: string): string {
    return `account-${accountId}`;
  }
}

import { AggregateRoot } from '@nestjs/cqrs';
import type { BankEvent, MoneyDeposited, MoneyWithdrawn, TransferRequested } from './events.js';

/**
 * The account the aggregate workloads load: a plain @nestjs/cqrs AggregateRoot folding the amounts
 * of the benchmark's bank events. Amounts are kept in cents, so that a fold gives the same whole
 * numbers however it is split (events only, or a snapshot's state plus the events after it).
 */
export class BenchAccount extends AggregateRoot {
  balanceCents = 0;
  deposits = 0;
  withdrawals = 0;
  transfers = 0;

  constructor(readonly id: string) {
    super();
  }

  /** Records an event that happened to the account (used to build the stream). */
  record(event: BankEvent): void {
    this.apply(event);
  }

  onMoneyDeposited(event: MoneyDeposited): void {
    this.balanceCents += Math.round(event.money.amount * 100);
    this.deposits++;
  }

  onMoneyWithdrawn(event: MoneyWithdrawn): void {
    this.balanceCents -= Math.round(event.money.amount * 100);
    this.withdrawals++;
  }

  onTransferRequested(event: TransferRequested): void {
    this.balanceCents -= Math.round(event.money.amount * 100);
    this.transfers++;
  }
}

/**
 * The very same class for the repository with snapshots: the module keys repositories by class, so
 * registering one class twice (with and without snapshots) takes a subclass. It adds nothing.
 */
export class SnapshottedBenchAccount extends BenchAccount {}

/** What both contenders end a load with: the account's folded state and the version it was loaded at. */
export interface AccountSummary {
  balanceCents: number;
  deposits: number;
  withdrawals: number;
  transfers: number;
  version: number;
}

export const summaryOf = (account: BenchAccount, version: number): AccountSummary => ({
  balanceCents: account.balanceCents,
  deposits: account.deposits,
  withdrawals: account.withdrawals,
  transfers: account.transfers,
  version,
});

/** The baseline's fold: the same arithmetic as BenchAccount's handlers, on a plain object and stored entries. */
export function foldEntry(state: AccountSummary, type: string, data: { readonly money: { readonly amount: number } }): void {
  switch (type) {
    case 'MoneyDeposited':
      state.balanceCents += Math.round(data.money.amount * 100);
      state.deposits++;
      break;
    case 'MoneyWithdrawn':
      state.balanceCents -= Math.round(data.money.amount * 100);
      state.withdrawals++;
      break;
    case 'TransferRequested':
      state.balanceCents -= Math.round(data.money.amount * 100);
      state.transfers++;
      break;
    default:
      throw new Error(`unknown event type ${type}`);
  }
  state.version++;
}

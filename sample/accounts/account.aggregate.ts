import { AggregateRoot } from '@nestjs/cqrs';
import { DomainRuleError } from '../shared/domain-rule.error.js';
import { formatMoney } from '../shared/money.js';
import { AccountClosed } from './events/account-closed.event.js';
import { AccountOpened } from './events/account-opened.event.js';
import { MoneyDepositedFromTransfer } from './events/money-deposited-from-transfer.event.js';
import { MoneyDeposited } from './events/money-deposited.event.js';
import { MoneyWithdrawnForTransfer } from './events/money-withdrawn-for-transfer.event.js';
import { MoneyWithdrawn } from './events/money-withdrawn.event.js';
import { TransferRefunded } from './events/transfer-refunded.event.js';

export type AccountStatus = 'open' | 'closed';

/** What became of money this account sent out for a transfer: still out (in flight or delivered), or given back. */
export type TransferOutcome = 'withdrawn' | 'refunded';

/**
 * A bank account, event sourced: every change is an event, applied through `on<EventName>`
 * (the stock @nestjs/cqrs convention), and the repository stores the uncommitted ones.
 *
 * Rules are checked before an event is applied, so a refused command leaves nothing behind. The
 * fields are plain data on purpose: the default snapshot (every 50 events) stores them as they are.
 *
 * Transfer steps are idempotent: the account remembers the transfers it has taken part in
 * (`transfersOut`, `transfersIn`), and a step it has already applied for a transfer (a command
 * delivered again) is ignored: no event, no money moved twice.
 */
export class Account extends AggregateRoot {
  /** The customer holding the account: the data subject of its personal data (the owner's name). */
  customerId = '';
  /** `REDACTED` once the customer is forgotten. */
  owner = '';
  currency = '';
  balanceCents = 0;
  status: AccountStatus = 'open';
  /** Transfers this account paid out, by transfer id: `withdrawn` until (unless) refunded. Plain data, so snapshotted. */
  transfersOut: Record<string, TransferOutcome> = {};
  /** Transfers this account was credited by, by transfer id. */
  transfersIn: Record<string, true> = {};

  constructor(readonly id: string) {
    super();
  }

  static open(id: string, owner: string, currency: string, customerId: string): Account {
    const account = new Account(id);
    account.apply(new AccountOpened(id, owner, currency, customerId));
    return account;
  }

  deposit(amountCents: number): void {
    this.assertOpen('deposit to');
    this.assertAmount(amountCents);
    this.assertRoomFor(amountCents);
    this.apply(new MoneyDeposited(this.id, amountCents));
  }

  withdraw(amountCents: number): void {
    this.assertOpen('withdraw from');
    this.assertAmount(amountCents);
    this.assertFunds(amountCents);
    this.apply(new MoneyWithdrawn(this.id, amountCents));
  }

  /** Ignored (nothing applied) when this transfer was already withdrawn: a redelivered step. */
  withdrawForTransfer(transferId: string, toAccountId: string, amountCents: number): void {
    if (Object.hasOwn(this.transfersOut, transferId)) return;
    this.assertOpen('transfer from');
    this.assertAmount(amountCents);
    this.assertFunds(amountCents);
    this.apply(new MoneyWithdrawnForTransfer(this.id, transferId, toAccountId, amountCents));
  }

  /** Ignored (nothing applied) when this transfer was already deposited: a redelivered step. */
  depositFromTransfer(transferId: string, fromAccountId: string, amountCents: number, currency: string): void {
    if (Object.hasOwn(this.transfersIn, transferId)) return;
    this.assertOpen('transfer to');
    this.assertAmount(amountCents);
    if (currency !== this.currency) {
      throw new DomainRuleError('CURRENCY_MISMATCH', `Account "${this.id}" holds ${this.currency}; it cannot take ${currency}.`, {
        accountCurrency: this.currency,
        currency,
      });
    }
    this.assertRoomFor(amountCents);
    this.apply(new MoneyDepositedFromTransfer(this.id, transferId, fromAccountId, amountCents));
  }

  /**
   * Gives back the money of a transfer whose second leg was refused. Allowed on a closed account
   * too: the money left this account, and a compensation must not be refusable (close() refuses
   * while a withdrawal is unsettled, so this does not happen through the saga).
   *
   * Ignored (nothing applied) unless this account paid out this transfer and has not been refunded
   * for it yet: a redelivered refund gives nothing back twice.
   */
  refundTransfer(transferId: string, amountCents: number, reason: string): void {
    if (this.transfersOut[transferId] !== 'withdrawn') return;
    this.apply(new TransferRefunded(this.id, transferId, amountCents, reason));
  }

  /**
   * Transfers paid out from this account and not refunded: each is either completed (the target has
   * the money) or still in flight (it may yet be refunded here). Only the transfer knows which.
   */
  unrefundedTransferIds(): string[] {
    return Object.keys(this.transfersOut).filter((transferId) => this.transfersOut[transferId] === 'withdrawn');
  }

  /**
   * @param completedTransferIds the transfers among `unrefundedTransferIds()` known to be completed.
   *   Any other unrefunded one is in flight: its refund could still land, so closing is refused
   *   (TRANSFER_IN_FLIGHT) rather than leave the refund on a closed account.
   */
  close(completedTransferIds: ReadonlySet<string> = new Set()): void {
    this.assertOpen('close');
    if (this.balanceCents !== 0) {
      throw new DomainRuleError(
        'BALANCE_NOT_ZERO',
        `Account "${this.id}" still holds ${formatMoney(this.balanceCents, this.currency)}; withdraw or transfer it before closing.`,
        { balanceCents: this.balanceCents },
      );
    }
    const inFlight = this.unrefundedTransferIds().filter((transferId) => !completedTransferIds.has(transferId));
    if (inFlight.length > 0) {
      throw new DomainRuleError(
        'TRANSFER_IN_FLIGHT',
        `Account "${this.id}" has ${inFlight.length} outgoing transfer(s) not settled yet; close it once they have completed or been refunded.`,
        { transferIds: inFlight },
      );
    }
    this.apply(new AccountClosed(this.id));
  }

  onAccountOpened(event: AccountOpened): void {
    this.customerId = event.customerId;
    this.owner = event.owner;
    this.currency = event.currency;
  }

  onMoneyDeposited(event: MoneyDeposited): void {
    this.balanceCents += event.amountCents;
  }

  onMoneyWithdrawn(event: MoneyWithdrawn): void {
    this.balanceCents -= event.amountCents;
  }

  onMoneyWithdrawnForTransfer(event: MoneyWithdrawnForTransfer): void {
    this.balanceCents -= event.amountCents;
    this.transfersOut[event.transferId] = 'withdrawn';
  }

  onMoneyDepositedFromTransfer(event: MoneyDepositedFromTransfer): void {
    this.balanceCents += event.amountCents;
    this.transfersIn[event.transferId] = true;
  }

  onTransferRefunded(event: TransferRefunded): void {
    this.balanceCents += event.amountCents;
    this.transfersOut[event.transferId] = 'refunded';
  }

  onAccountClosed(): void {
    this.status = 'closed';
  }

  private assertOpen(action: string): void {
    if (this.status === 'closed') throw new DomainRuleError('ACCOUNT_CLOSED', `Account "${this.id}" is closed: cannot ${action} it.`);
  }

  /** The HTTP layer checks amounts already; the aggregate does not rely on its callers. */
  private assertAmount(amountCents: number): void {
    if (!Number.isSafeInteger(amountCents) || amountCents <= 0) {
      throw new DomainRuleError('INVALID_AMOUNT', `An amount must be a positive whole number of cents; got ${amountCents}.`);
    }
  }

  private assertFunds(amountCents: number): void {
    if (amountCents > this.balanceCents) {
      throw new DomainRuleError(
        'INSUFFICIENT_FUNDS',
        `Account "${this.id}" holds ${formatMoney(this.balanceCents, this.currency)}: it cannot pay ${formatMoney(amountCents, this.currency)} (no overdraft).`,
        { balanceCents: this.balanceCents, amountCents },
      );
    }
  }

  /** Balances stay exact integers: JSON numbers lose cents beyond 2^53. */
  private assertRoomFor(amountCents: number): void {
    if (!Number.isSafeInteger(this.balanceCents + amountCents)) {
      throw new DomainRuleError('BALANCE_LIMIT', `Account "${this.id}" cannot hold more than ${Number.MAX_SAFE_INTEGER} cents.`, {
        balanceCents: this.balanceCents,
        amountCents,
      });
    }
  }
}

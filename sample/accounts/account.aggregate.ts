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

/**
 * A bank account, event sourced: every change is an event, applied through `on<EventName>`
 * (the stock @nestjs/cqrs convention), and the repository stores the uncommitted ones.
 *
 * Rules are checked before an event is applied, so a refused command leaves nothing behind. The
 * fields are plain data on purpose: the default snapshot (every 50 events) stores them as they are.
 */
export class Account extends AggregateRoot {
  owner = '';
  currency = '';
  balanceCents = 0;
  status: AccountStatus = 'open';

  constructor(readonly id: string) {
    super();
  }

  static open(id: string, owner: string, currency: string): Account {
    const account = new Account(id);
    account.apply(new AccountOpened(id, owner, currency));
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

  withdrawForTransfer(transferId: string, toAccountId: string, amountCents: number): void {
    this.assertOpen('transfer from');
    this.assertAmount(amountCents);
    this.assertFunds(amountCents);
    this.apply(new MoneyWithdrawnForTransfer(this.id, transferId, toAccountId, amountCents));
  }

  depositFromTransfer(transferId: string, fromAccountId: string, amountCents: number, currency: string): void {
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
   * too: the money left this account, and a compensation must not be refusable.
   */
  refundTransfer(transferId: string, amountCents: number, reason: string): void {
    this.apply(new TransferRefunded(this.id, transferId, amountCents, reason));
  }

  close(): void {
    this.assertOpen('close');
    if (this.balanceCents !== 0) {
      throw new DomainRuleError(
        'BALANCE_NOT_ZERO',
        `Account "${this.id}" still holds ${formatMoney(this.balanceCents, this.currency)}; withdraw or transfer it before closing.`,
        { balanceCents: this.balanceCents },
      );
    }
    this.apply(new AccountClosed(this.id));
  }

  onAccountOpened(event: AccountOpened): void {
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
  }

  onMoneyDepositedFromTransfer(event: MoneyDepositedFromTransfer): void {
    this.balanceCents += event.amountCents;
  }

  onTransferRefunded(event: TransferRefunded): void {
    this.balanceCents += event.amountCents;
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

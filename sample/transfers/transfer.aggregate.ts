import { AggregateRoot } from '@nestjs/cqrs';
import { TransferCompleted } from './events/transfer-completed.event.js';
import { TransferCreditRefused } from './events/transfer-credit-refused.event.js';
import { TransferFailed } from './events/transfer-failed.event.js';
import { TransferRequested } from './events/transfer-requested.event.js';

/**
 * - `pending`: requested; the saga is withdrawing from the source or crediting the target;
 * - `compensating`: the target refused the money; the saga is refunding the source;
 * - `completed`, `failed`: final.
 */
export type TransferStatus = 'pending' | 'compensating' | 'completed' | 'failed';

/**
 * The state of one transfer between two accounts: what the saga needs to know to take the next
 * step. A step whose state has passed is skipped, but that check alone does not stop a step
 * delivered twice while the transfer is still `pending` (or `compensating`): the money legs are
 * made idempotent by the accounts themselves, which ignore a step they have already applied for
 * this transfer id. So each leg moves money at most once per transfer, however often it runs.
 * The money itself moves on the accounts' streams; this stream records the decisions.
 */
export class Transfer extends AggregateRoot {
  fromAccountId = '';
  toAccountId = '';
  amountCents = 0;
  currency = '';
  status: TransferStatus = 'pending';
  reason: string | null = null;

  constructor(readonly id: string) {
    super();
  }

  static request(id: string, fromAccountId: string, toAccountId: string, amountCents: number, currency: string): Transfer {
    const transfer = new Transfer(id);
    transfer.apply(new TransferRequested(id, fromAccountId, toAccountId, amountCents, currency));
    return transfer;
  }

  /** Records that the target refused the money; false (nothing applied) unless the transfer was pending. */
  refuseCredit(reason: string): boolean {
    if (this.status !== 'pending') return false;
    this.apply(new TransferCreditRefused(this.id, reason));
    return true;
  }

  complete(): boolean {
    if (this.status !== 'pending') return false;
    this.apply(new TransferCompleted(this.id));
    return true;
  }

  fail(reason: string, compensated: boolean): boolean {
    if (this.status !== 'pending' && this.status !== 'compensating') return false;
    this.apply(new TransferFailed(this.id, reason, compensated));
    return true;
  }

  onTransferRequested(event: TransferRequested): void {
    this.fromAccountId = event.fromAccountId;
    this.toAccountId = event.toAccountId;
    this.amountCents = event.amountCents;
    this.currency = event.currency;
  }

  onTransferCreditRefused(event: TransferCreditRefused): void {
    this.status = 'compensating';
    this.reason = event.reason;
  }

  onTransferCompleted(): void {
    this.status = 'completed';
  }

  onTransferFailed(event: TransferFailed): void {
    this.status = 'failed';
    this.reason = event.reason;
  }
}

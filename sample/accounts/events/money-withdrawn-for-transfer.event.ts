import { EventType } from '../../../lib/index.js';

/** The first leg of a transfer: the money has left the source account (the saga then credits the target). */
@EventType('bank.money-withdrawn-for-transfer')
export class MoneyWithdrawnForTransfer {
  constructor(
    readonly accountId: string,
    readonly transferId: string,
    readonly toAccountId: string,
    readonly amountCents: number,
  ) {}
}

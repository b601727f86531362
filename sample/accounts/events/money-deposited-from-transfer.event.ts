import { EventType } from '../../../lib/index.js';

/** The second leg of a transfer: the money has reached the target account. */
@EventType('bank.money-deposited-from-transfer')
export class MoneyDepositedFromTransfer {
  constructor(
    readonly accountId: string,
    readonly transferId: string,
    readonly fromAccountId: string,
    readonly amountCents: number,
  ) {}
}

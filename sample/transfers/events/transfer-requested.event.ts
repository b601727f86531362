import { EventType } from '../../../lib/index.js';

/** A customer asked to move money; the transfer saga takes it from here. */
@EventType('bank.transfer-requested')
export class TransferRequested {
  constructor(
    readonly transferId: string,
    readonly fromAccountId: string,
    readonly toAccountId: string,
    readonly amountCents: number,
    /** The source account's currency: the target must hold the same one. */
    readonly currency: string,
  ) {}
}

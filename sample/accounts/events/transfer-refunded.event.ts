import { EventType } from '../../../lib/index.js';

/** The compensation of a transfer whose second leg was refused: the money is back on the source account. */
@EventType('bank.transfer-refunded')
export class TransferRefunded {
  constructor(
    readonly accountId: string,
    readonly transferId: string,
    readonly amountCents: number,
    readonly reason: string,
  ) {}
}

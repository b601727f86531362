import { EventType } from '../../../lib/index.js';

/** The target account refused the money (closed, unknown, other currency): the saga must refund the source. */
@EventType('bank.transfer-credit-refused')
export class TransferCreditRefused {
  constructor(
    readonly transferId: string,
    readonly reason: string,
  ) {}
}

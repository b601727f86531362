import { EventType } from '../../../lib/index.js';

@EventType('bank.transfer-failed')
export class TransferFailed {
  constructor(
    readonly transferId: string,
    readonly reason: string,
    /** Whether money had left the source and was refunded (false: the first leg was refused, nothing moved). */
    readonly compensated: boolean,
  ) {}
}

import { EventType } from '../../../lib/index.js';

@EventType('bank.transfer-completed')
export class TransferCompleted {
  constructor(readonly transferId: string) {}
}

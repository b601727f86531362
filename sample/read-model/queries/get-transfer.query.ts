import { Query } from '@nestjs/cqrs';
import type { TransferView } from '../views/transfer.view.js';

export class GetTransfer extends Query<TransferView> {
  constructor(readonly transferId: string) {
    super();
  }
}

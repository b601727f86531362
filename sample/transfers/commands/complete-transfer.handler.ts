import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, WithCommandMetadata, type AggregateRepository } from '../../../lib/index.js';
import { changeTransfer } from '../transfer-changes.js';
import { Transfer } from '../transfer.aggregate.js';
import { CompleteTransfer } from './complete-transfer.command.js';

@CommandHandler(CompleteTransfer)
export class CompleteTransferHandler implements ICommandHandler<CompleteTransfer> {
  constructor(@InjectAggregateRepository(Transfer) private readonly transfers: AggregateRepository<Transfer>) {}

  @WithCommandMetadata()
  async execute({ transferId }: CompleteTransfer): Promise<void> {
    await changeTransfer(this.transfers, transferId, (transfer) => transfer.complete());
  }
}

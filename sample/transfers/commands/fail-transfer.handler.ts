import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, WithCommandMetadata, type AggregateRepository } from '../../../lib/index.js';
import { changeTransfer } from '../transfer-changes.js';
import { Transfer } from '../transfer.aggregate.js';
import { FailTransfer } from './fail-transfer.command.js';

@CommandHandler(FailTransfer)
export class FailTransferHandler implements ICommandHandler<FailTransfer> {
  constructor(@InjectAggregateRepository(Transfer) private readonly transfers: AggregateRepository<Transfer>) {}

  @WithCommandMetadata()
  async execute({ transferId, reason, compensated }: FailTransfer): Promise<void> {
    await changeTransfer(this.transfers, transferId, (transfer) => transfer.fail(reason, compensated));
  }
}

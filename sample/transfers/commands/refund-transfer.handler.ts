import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, WithCommandMetadata, type AggregateRepository } from '../../../lib/index.js';
import { Account } from '../../accounts/account.aggregate.js';
import { changeAccount } from '../../accounts/account-changes.js';
import { loadTransfer } from '../transfer-changes.js';
import { Transfer } from '../transfer.aggregate.js';
import { RefundTransfer } from './refund-transfer.command.js';

/** The compensation: the source gets its money back (the saga then marks the transfer failed). */
@CommandHandler(RefundTransfer)
export class RefundTransferHandler implements ICommandHandler<RefundTransfer> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
    @InjectAggregateRepository(Transfer) private readonly transfers: AggregateRepository<Transfer>,
  ) {}

  @WithCommandMetadata()
  async execute({ transferId, reason }: RefundTransfer): Promise<void> {
    const transfer = await loadTransfer(this.transfers, transferId);
    if (transfer.status !== 'compensating') return;
    await changeAccount(this.accounts, transfer.fromAccountId, (account) => account.refundTransfer(transferId, transfer.amountCents, reason));
  }
}

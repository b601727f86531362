import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, WithCommandMetadata, type AggregateRepository } from '../../../lib/index.js';
import { Account } from '../../accounts/account.aggregate.js';
import { changeAccount } from '../../accounts/account-changes.js';
import { refusalReason } from '../refusal-reason.js';
import { changeTransfer, loadTransfer } from '../transfer-changes.js';
import { Transfer } from '../transfer.aggregate.js';
import { WithdrawForTransfer } from './withdraw-for-transfer.command.js';

/** First leg. If the source refuses (no funds, closed), the transfer fails at once: nothing moved, nothing to undo. */
@CommandHandler(WithdrawForTransfer)
export class WithdrawForTransferHandler implements ICommandHandler<WithdrawForTransfer> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
    @InjectAggregateRepository(Transfer) private readonly transfers: AggregateRepository<Transfer>,
  ) {}

  @WithCommandMetadata()
  async execute({ transferId }: WithdrawForTransfer): Promise<void> {
    const transfer = await loadTransfer(this.transfers, transferId);
    if (transfer.status !== 'pending') return;
    const { fromAccountId, toAccountId, amountCents } = transfer;
    try {
      await changeAccount(this.accounts, fromAccountId, (account) => account.withdrawForTransfer(transferId, toAccountId, amountCents));
    } catch (error) {
      const reason = refusalReason(error);
      if (reason === undefined) throw error;
      await changeTransfer(this.transfers, transferId, (current) => current.fail(`withdrawal refused: ${reason}`, false));
    }
  }
}

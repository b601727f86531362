import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, WithCommandMetadata, type AggregateRepository } from '../../../lib/index.js';
import { Account } from '../../accounts/account.aggregate.js';
import { changeAccount } from '../../accounts/account-changes.js';
import { refusalReason } from '../refusal-reason.js';
import { changeTransfer, loadTransfer } from '../transfer-changes.js';
import { Transfer } from '../transfer.aggregate.js';
import { DepositTransfer } from './deposit-transfer.command.js';

/**
 * Second leg. The money has already left the source, so a refusal here (target closed, unknown,
 * in another currency) is recorded on the transfer, and the saga reacts to it with a refund.
 */
@CommandHandler(DepositTransfer)
export class DepositTransferHandler implements ICommandHandler<DepositTransfer> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
    @InjectAggregateRepository(Transfer) private readonly transfers: AggregateRepository<Transfer>,
  ) {}

  @WithCommandMetadata()
  async execute({ transferId }: DepositTransfer): Promise<void> {
    const transfer = await loadTransfer(this.transfers, transferId);
    if (transfer.status !== 'pending') return;
    const { fromAccountId, toAccountId, amountCents, currency } = transfer;
    try {
      await changeAccount(this.accounts, toAccountId, (account) => account.depositFromTransfer(transferId, fromAccountId, amountCents, currency));
    } catch (error) {
      const reason = refusalReason(error);
      if (reason === undefined) throw error;
      await changeTransfer(this.transfers, transferId, (current) => current.refuseCredit(`deposit refused: ${reason}`));
    }
  }
}

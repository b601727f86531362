import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, WithCommandMetadata, type AggregateRepository } from '../../../lib/index.js';
import { Transfer } from '../../transfers/transfer.aggregate.js';
import { Account } from '../account.aggregate.js';
import { changeAccount, loadAccount } from '../account-changes.js';
import { CloseAccount } from './close-account.command.js';

/**
 * Closing needs to know which of the account's outgoing, unrefunded transfers have completed: the
 * account does not see that (completion is recorded on the transfer's stream), so they are read
 * here first. A transfer withdrawn after this read is not in the set, so the close is refused
 * (TRANSFER_IN_FLIGHT): the check errs on the safe side. A completed transfer stays completed.
 */
@CommandHandler(CloseAccount)
export class CloseAccountHandler implements ICommandHandler<CloseAccount> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
    @InjectAggregateRepository(Transfer) private readonly transfers: AggregateRepository<Transfer>,
  ) {}

  @WithCommandMetadata()
  async execute({ accountId, expectedVersion }: CloseAccount) {
    const completed = await this.completedTransfers(await loadAccount(this.accounts, accountId));
    return changeAccount(this.accounts, accountId, (account) => account.close(completed), expectedVersion);
  }

  private async completedTransfers(account: Account): Promise<Set<string>> {
    const completed = new Set<string>();
    for (const transferId of account.unrefundedTransferIds()) {
      const transfer = await this.transfers.load(transferId);
      if (transfer?.status === 'completed') completed.add(transferId);
    }
    return completed;
  }
}

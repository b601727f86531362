import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, WithCommandMetadata, type AggregateRepository } from '../../../lib/index.js';
import { Account } from '../account.aggregate.js';
import { changeAccount } from '../account-changes.js';
import { CloseAccount } from './close-account.command.js';

@CommandHandler(CloseAccount)
export class CloseAccountHandler implements ICommandHandler<CloseAccount> {
  constructor(@InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>) {}

  @WithCommandMetadata()
  execute({ accountId, expectedVersion }: CloseAccount) {
    return changeAccount(this.accounts, accountId, (account) => account.close(), expectedVersion);
  }
}

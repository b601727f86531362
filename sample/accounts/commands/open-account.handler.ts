import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ConcurrencyError, InjectAggregateRepository, WithCommandMetadata, type AggregateRepository } from '../../../lib/index.js';
import { AlreadyExistsError } from '../../shared/already-exists.error.js';
import { Account } from '../account.aggregate.js';
import { accountWriteResult } from '../account-changes.js';
import { OpenAccount } from './open-account.command.js';

@CommandHandler(OpenAccount)
export class OpenAccountHandler implements ICommandHandler<OpenAccount> {
  constructor(@InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>) {}

  @WithCommandMetadata()
  async execute({ accountId, owner, currency, customerId }: OpenAccount) {
    const account = Account.open(accountId, owner, currency, customerId);
    try {
      // A new aggregate is saved with NO_STREAM: if the id is taken, the store refuses it atomically.
      const saved = await this.accounts.save(account);
      return accountWriteResult(account, saved!.version);
    } catch (error) {
      if (error instanceof ConcurrencyError) throw new AlreadyExistsError('account', accountId);
      throw error;
    }
  }
}

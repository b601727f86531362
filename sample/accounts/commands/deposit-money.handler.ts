import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, WithCommandMetadata, type AggregateRepository } from '../../../lib/index.js';
import { Account } from '../account.aggregate.js';
import { changeAccount } from '../account-changes.js';
import { DepositMoney } from './deposit-money.command.js';

@CommandHandler(DepositMoney)
export class DepositMoneyHandler implements ICommandHandler<DepositMoney> {
  constructor(@InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>) {}

  @WithCommandMetadata()
  execute({ accountId, amountCents, expectedVersion }: DepositMoney) {
    return changeAccount(this.accounts, accountId, (account) => account.deposit(amountCents), expectedVersion);
  }
}

import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, WithCommandMetadata, type AggregateRepository } from '../../../lib/index.js';
import { Account } from '../account.aggregate.js';
import { changeAccount } from '../account-changes.js';
import { WithdrawMoney } from './withdraw-money.command.js';

@CommandHandler(WithdrawMoney)
export class WithdrawMoneyHandler implements ICommandHandler<WithdrawMoney> {
  constructor(@InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>) {}

  @WithCommandMetadata()
  execute({ accountId, amountCents, expectedVersion }: WithdrawMoney) {
    return changeAccount(this.accounts, accountId, (account) => account.withdraw(amountCents), expectedVersion);
  }
}

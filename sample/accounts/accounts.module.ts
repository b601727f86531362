import { Module } from '@nestjs/common';
import { BankAggregatesModule } from '../bank-aggregates.module.js';
import { AccountsController } from './accounts.controller.js';
import { CloseAccountHandler } from './commands/close-account.handler.js';
import { DepositMoneyHandler } from './commands/deposit-money.handler.js';
import { OpenAccountHandler } from './commands/open-account.handler.js';
import { WithdrawMoneyHandler } from './commands/withdraw-money.handler.js';

@Module({
  imports: [BankAggregatesModule],
  controllers: [AccountsController],
  providers: [OpenAccountHandler, DepositMoneyHandler, WithdrawMoneyHandler, CloseAccountHandler],
})
export class AccountsModule {}

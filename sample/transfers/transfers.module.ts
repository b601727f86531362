import { Module } from '@nestjs/common';
import { BankAggregatesModule } from '../bank-aggregates.module.js';
import { CompleteTransferHandler } from './commands/complete-transfer.handler.js';
import { DepositTransferHandler } from './commands/deposit-transfer.handler.js';
import { FailTransferHandler } from './commands/fail-transfer.handler.js';
import { RefundTransferHandler } from './commands/refund-transfer.handler.js';
import { RequestTransferHandler } from './commands/request-transfer.handler.js';
import { WithdrawForTransferHandler } from './commands/withdraw-for-transfer.handler.js';
import { TransferNotificationsHandler } from './transfer-notifications.handler.js';
import { TransferSaga } from './transfer.saga.js';
import { TransfersController } from './transfers.controller.js';

@Module({
  imports: [BankAggregatesModule],
  controllers: [TransfersController],
  providers: [
    RequestTransferHandler,
    WithdrawForTransferHandler,
    DepositTransferHandler,
    RefundTransferHandler,
    CompleteTransferHandler,
    FailTransferHandler,
    TransferSaga,
    TransferNotificationsHandler,
  ],
})
export class TransfersModule {}

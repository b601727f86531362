import { Injectable } from '@nestjs/common';
import { ofType, Saga } from '@nestjs/cqrs';
import { map, type Observable } from 'rxjs';
import { EventMetadataContext } from '../../lib/index.js';
import { MoneyDepositedFromTransfer } from '../accounts/events/money-deposited-from-transfer.event.js';
import { MoneyWithdrawnForTransfer } from '../accounts/events/money-withdrawn-for-transfer.event.js';
import { TransferRefunded } from '../accounts/events/transfer-refunded.event.js';
import { CompleteTransfer } from './commands/complete-transfer.command.js';
import { DepositTransfer } from './commands/deposit-transfer.command.js';
import { FailTransfer } from './commands/fail-transfer.command.js';
import { RefundTransfer } from './commands/refund-transfer.command.js';
import { WithdrawForTransfer } from './commands/withdraw-for-transfer.command.js';
import { TransferCreditRefused } from './events/transfer-credit-refused.event.js';
import { TransferRequested } from './events/transfer-requested.event.js';

/**
 * Runs a transfer, one committed event at a time:
 *
 *     TransferRequested          → withdraw from the source   (refused: TransferFailed, nothing moved)
 *     MoneyWithdrawnForTransfer  → deposit to the target
 *     MoneyDepositedFromTransfer → TransferCompleted
 *     TransferCreditRefused      → refund the source          (the compensation)
 *     TransferRefunded           → TransferFailed, compensated
 *
 * Each command carries `causedBy(event)`, so every event of a transfer names the event that led to
 * it. Sagas see the events the EventStore republishes on the EventBus after each commit, in this
 * process: if the process dies mid-transfer, the transfer stays pending. A production system would
 * drive these steps from the global feed (a projection with its stored checkpoint) instead.
 */
@Injectable()
export class TransferSaga {
  @Saga()
  withdraw = (events$: Observable<object>) =>
    events$.pipe(
      ofType(TransferRequested),
      map((event) => new WithdrawForTransfer(event.transferId, EventMetadataContext.causedBy(event))),
    );

  @Saga()
  deposit = (events$: Observable<object>) =>
    events$.pipe(
      ofType(MoneyWithdrawnForTransfer),
      map((event) => new DepositTransfer(event.transferId, EventMetadataContext.causedBy(event))),
    );

  @Saga()
  complete = (events$: Observable<object>) =>
    events$.pipe(
      ofType(MoneyDepositedFromTransfer),
      map((event) => new CompleteTransfer(event.transferId, EventMetadataContext.causedBy(event))),
    );

  @Saga()
  refund = (events$: Observable<object>) =>
    events$.pipe(
      ofType(TransferCreditRefused),
      map((event) => new RefundTransfer(event.transferId, event.reason, EventMetadataContext.causedBy(event))),
    );

  @Saga()
  fail = (events$: Observable<object>) =>
    events$.pipe(
      ofType(TransferRefunded),
      map((event) => new FailTransfer(event.transferId, event.reason, true, EventMetadataContext.causedBy(event))),
    );
}

import { AccountClosed } from './account-closed.event.js';
import { AccountOpened } from './account-opened.event.js';
import { MoneyDepositedFromTransfer } from './money-deposited-from-transfer.event.js';
import { MoneyDeposited } from './money-deposited.event.js';
import { MoneyWithdrawnForTransfer } from './money-withdrawn-for-transfer.event.js';
import { MoneyWithdrawn } from './money-withdrawn.event.js';
import { TransferRefunded } from './transfer-refunded.event.js';

/** Every event of an account stream, for the module's registry. */
export const ACCOUNT_EVENTS = [
  AccountOpened,
  MoneyDeposited,
  MoneyWithdrawn,
  AccountClosed,
  MoneyWithdrawnForTransfer,
  MoneyDepositedFromTransfer,
  TransferRefunded,
];

import { TransferCompleted } from './transfer-completed.event.js';
import { TransferCreditRefused } from './transfer-credit-refused.event.js';
import { TransferFailed } from './transfer-failed.event.js';
import { TransferRequested } from './transfer-requested.event.js';

/** Every event of a transfer stream, for the module's registry. */
export const TRANSFER_EVENTS = [TransferRequested, TransferCreditRefused, TransferCompleted, TransferFailed];

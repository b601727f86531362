import type { TransferStatus } from './transfer.aggregate.js';

/** The answer to a transfer request: accepted, to be carried out by the saga (follow it at GET /transfers/:id). */
export interface TransferAcceptedResult {
  readonly transferId: string;
  readonly status: TransferStatus;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amountCents: number;
  readonly currency: string;
}

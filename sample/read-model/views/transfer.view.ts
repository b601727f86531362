import type { TransferStatus } from '../../transfers/transfer.aggregate.js';

export type TransferStepKind = 'requested' | 'withdrawn' | 'deposited' | 'credit-refused' | 'refunded' | 'completed' | 'failed';

/** One event of a transfer, from whichever stream it was written to, with what caused it. */
export interface TransferStepView {
  step: TransferStepKind;
  at: string;
  streamId: string;
  version: number;
  eventId: string;
  /** The id of the event (or command) that caused this one: the previous step's event id, for every step after the first. */
  causationId: string | null;
  correlationId: string | null;
}

/** A transfer as the read model shows it (GET /transfers/:id). */
export interface TransferView {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amountCents: number;
  currency: string;
  status: TransferStatus;
  reason: string | null;
  /** Whether the money had left the source and was given back. */
  compensated: boolean;
  requestedAt: string;
  updatedAt: string;
  steps: TransferStepView[];
}

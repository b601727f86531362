export type HistoryEntryKind = 'opened' | 'deposit' | 'withdrawal' | 'transfer-out' | 'transfer-in' | 'transfer-refund' | 'closed';

/** One line of an account's statement (GET /accounts/:id/history), one per event of its stream. */
export interface HistoryEntryView {
  version: number;
  at: string;
  kind: HistoryEntryKind;
  /** Signed: positive for money in, negative for money out, 0 for opening and closing. */
  amountCents: number;
  balanceAfterCents: number;
  transferId?: string;
  /** The other account of a transfer. */
  counterpartyAccountId?: string;
  reason?: string;
}

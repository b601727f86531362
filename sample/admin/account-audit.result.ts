/**
 * What `GET /admin/accounts/:id/audit` answers: the account's balance recomputed from its events,
 * next to the one the app works with (the aggregate, loaded from its newest snapshot and the
 * events after it). `consistent: false` means the snapshot, or the aggregate's handling of an
 * event, does not add up to what the events say.
 */
export interface AccountAuditResult {
  readonly accountId: string;
  /** The money movements replayed: deposits, withdrawals, transfer legs and refunds. */
  readonly eventsReplayed: number;
  /** The stream version the audit covers: the aggregate's version when it was loaded. */
  readonly lastVersion: number;
  /** The sum of the money movements, in cents. */
  readonly balanceFromEvents: number;
  /** The aggregate's balance at `lastVersion`, in cents. */
  readonly balanceOfAggregate: number;
  readonly consistent: boolean;
}

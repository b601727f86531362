import type { HistoryEntryView } from './history-entry.view.js';

/** An account's statement (GET /accounts/:id/history): oldest first. */
export interface AccountHistoryView {
  accountId: string;
  currency: string;
  /** The last version of the account's stream applied here. */
  version: number;
  entries: HistoryEntryView[];
}

import { Injectable } from '@nestjs/common';
import { REDACTED } from '../../lib/index.js';
import type { AccountView } from './views/account.view.js';
import type { HistoryEntryView } from './views/history-entry.view.js';
import type { TransferView } from './views/transfer.view.js';

/**
 * The bank's read model: balances, statements and transfers, in memory. Enough for a sample;
 * production would keep it in a table (DynamoDB, Postgres...), writing each stream's last applied
 * version with the row so that the idempotency check below survives restarts. Being in memory, it
 * is rebuilt from the events at every start (see ReadModelWarmup).
 *
 * Readers get copies: nothing outside the projection changes it.
 */
@Injectable()
export class ReadModelStore {
  private readonly accounts = new Map<string, AccountView>();
  private readonly histories = new Map<string, HistoryEntryView[]>();
  private readonly transfers = new Map<string, TransferView>();
  /** Which account each account stream holds: a deletion names the stream. */
  private readonly accountOfStream = new Map<string, string>();
  /** Per stream, the last version applied. */
  private readonly applied = new Map<string, number>();

  /**
   * Runs `change` for this stream version unless it was applied already, and records it. The feed
   * delivers at least once (a retry after a failed page, a takeover), so an event can come again;
   * each stream's events come in version order, so "not above the last one" means "seen".
   */
  applyOnce(streamId: string, version: number, change: () => void): boolean {
    if (version <= (this.applied.get(streamId) ?? 0)) return false;
    change();
    this.applied.set(streamId, version);
    return true;
  }

  account(accountId: string): AccountView | undefined {
    const view = this.accounts.get(accountId);
    return view && structuredClone(view);
  }

  history(accountId: string): HistoryEntryView[] | undefined {
    const entries = this.histories.get(accountId);
    return entries && structuredClone(entries);
  }

  transfer(transferId: string): TransferView | undefined {
    const view = this.transfers.get(transferId);
    return view && structuredClone(view);
  }

  putAccount(view: AccountView, streamId: string): void {
    this.accounts.set(view.accountId, view);
    this.histories.set(view.accountId, []);
    this.accountOfStream.set(streamId, view.accountId);
  }

  /**
   * Forgets the account a deleted stream held, statement included (transfers stay: they hold ids
   * and amounts, no personal data). Nothing to do for a stream it does not know: a rebuild sees a
   * hard-deleted stream's deletion only, never its events.
   */
  removeStream(streamId: string): void {
    const accountId = this.accountOfStream.get(streamId);
    if (accountId === undefined) return;
    this.accounts.delete(accountId);
    this.histories.delete(accountId);
    this.accountOfStream.delete(streamId);
  }

  /** Replaces the names this read model copied of a forgotten customer by `REDACTED`, as the events now read. */
  forgetCustomer(customerId: string): void {
    for (const view of this.accounts.values()) {
      if (view.customerId === customerId) view.owner = REDACTED;
    }
  }

  /** Changes an account and adds a line to its statement; does nothing for an account it has not seen opened. */
  updateAccount(accountId: string, change: (view: AccountView) => HistoryEntryView): void {
    const view = this.accounts.get(accountId);
    if (view === undefined) return;
    this.histories.get(accountId)!.push(change(view));
  }

  putTransfer(view: TransferView): void {
    this.transfers.set(view.transferId, view);
  }

  /** Changes a transfer; does nothing for one it has not seen requested. */
  updateTransfer(transferId: string, change: (view: TransferView) => void): void {
    const view = this.transfers.get(transferId);
    if (view !== undefined) change(view);
  }

  /** Empties everything, idempotently: what a rebuild starts from. */
  clear(): void {
    this.accounts.clear();
    this.histories.clear();
    this.transfers.clear();
    this.accountOfStream.clear();
    this.applied.clear();
  }

  size(): { accounts: number; transfers: number } {
    return { accounts: this.accounts.size, transfers: this.transfers.size };
  }
}

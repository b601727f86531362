import { Projection, ProjectionHandler, StreamDeleted, type FeedEvent, type ResettableProjection } from '../../lib/index.js';
import { AccountClosed } from '../accounts/events/account-closed.event.js';
import { AccountOpened } from '../accounts/events/account-opened.event.js';
import { MoneyDepositedFromTransfer } from '../accounts/events/money-deposited-from-transfer.event.js';
import { MoneyDeposited } from '../accounts/events/money-deposited.event.js';
import { MoneyWithdrawnForTransfer } from '../accounts/events/money-withdrawn-for-transfer.event.js';
import { MoneyWithdrawn } from '../accounts/events/money-withdrawn.event.js';
import { TransferRefunded } from '../accounts/events/transfer-refunded.event.js';
import { CustomerForgotten } from '../admin/events/customer-forgotten.event.js';
import { TransferCompleted } from '../transfers/events/transfer-completed.event.js';
import { TransferCreditRefused } from '../transfers/events/transfer-credit-refused.event.js';
import { TransferFailed } from '../transfers/events/transfer-failed.event.js';
import { TransferRequested } from '../transfers/events/transfer-requested.event.js';
import { ReadModelStore } from './read-model.store.js';
import type { HistoryEntryKind, HistoryEntryView } from './views/history-entry.view.js';
import type { TransferStepKind } from './views/transfer.view.js';

/**
 * Keeps the read model (balances, statements, transfers) from the global feed: every event of
 * every account and transfer stream, in commit order, from a checkpoint stored in DynamoDB.
 *
 * Idempotent: each handler goes through `applyOnce(streamId, version)`, so an event delivered again
 * changes nothing. Rebuildable: `reset()` empties the store, then `ProjectionManager.rebuild()`
 * replays the whole feed into it.
 *
 * It forgets too (GDPR): a deleted account stream (`StreamDeleted`, delivered by the feed where the
 * stream was deleted) leaves the read model, and a forgotten customer's name (`CustomerForgotten`)
 * is redacted in the copies made while it was readable. A rebuild reads the names as the events
 * hold them now: `REDACTED` once forgotten.
 *
 * Small pages (25 events) so that a rebuild of the demo's few hundred events reports its progress
 * several times; a real app would use 100 to 500 (each page costs one checkpoint write).
 */
@Projection('bank-read-model', { pageSize: 25 })
export class BankReadModelProjection implements ResettableProjection {
  constructor(private readonly store: ReadModelStore) {}

  @ProjectionHandler(AccountOpened)
  opened(event: AccountOpened, envelope: FeedEvent<AccountOpened>): void {
    this.store.applyOnce(envelope.streamId, envelope.version, () => {
      const at = envelope.occurredAt.toISOString();
      const { accountId, customerId, owner, currency } = event;
      this.store.putAccount({ accountId, customerId, owner, currency, balanceCents: 0, status: 'open', version: envelope.version, openedAt: at, updatedAt: at }, envelope.streamId);
      this.store.updateAccount(accountId, () => ({ version: envelope.version, at, kind: 'opened', amountCents: 0, balanceAfterCents: 0 }));
    });
  }

  @ProjectionHandler(MoneyDeposited)
  deposited(event: MoneyDeposited, envelope: FeedEvent<MoneyDeposited>): void {
    this.move(envelope, event.accountId, 'deposit', event.amountCents);
  }

  @ProjectionHandler(MoneyWithdrawn)
  withdrawn(event: MoneyWithdrawn, envelope: FeedEvent<MoneyWithdrawn>): void {
    this.move(envelope, event.accountId, 'withdrawal', -event.amountCents);
  }

  @ProjectionHandler(MoneyWithdrawnForTransfer)
  withdrawnForTransfer(event: MoneyWithdrawnForTransfer, envelope: FeedEvent<MoneyWithdrawnForTransfer>): void {
    this.move(envelope, event.accountId, 'transfer-out', -event.amountCents, { transferId: event.transferId, counterpartyAccountId: event.toAccountId }, 'withdrawn');
  }

  @ProjectionHandler(MoneyDepositedFromTransfer)
  depositedFromTransfer(event: MoneyDepositedFromTransfer, envelope: FeedEvent<MoneyDepositedFromTransfer>): void {
    this.move(envelope, event.accountId, 'transfer-in', event.amountCents, { transferId: event.transferId, counterpartyAccountId: event.fromAccountId }, 'deposited');
  }

  @ProjectionHandler(TransferRefunded)
  refunded(event: TransferRefunded, envelope: FeedEvent<TransferRefunded>): void {
    this.move(envelope, event.accountId, 'transfer-refund', event.amountCents, { transferId: event.transferId, reason: event.reason }, 'refunded');
  }

  @ProjectionHandler(AccountClosed)
  closed(event: AccountClosed, envelope: FeedEvent<AccountClosed>): void {
    this.move(envelope, event.accountId, 'closed', 0);
  }

  /** A deleted stream (soft or hard): the account it held leaves the read model (GET answers 404, or 410 once hard-deleted). */
  @ProjectionHandler(StreamDeleted)
  streamDeleted(_event: StreamDeleted, envelope: FeedEvent<StreamDeleted>): void {
    // The deletion's version (the tombstone's) is above every event of the stream: events of it
    // delivered again afterwards are skipped, and an account opened again later is applied.
    this.store.applyOnce(envelope.streamId, envelope.version, () => this.store.removeStream(envelope.streamId));
  }

  @ProjectionHandler(CustomerForgotten)
  customerForgotten(event: CustomerForgotten, envelope: FeedEvent<CustomerForgotten>): void {
    this.store.applyOnce(envelope.streamId, envelope.version, () => this.store.forgetCustomer(event.customerId));
  }

  @ProjectionHandler(TransferRequested)
  transferRequested(event: TransferRequested, envelope: FeedEvent<TransferRequested>): void {
    this.store.applyOnce(envelope.streamId, envelope.version, () => {
      const at = envelope.occurredAt.toISOString();
      const { transferId, fromAccountId, toAccountId, amountCents, currency } = event;
      this.store.putTransfer({
        transferId,
        fromAccountId,
        toAccountId,
        amountCents,
        currency,
        status: 'pending',
        reason: null,
        compensated: false,
        requestedAt: at,
        updatedAt: at,
        steps: [],
      });
      this.step(transferId, 'requested', envelope);
    });
  }

  @ProjectionHandler(TransferCreditRefused)
  creditRefused(event: TransferCreditRefused, envelope: FeedEvent<TransferCreditRefused>): void {
    this.store.applyOnce(envelope.streamId, envelope.version, () => {
      this.store.updateTransfer(event.transferId, (view) => {
        view.status = 'compensating';
        view.reason = event.reason;
      });
      this.step(event.transferId, 'credit-refused', envelope);
    });
  }

  @ProjectionHandler(TransferCompleted)
  transferCompleted(event: TransferCompleted, envelope: FeedEvent<TransferCompleted>): void {
    this.store.applyOnce(envelope.streamId, envelope.version, () => {
      this.store.updateTransfer(event.transferId, (view) => (view.status = 'completed'));
      this.step(event.transferId, 'completed', envelope);
    });
  }

  @ProjectionHandler(TransferFailed)
  transferFailed(event: TransferFailed, envelope: FeedEvent<TransferFailed>): void {
    this.store.applyOnce(envelope.streamId, envelope.version, () => {
      this.store.updateTransfer(event.transferId, (view) => {
        view.status = 'failed';
        view.reason = event.reason;
        view.compensated = event.compensated;
      });
      this.step(event.transferId, 'failed', envelope);
    });
  }

  reset(): void {
    this.store.clear();
  }

  /** Applies a change of balance (signed) to an account, with its statement line and, for a transfer leg, the transfer's step. */
  private move(
    envelope: FeedEvent,
    accountId: string,
    kind: HistoryEntryKind,
    amountCents: number,
    extra: Pick<HistoryEntryView, 'transferId' | 'counterpartyAccountId' | 'reason'> = {},
    step?: TransferStepKind,
  ): void {
    this.store.applyOnce(envelope.streamId, envelope.version, () => {
      const at = envelope.occurredAt.toISOString();
      this.store.updateAccount(accountId, (view) => {
        view.balanceCents += amountCents;
        view.version = envelope.version;
        view.updatedAt = at;
        if (kind === 'closed') view.status = 'closed';
        return { version: envelope.version, at, kind, amountCents, balanceAfterCents: view.balanceCents, ...extra };
      });
      if (step !== undefined && extra.transferId !== undefined) this.step(extra.transferId, step, envelope);
    });
  }

  private step(transferId: string, step: TransferStepKind, envelope: FeedEvent): void {
    this.store.updateTransfer(transferId, (view) => {
      view.updatedAt = envelope.occurredAt.toISOString();
      view.steps.push({
        step,
        at: view.updatedAt,
        streamId: envelope.streamId,
        version: envelope.version,
        eventId: envelope.eventId,
        causationId: envelope.causationId ?? null,
        correlationId: envelope.correlationId ?? null,
      });
    });
  }
}

import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore, InjectAggregateRepository, isEvent, type AggregateRepository } from '../../../lib/index.js';
import { Account } from '../../accounts/account.aggregate.js';
import { MoneyDepositedFromTransfer } from '../../accounts/events/money-deposited-from-transfer.event.js';
import { MoneyDeposited } from '../../accounts/events/money-deposited.event.js';
import { MoneyWithdrawnForTransfer } from '../../accounts/events/money-withdrawn-for-transfer.event.js';
import { MoneyWithdrawn } from '../../accounts/events/money-withdrawn.event.js';
import { TransferRefunded } from '../../accounts/events/transfer-refunded.event.js';
import { NotFoundError } from '../../shared/not-found.error.js';
import type { AccountAuditResult } from '../account-audit.result.js';
import { AuditAccount } from './audit-account.query.js';

/** The events that put money on an account, and those that take it off. */
const CREDITS = [MoneyDeposited, MoneyDepositedFromTransfer, TransferRefunded] as const;
const DEBITS = [MoneyWithdrawn, MoneyWithdrawnForTransfer] as const;

/**
 * Replays an account's whole stream, whatever its length: `EventStore.replay` reads one page of
 * 100 versions at a time and holds no more than that page in memory. Strongly consistent, unlike
 * the read model, and independent of snapshots, which the aggregate's load relies on.
 */
@QueryHandler(AuditAccount)
export class AuditAccountHandler implements IQueryHandler<AuditAccount> {
  constructor(
    private readonly events: EventStore,
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  async execute({ accountId }: AuditAccount): Promise<AccountAuditResult> {
    // The aggregate first, then its events up to the version it was loaded at: a write landing
    // meanwhile is left out of both, and cannot show as a difference.
    const account = await this.accounts.load(accountId);
    if (account === null) throw new NotFoundError('account', accountId);
    let balanceFromEvents = 0;
    const { eventsHandled, lastVersion } = await this.events.replay(
      this.accounts.streamIdOf(accountId),
      // `eventTypes` types the envelope: EventEnvelope<MoneyDeposited | ... | MoneyWithdrawnForTransfer>,
      // all of which carry an amount. (Not `isEvent`'s else branch: MoneyWithdrawn has MoneyDeposited's
      // fields, so to the compiler an envelope that is not a credit is no debit either.)
      (envelope) => {
        const { amountCents } = envelope.event;
        balanceFromEvents += isEvent(envelope, ...CREDITS) ? amountCents : -amountCents;
      },
      // Other events (opened, closed) are left out without being decoded.
      { pageSize: 100, toVersion: this.accounts.versionOf(account), eventTypes: [...CREDITS, ...DEBITS] },
    );
    const balanceOfAggregate = account.balanceCents;
    return { accountId, eventsReplayed: eventsHandled, lastVersion, balanceFromEvents, balanceOfAggregate, consistent: balanceFromEvents === balanceOfAggregate };
  }
}

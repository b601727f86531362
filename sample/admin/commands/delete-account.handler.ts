import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ConcurrencyError, EventStore, InjectAggregateRepository, type AggregateRepository, type ErasureReport } from '../../../lib/index.js';
import { Account } from '../../accounts/account.aggregate.js';
import { DomainRuleError } from '../../shared/domain-rule.error.js';
import { NotFoundError } from '../../shared/not-found.error.js';
import { DeleteAccount } from './delete-account.command.js';

/**
 * Deletes an account's stream with `EventStore.deleteStream` and answers its erasure report.
 *
 * Only a closed account (balance zero, nothing in flight) is deleted: the bank's rule, checked on
 * the account as loaded, while `deleteStream` checks atomically that it is still at the version the
 * client decided on (409 otherwise), so nothing can land between the check and the deletion.
 * A hard delete waits out the purge fence (`lifecycle.purgeFenceMs`) before it erases: the request
 * takes that long. Loading a hard-deleted account throws StreamDeletedError (410).
 */
@CommandHandler(DeleteAccount)
export class DeleteAccountHandler implements ICommandHandler<DeleteAccount> {
  constructor(
    private readonly events: EventStore,
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  async execute({ accountId, mode, expectedVersion }: DeleteAccount): Promise<ErasureReport> {
    const streamId = this.accounts.streamIdOf(accountId);
    const account = await this.accounts.load(accountId);
    if (account === null) {
      // Unknown, or soft-deleted already (it reads as empty). A hard delete at version 0 erases a
      // soft-deleted stream; for a stream that never existed the store refuses it (version 0, nothing to delete).
      if (mode !== 'hard' || expectedVersion !== 0) throw new NotFoundError('account', accountId);
      try {
        return await this.events.deleteStream(streamId, { expectedVersion, mode });
      } catch (error) {
        if (error instanceof ConcurrencyError && error.actualVersion === 0) throw new NotFoundError('account', accountId);
        throw error;
      }
    }
    if (account.status !== 'closed') {
      throw new DomainRuleError('ACCOUNT_NOT_CLOSED', `Account "${accountId}" is open: close it (its balance must be zero) before deleting it.`, {
        balanceCents: account.balanceCents,
      });
    }
    return this.events.deleteStream(streamId, { expectedVersion, mode });
  }
}

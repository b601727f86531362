import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, type AggregateRepository } from '../../../lib/index.js';
import { Account } from '../../accounts/account.aggregate.js';
import { NotFoundError } from '../../shared/not-found.error.js';
import { ReadModelStore } from '../read-model.store.js';
import { StreamProbe } from '../stream-probe.js';
import { GetAccountHistory } from './get-account-history.query.js';

@QueryHandler(GetAccountHistory)
export class GetAccountHistoryHandler implements IQueryHandler<GetAccountHistory> {
  constructor(
    private readonly store: ReadModelStore,
    private readonly probe: StreamProbe,
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  async execute({ accountId }: GetAccountHistory) {
    const view = this.store.account(accountId);
    const entries = this.store.history(accountId);
    if (view !== undefined && entries !== undefined) return { accountId, currency: view.currency, version: view.version, entries };
    throw new NotFoundError('account', accountId, await this.probe.exists(this.accounts.streamIdOf(accountId)));
  }
}

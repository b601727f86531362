import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, type AggregateRepository } from '../../../lib/index.js';
import { Account } from '../../accounts/account.aggregate.js';
import { NotFoundError } from '../../shared/not-found.error.js';
import { ReadModelStore } from '../read-model.store.js';
import { StreamProbe } from '../stream-probe.js';
import { GetAccount } from './get-account.query.js';

/** Reads the read model: eventually consistent, the feed's settle window (500 ms here) behind the writes. */
@QueryHandler(GetAccount)
export class GetAccountHandler implements IQueryHandler<GetAccount> {
  constructor(
    private readonly store: ReadModelStore,
    private readonly probe: StreamProbe,
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  async execute({ accountId }: GetAccount) {
    const view = this.store.account(accountId);
    if (view !== undefined) return view;
    throw new NotFoundError('account', accountId, await this.probe.exists(this.accounts.streamIdOf(accountId)));
  }
}

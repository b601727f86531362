import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, WithCommandMetadata, type AggregateRepository } from '../../../lib/index.js';
import { Account } from '../../accounts/account.aggregate.js';
import { loadAccount } from '../../accounts/account-changes.js';
import { Transfer } from '../transfer.aggregate.js';
import { RequestTransfer } from './request-transfer.command.js';

/**
 * Records the request and returns at once (202): the saga moves the money. Only the source is
 * checked here (it must exist, and gives the currency). Funds and the target are checked by the
 * saga's legs, when the money actually moves: a balance can change in between, and a target can be
 * closed in between, so those checks would have to be made there anyway.
 */
@CommandHandler(RequestTransfer)
export class RequestTransferHandler implements ICommandHandler<RequestTransfer> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
    @InjectAggregateRepository(Transfer) private readonly transfers: AggregateRepository<Transfer>,
  ) {}

  @WithCommandMetadata()
  async execute({ transferId, fromAccountId, toAccountId, amountCents }: RequestTransfer) {
    const source = await loadAccount(this.accounts, fromAccountId);
    const transfer = Transfer.request(transferId, fromAccountId, toAccountId, amountCents, source.currency);
    await this.transfers.save(transfer); // NO_STREAM: transfer ids are generated, so never taken
    const { status, currency } = transfer;
    return { transferId, status, fromAccountId, toAccountId, amountCents, currency };
  }
}

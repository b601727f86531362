import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectAggregateRepository, type AggregateRepository } from '../../../lib/index.js';
import { NotFoundError } from '../../shared/not-found.error.js';
import { Transfer } from '../../transfers/transfer.aggregate.js';
import { ReadModelStore } from '../read-model.store.js';
import { StreamProbe } from '../stream-probe.js';
import { GetTransfer } from './get-transfer.query.js';

@QueryHandler(GetTransfer)
export class GetTransferHandler implements IQueryHandler<GetTransfer> {
  constructor(
    private readonly store: ReadModelStore,
    private readonly probe: StreamProbe,
    @InjectAggregateRepository(Transfer) private readonly transfers: AggregateRepository<Transfer>,
  ) {}

  async execute({ transferId }: GetTransfer) {
    const view = this.store.transfer(transferId);
    if (view !== undefined) return view;
    throw new NotFoundError('transfer', transferId, await this.probe.exists(this.transfers.streamIdOf(transferId)));
  }
}

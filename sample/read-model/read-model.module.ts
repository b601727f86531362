import { Module } from '@nestjs/common';
import { BankAggregatesModule } from '../bank-aggregates.module.js';
import { BankReadModelProjection } from './bank-read-model.projection.js';
import { GetAccountHistoryHandler } from './queries/get-account-history.handler.js';
import { GetAccountHandler } from './queries/get-account.handler.js';
import { GetTransferHandler } from './queries/get-transfer.handler.js';
import { ReadModelStoreModule } from './read-model-store.module.js';
import { ReadModelWarmup } from './read-model-warmup.service.js';
import { StreamProbe } from './stream-probe.js';

/**
 * The query side: the projection that keeps the read model, and the query handlers that read it.
 * The projection is a provider like the query handlers: the ProjectionManager finds it here (by its
 * `@Projection`) and runs it, and Nest injects it with this module's ReadModelStore.
 */
@Module({
  imports: [ReadModelStoreModule, BankAggregatesModule],
  providers: [BankReadModelProjection, GetAccountHandler, GetAccountHistoryHandler, GetTransferHandler, StreamProbe, ReadModelWarmup],
})
export class ReadModelModule {}

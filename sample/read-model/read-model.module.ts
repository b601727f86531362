import { Module } from '@nestjs/common';
import { DynamoEventSourcingModule } from '../../lib/index.js';
import { BankAggregatesModule } from '../bank-aggregates.module.js';
import { BankReadModelProjection } from './bank-read-model.projection.js';
import { GetAccountHistoryHandler } from './queries/get-account-history.handler.js';
import { GetAccountHandler } from './queries/get-account.handler.js';
import { GetTransferHandler } from './queries/get-transfer.handler.js';
import { ReadModelStoreModule } from './read-model-store.module.js';
import { ReadModelWarmup } from './read-model-warmup.service.js';
import { StreamProbe } from './stream-probe.js';

/** The query side: the projection that keeps the read model, and the query handlers that read it. */
@Module({
  imports: [
    ReadModelStoreModule,
    BankAggregatesModule,
    DynamoEventSourcingModule.forFeature({ projections: [BankReadModelProjection], imports: [ReadModelStoreModule] }),
  ],
  providers: [GetAccountHandler, GetAccountHistoryHandler, GetTransferHandler, StreamProbe, ReadModelWarmup],
})
export class ReadModelModule {}

import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DynamoEventSourcingModule, type DynamoEventSourcingModuleOptions } from '../lib/index.js';
import { AccountsModule } from './accounts/accounts.module.js';
import { AdminModule } from './admin/admin.module.js';
import { DynamoDbConnectionLifecycle, DYNAMODB_CONNECTION } from './dynamodb/dynamodb-connection.lifecycle.js';
import type { DynamoDbConnection } from './dynamodb/dynamodb-connection.js';
import { HealthModule } from './health/health.module.js';
import { ApiErrorFilter } from './http/api-error.filter.js';
import { BodyValidationPipe } from './http/body-validation.pipe.js';
import { ReadModelModule } from './read-model/read-model.module.js';
import { SAMPLE_ONLY_PERSONAL_DATA_KEY } from './shared/sample-personal-data-key.js';
import { TransfersModule } from './transfers/transfers.module.js';

export interface BankAppOptions {
  readonly dynamoDb: DynamoDbConnection;
  /** Prepended to the table names (`events`, `snapshots`, `projections`, `personal-data-keys`). Default `bank-`. */
  readonly tablePrefix?: string;
  /**
   * The local key (32 bytes, base64) that wraps the customers' data keys: PERSONAL_DATA_LOCAL_KEY.
   * Default: a public key for the sample only (see shared/sample-personal-data-key.ts).
   */
  readonly personalDataKey?: string;
  /**
   * How long a hard delete waits before it erases (`lifecycle.purgeFenceMs`), with the boundary
   * cache's trust it must outlast. Default: the library's (trust 5 s, fence 10 s). The demo and the
   * tests shorten both: one process, and no one waiting.
   */
  readonly erasureTiming?: { readonly boundaryCacheTrustMs: number; readonly purgeFenceMs: number };
}

/** The bank: accounts and transfers (commands), the read model (queries), admin, health, and the HTTP error mapping. */
@Module({})
export class AppModule {
  static forRoot({ dynamoDb, tablePrefix = 'bank-', personalDataKey = SAMPLE_ONLY_PERSONAL_DATA_KEY, erasureTiming }: BankAppOptions): DynamicModule {
    const timing: Partial<DynamoEventSourcingModuleOptions> =
      erasureTiming === undefined ? {} : { boundaryCache: { trustMs: erasureTiming.boundaryCacheTrustMs }, lifecycle: { purgeFenceMs: erasureTiming.purgeFenceMs } };
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({
          clientConfig: dynamoDb.clientConfig,
          tablePrefix,
          tableSetup: 'create', // a sample creates its tables; a real app would provision them and 'verify'
          snapshots: { keep: 2 },
          // The feed (read by the read model's projection) is indexed from the events table's
          // DynamoDB Stream by an indexer this app runs (the default): the read model follows writes
          // a few hundred ms behind.
          // ReadModelWarmup rebuilds the in-memory read model, then starts the projection.
          projections: { autoStart: false },
          // Crypto-shredding: @PersonalData() fields (the owner's name) are sealed under a data key per
          // customer (@DataSubject()), kept in this table; forgetting the customer deletes the key.
          // Production wraps the keys with AWS KMS: wrapping: { kmsKeyId: 'alias/bank-pii' }.
          personalData: { keysTable: 'personal-data-keys', wrapping: { localKey: personalDataKey } },
          ...timing,
        }),
        AccountsModule,
        TransfersModule,
        ReadModelModule,
        AdminModule,
        HealthModule,
      ],
      providers: [
        { provide: DYNAMODB_CONNECTION, useValue: dynamoDb },
        DynamoDbConnectionLifecycle,
        { provide: APP_FILTER, useClass: ApiErrorFilter },
        { provide: APP_PIPE, useClass: BodyValidationPipe },
      ],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DynamoEventSourcingModule } from '../lib/index.js';
import { AccountsModule } from './accounts/accounts.module.js';
import { AdminModule } from './admin/admin.module.js';
import { DynamoDbConnectionLifecycle, DYNAMODB_CONNECTION } from './dynamodb/dynamodb-connection.lifecycle.js';
import type { DynamoDbConnection } from './dynamodb/dynamodb-connection.js';
import { ApiErrorFilter } from './http/api-error.filter.js';
import { BodyValidationPipe } from './http/body-validation.pipe.js';
import { ReadModelModule } from './read-model/read-model.module.js';
import { TransfersModule } from './transfers/transfers.module.js';

export interface BankAppOptions {
  readonly dynamoDb: DynamoDbConnection;
  /** Prepended to the table names (`events`, `snapshots`, `projections`). Default `bank-`. */
  readonly tablePrefix?: string;
  /** The feed's settle window in ms. Default 500 (see below). */
  readonly settleMs?: number;
}

/** The bank: accounts and transfers (commands), the read model (queries), admin, and the HTTP error mapping. */
@Module({})
export class AppModule {
  static forRoot({ dynamoDb, tablePrefix = 'bank-', settleMs = 500 }: BankAppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({
          clientConfig: dynamoDb.clientConfig,
          tablePrefix,
          tableSetup: 'create', // a sample creates its tables; a real app would provision them and 'verify'
          snapshots: { keep: 2 },
          // The read model shows a commit once it is `settleMs` old. The default (2 s) covers clock
          // skew between writers and the index's propagation on AWS. This sample runs one writer on
          // one clock against DynamoDB Local, so the window only has to cover a write's own latency:
          // 500 ms keeps reads close behind writes. (200 ms was too tight: a cold DynamoDB Local on a
          // small machine took up to 230 ms to acknowledge a write, and the library warned.)
          feed: { settleMs },
          // ReadModelWarmup rebuilds the in-memory read model, then starts the projection.
          projections: { autoStart: false },
        }),
        AccountsModule,
        TransfersModule,
        ReadModelModule,
        AdminModule,
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

import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DynamoEventSourcingModule } from '../lib/index.js';
import { AccountsModule } from './accounts/accounts.module.js';
import { AdminModule } from './admin/admin.module.js';
import { DynamoDbConnectionLifecycle, DYNAMODB_CONNECTION } from './dynamodb/dynamodb-connection.lifecycle.js';
import type { DynamoDbConnection } from './dynamodb/dynamodb-connection.js';
import { HealthModule } from './health/health.module.js';
import { ApiErrorFilter } from './http/api-error.filter.js';
import { BodyValidationPipe } from './http/body-validation.pipe.js';
import { ReadModelModule } from './read-model/read-model.module.js';
import { TransfersModule } from './transfers/transfers.module.js';

export interface BankAppOptions {
  readonly dynamoDb: DynamoDbConnection;
  /** Prepended to the table names (`events`, `snapshots`, `projections`). Default `bank-`. */
  readonly tablePrefix?: string;
}

/** The bank: accounts and transfers (commands), the read model (queries), admin, health, and the HTTP error mapping. */
@Module({})
export class AppModule {
  static forRoot({ dynamoDb, tablePrefix = 'bank-' }: BankAppOptions): DynamicModule {
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

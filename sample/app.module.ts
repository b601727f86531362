import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoEventSourcingModule } from '../lib/index.js';
import { ACCOUNT_EVENTS } from './accounts/account.events.js';
import { AccountActivityHandler } from './accounts/account-activity.handler.js';
import { AccountsService } from './accounts/accounts.service.js';

@Module({})
export class AppModule {
  static forDynamo(clientConfig: DynamoDBClientConfig, eventsTable = 'sample-events'): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        DynamoEventSourcingModule.forRoot({
          clientConfig,
          tableSetup: 'create',
          tables: { events: eventsTable },
          events: ACCOUNT_EVENTS,
        }),
      ],
      providers: [AccountsService, AccountActivityHandler],
    };
  }
}

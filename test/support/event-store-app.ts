import { CqrsModule, EventBus } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { DynamoEventSourcingModule, EventStore, type DynamoEventSourcingModuleOptions } from '../../lib/index.js';
import { deleteTables, testClientConfig, uniqueTableName } from './dynamodb.js';
import { TEST_EVENTS } from './events.js';

export interface EventStoreApp {
  readonly module: TestingModule;
  readonly store: EventStore;
  readonly eventBus: EventBus;
  readonly tableName: string;
  close(): Promise<void>;
}

/** A Nest testing module with CqrsModule and DynamoEventSourcingModule on a fresh table. */
export async function createEventStoreApp(
  label: string,
  options: Partial<DynamoEventSourcingModuleOptions> = {},
  providers: Parameters<typeof Test.createTestingModule>[0]['providers'] = [],
): Promise<EventStoreApp> {
  const tableName = options.tables?.events ?? uniqueTableName(label);
  const module = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({
        clientConfig: testClientConfig(),
        tableSetup: 'create',
        events: TEST_EVENTS,
        ...options,
        tables: { events: tableName },
      }),
    ],
    providers,
  }).compile();
  await module.init();
  return {
    module,
    store: module.get(EventStore),
    eventBus: module.get(EventBus),
    tableName,
    async close() {
      await module.close();
      await deleteTables(tableName);
    },
  };
}

/** Everything a read yields, as an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

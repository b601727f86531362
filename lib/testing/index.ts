export { EmbeddedDynamoDb, EmbeddedDynamoDbError, localClientConfig, type EmbeddedDynamoDbOptions } from './embedded-dynamodb.js';
export { InMemoryEventStore } from './in-memory/in-memory-event-store.js';
export { InMemorySnapshotRepository } from './in-memory/in-memory-snapshot-repository.js';
export { InMemoryDataKeyTable } from './in-memory/in-memory-data-key-table.js';
export type { InMemoryPersonalDataOptions } from './in-memory/interfaces/in-memory-personal-data-options.interface.js';
export { InMemoryEventSourcingModule } from './in-memory/in-memory-event-sourcing.module.js';
export type { InMemoryEventStoreOptions } from './in-memory/interfaces/in-memory-event-store-options.interface.js';
export type { InMemoryEventSourcingModuleOptions } from './in-memory/interfaces/in-memory-event-sourcing-module-options.interface.js';

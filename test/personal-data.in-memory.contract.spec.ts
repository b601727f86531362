import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { DynamoEventSourcingModule, EventStore, getAggregateRepositoryToken, SnapshotRepository, type AggregateRepository } from '../lib/index.js';
import { InMemoryEventSourcingModule, InMemoryEventStore, InMemorySnapshotRepository, type InMemoryEventSourcingModuleOptions } from '../lib/testing/index.js';
import {
  describePersonalDataContract,
  PERSONAL_DATA_CONTRACT_EVENTS,
  PERSONAL_DATA_CONTRACT_FEATURE,
  PERSONAL_DATA_CONTRACT_TYPES,
  type ContractCustomer,
} from './contract/personal-data.contract.js';

async function start(options: InMemoryEventSourcingModuleOptions): Promise<TestingModule> {
  const module = await Test.createTestingModule({
    imports: [CqrsModule.forRoot(), InMemoryEventSourcingModule.forRoot(options), DynamoEventSourcingModule.forFeature(PERSONAL_DATA_CONTRACT_FEATURE)],
  }).compile();
  await module.init();
  return module;
}

/** The stored form, read from the stores' private state: what an export of the DynamoDB tables would show. */
function rawText(module: TestingModule): string {
  const store = module.get(InMemoryEventStore);
  const log = (store as unknown as { log: { feedLength: number; feedAt(index: number): object | undefined } }).log;
  const commits = Array.from({ length: log.feedLength }, (_, i) => log.feedAt(i));
  const snapshots = (module.get(InMemorySnapshotRepository) as unknown as { streams: Map<string, Map<string, object>> }).streams;
  const keys = (store.personalDataKeys as unknown as { items: Map<string, object> }).items;
  return JSON.stringify({ commits, snapshots: [...snapshots.values()].flatMap((stream) => [...stream.values()]), keys: [...keys.values()] });
}

// Through the Nest module, as users get it: `personalData` needs no keys table nor wrapping key in memory.
describePersonalDataContract('in memory', async () => {
  const options: InMemoryEventSourcingModuleOptions = { events: PERSONAL_DATA_CONTRACT_EVENTS, snapshots: {}, personalData: { types: PERSONAL_DATA_CONTRACT_TYPES } };
  const module = await start(options);
  const store = module.get(InMemoryEventStore);
  return {
    store: module.get(EventStore),
    customers: module.get<AggregateRepository<ContractCustomer>>(getAggregateRepositoryToken(PERSONAL_DATA_CONTRACT_FEATURE.aggregates![0]!.type)),
    snapshots: module.get(SnapshotRepository),
    settle: async () => undefined, // a feed read sees every commit made before it
    rawText: async () => rawText(module),
    loseKey: async (subjectId) => void store.personalDataKeys!.delete(subjectId),
    openWithoutPersonalData: async () => {
      const plain = await start({ ...options, personalData: undefined });
      return { store: plain.get(EventStore), close: () => plain.close() };
    },
    close: () => module.close(),
  };
});

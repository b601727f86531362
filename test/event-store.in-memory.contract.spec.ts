import { CqrsModule, EventBus } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { EventStore } from '../lib/index.js';
import { InMemoryEventSourcingModule } from '../lib/testing/index.js';
import { CONTRACT_EVENTS, describeEventStoreContract } from './contract/event-store.contract.js';

// Through the Nest module, as users get it: `EventStore` injected, the EventBus of CqrsModule.
describeEventStoreContract('in memory', async () => {
  const module = await Test.createTestingModule({
    imports: [CqrsModule.forRoot(), InMemoryEventSourcingModule.forRoot({ events: CONTRACT_EVENTS })],
  }).compile();
  await module.init();
  return {
    store: module.get(EventStore),
    eventBus: module.get(EventBus),
    settle: async () => undefined, // no settle window in memory: a read sees every commit made before it
    close: () => module.close(),
  };
});

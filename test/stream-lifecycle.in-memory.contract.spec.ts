import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { EventStore } from '../lib/index.js';
import { InMemoryEventSourcingModule } from '../lib/testing/index.js';
import { CONTRACT_CLOCK, describeStreamLifecycleContract } from './contract/stream-lifecycle.contract.js';
import { TEST_EVENTS } from './support/events.js';

// Through the Nest module, as users get it: `EventStore` injected, the contract's clock as `lifecycle.clock`.
describeStreamLifecycleContract('in memory', async () => {
  const module = await Test.createTestingModule({
    imports: [CqrsModule.forRoot(), InMemoryEventSourcingModule.forRoot({ events: TEST_EVENTS, lifecycle: { clock: CONTRACT_CLOCK.now } })],
  }).compile();
  await module.init();
  return {
    store: module.get(EventStore),
    settle: async () => undefined, // no settle window in memory: a read sees every commit made before it
    close: () => module.close(),
  };
});

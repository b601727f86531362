import { CONTRACT_CLOCK, describeStreamLifecycleContract } from './contract/stream-lifecycle.contract.js';
import { createEventStoreApp } from './support/event-store-app.js';
import { TEST_EVENTS } from './support/events.js';

/**
 * The DynamoDB store under the lifecycle contract, with the in-app indexer building the feed index
 * (`settle` waits until it lists every commit). A short boundary-cache trust and purge fence keep
 * hard deletes, which wait the fence before erasing, quick; what the fence protects against (a
 * stale cache in another process) is tested on its own.
 */
describeStreamLifecycleContract('DynamoDB', async () => {
  const app = await createEventStoreApp('lifecycle', {
    events: TEST_EVENTS,
    feed: {},
    boundaryCache: { trustMs: 100 },
    lifecycle: { clock: CONTRACT_CLOCK.now, purgeFenceMs: 500 },
  });
  return { store: app.store, settle: () => app.feedIndexed(), close: () => app.close() };
});

import { CONTRACT_EVENTS, describeEventStoreContract } from './contract/event-store.contract.js';
import { createEventStoreApp } from './support/event-store-app.js';

/**
 * The DynamoDB store under the contract, with the module's in-app indexer building the feed index
 * from the table's DynamoDB Stream. `settle` waits until the index lists every commit in the table:
 * a `replayAll$` started afterwards sees them all (the indexer's lag, not a settle window).
 */
describeEventStoreContract('DynamoDB', async () => {
  const app = await createEventStoreApp('contract', { events: CONTRACT_EVENTS, feed: {} });
  return { store: app.store, eventBus: app.eventBus, settle: () => app.feedIndexed(), close: () => app.close() };
});

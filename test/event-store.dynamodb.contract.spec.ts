import { sleep } from '../lib/event-store/retry-policy.js';
import { CONTRACT_EVENTS, describeEventStoreContract } from './contract/event-store.contract.js';
import { createEventStoreApp } from './support/event-store-app.js';

/** A short settle window keeps the feed tests quick; DynamoDB Local updates the feed index at once. */
const SETTLE_MS = 150;

/**
 * The feed delivers a commit once the reader's clock is `feed.settleMs` past the commit's time (its
 * documented settle window). Every commit made before this call is stamped at or before `now`, so
 * once the clock reads past `now + SETTLE_MS`, a read started then sees them all.
 */
async function waitOutSettleWindow(): Promise<void> {
  const due = Date.now() + SETTLE_MS + 1;
  while (Date.now() < due) await sleep(due - Date.now());
}

describeEventStoreContract('DynamoDB', async () => {
  const app = await createEventStoreApp('contract', { events: CONTRACT_EVENTS, feed: { shards: 3, settleMs: SETTLE_MS } });
  return { store: app.store, eventBus: app.eventBus, settle: waitOutSettleWindow, close: () => app.close() };
});

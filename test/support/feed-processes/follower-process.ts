// An app instance of the multi-process feed tests that runs one live projection (`@Projection`
// with the default options) and reports every event its handler is called with, in order. It
// neither writes nor indexes (`feed.indexer: false`): it sees other processes' commits only
// through the feed index, by polling it.
import { createChildApp, fail, fromEnv, onMessage, ready, realNow, send } from './child-runtime.js';
import { Projection, ProjectionHandler, ProjectionManager, type FeedEvent } from '../../../lib/index.js';
import { AccountOpened, MoneyDeposited, MoneyWithdrawn } from '../events.js';
import type { FeedTables, Handled } from './feed-messages.js';

const tables = fromEnv<FeedTables>('FEED_TABLES');
const FOLLOWER = 'multi-process-follower';

let pending: Handled[] = [];

@Projection(FOLLOWER)
class FollowerProjection {
  @ProjectionHandler(AccountOpened, MoneyDeposited, MoneyWithdrawn)
  on(_event: object, envelope: FeedEvent): void {
    pending.push([envelope.streamId, envelope.version, realNow()]);
  }
}

const app = await createChildApp({ tables, feed: { indexer: false }, projections: [FollowerProjection] });
const manager = app.get(ProjectionManager);

const flush = setInterval(() => {
  if (pending.length === 0) return;
  const events = pending;
  pending = [];
  void send({ type: 'handled', events });
}, 100);

onMessage((message) => {
  if (message.type !== 'close') return;
  clearInterval(flush);
  void app.close().then(() => process.exit(0), fail);
});

await ready();
let wasLive = false;
let lastFailure: string | undefined;
setInterval(() => {
  const { state, lastError } = manager.status(FOLLOWER);
  if (state === 'live' && !wasLive) {
    wasLive = true;
    void send({ type: 'live' });
  } else if (state === 'blocked') {
    void fail(new Error(`the projection is blocked: ${lastError?.message}`));
  } else if (state === 'failing' && lastError?.message !== lastFailure) {
    // Retried by the projection: shown with the test's failure, if it fails.
    lastFailure = lastError?.message;
    console.error(`projection failing: ${lastFailure}`);
  }
}, 20);

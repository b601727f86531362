// An app instance of the multi-process feed tests that runs the in-app feed indexer (the module's
// FeedIndexerService, with INDEXER_OPTIONS as `feed.indexer`) and nothing else. It reports its
// state and every batch write to the feed index, and can stop itself at a chosen batch write
// (INDEXER_FAULT): SIGKILL (a crash) or SIGSTOP (a process frozen, until the test sends SIGCONT).
import { createChildApp, fail, fromEnv, onMessage, ready, send } from './child-runtime.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FeedIndexerOptions } from '../../../lib/index.js';
import { FeedIndexerService } from '../../../lib/feed/indexer/feed-indexer.service.js';
import { FEED_INDEX_STREAM } from '../../../lib/feed/index/feed-index-keys.js';
import { EventItemAttribute as E } from '../../../lib/tables/events-table.js';
import { testClientConfig } from '../dynamodb.js';
import type { FeedTables, IndexerFault } from './feed-messages.js';

const tables = fromEnv<FeedTables>('FEED_TABLES');
const indexerOptions = fromEnv<FeedIndexerOptions>('INDEXER_OPTIONS');
const fault = process.env.INDEXER_FAULT === undefined ? undefined : fromEnv<IndexerFault>('INDEXER_FAULT');

type Item = Record<string, { S?: string; N?: string }>;

/** A batch of the feed index (`$$feed` at a position >= 1): what the indexer appends, always conditionally. */
function indexBatch(commandName: string | undefined, input: { Item?: Item }): { position: number; lastPosition: number; writer: string } | undefined {
  if (commandName !== 'PutItemCommand' || input.Item?.[E.streamId]?.S !== FEED_INDEX_STREAM) return undefined;
  const position = Number(input.Item[E.version]?.N);
  if (!(position >= 1)) return undefined; // the index's meta item, or a checkpoint saved without a batch
  return { position, lastPosition: Number(input.Item[E.lastVersion]?.N), writer: input.Item['writer']?.S ?? '?' };
}

const client = new DynamoDBClient({ ...testClientConfig(), maxAttempts: 8 });
let writes = 0;
// Outside the SDK's retries ('initialize'): one report per batch write as the indexer sees it.
client.middlewareStack.add(
  (next, context) => async (args) => {
    const batch = indexBatch(context.commandName, args.input as { Item?: Item });
    if (batch === undefined) return next(args);
    const n = ++writes;
    const stopHere = async (at: IndexerFault['at']): Promise<void> => {
      if (fault === undefined || fault.write !== n || fault.at !== at) return;
      await send({ type: 'fault', fault: at, signal: fault.signal, ...batch });
      // Synchronous: nothing more of this process runs before the signal takes it (or, SIGSTOP, until SIGCONT).
      process.kill(process.pid, fault.signal);
    };
    await stopHere('before-write');
    try {
      const result = await next(args);
      await stopHere('after-write');
      void send({ type: 'index-write', ...batch, landed: true });
      return result;
    } catch (error) {
      void send({ type: 'index-write', ...batch, landed: false, error: (error as Error).name });
      throw error;
    }
  },
  { step: 'initialize', name: 'feedIndexWrites' },
);

const app = await createChildApp({ tables, feed: { indexer: indexerOptions }, client });
const service = app.get(FeedIndexerService);

let reported = '';
const watch = setInterval(() => {
  const status = service.status();
  if (status === undefined) return void fail(new Error('the module did not start the feed indexer in this app'));
  const line = `${status.state}:${status.lastPosition}`;
  if (line === reported) return;
  reported = line;
  void send({ type: 'status', state: status.state, lastPosition: status.lastPosition });
}, 20);

onMessage((message) => {
  if (message.type !== 'close') return;
  clearInterval(watch);
  void app
    .close()
    .then(() => client.destroy())
    .then(() => process.exit(0), fail);
});

await ready();

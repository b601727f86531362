import { FeedDisabledError } from '../errors/feed-disabled.error.js';
import type { CliCommand } from './cli-command.js';
import { CliError } from './cli-error.js';

// The AWS SDK is loaded inside run(): help and usage errors answer without it.

const reconcile: CliCommand = {
  name: 'feed reconcile',
  usage: 'feed reconcile [options]',
  summary: 'Index the commits the feed index is missing, from the events table itself',
  description: `Makes the feed index complete again after the indexer missed records: a Lambda indexer whose
event source mapping gave up on a batch (a message in its on-failure destination), or an indexer down
for longer than the stream keeps records (24 hours). The in-app indexer does this on its own when it
finds records trimmed; this command is for the other cases.

It reads the whole index, scans the events table for commits the index does not hold, appends them
(each stream in version order, across streams by commit time), reads the table's stream to its
newest record dropping what it indexed, and saves that position for the indexer to go on from. It
holds the in-app indexers' lease meanwhile; if an indexer holds it, nothing is done (that indexer
keeps the index complete). Idempotent. Prints a JSON report; progress goes to stderr.

Cost: one strongly consistent Scan of the events table (1 read unit per 4 KB read) and a read of the
whole index, plus the index writes.`,
  options: {},
  positionals: { min: 0, max: 0 },
  async run(context) {
    const settings = await context.settings();
    if (settings.resolved.feed === undefined) throw new FeedDisabledError();
    const { eventsTable, retry } = settings.resolved;
    const [{ withCliRuntime }, { reconcileFeedIndex }, { withIndexerLease }] = await Promise.all([
      import('./cli-runtime.js'),
      import('../feed/indexer/feed-reconciler.js'),
      import('../feed/indexer/indexer-lease.js'),
    ]);
    return withCliRuntime(settings, async ({ client }) => {
      const log = (line: string) => context.io.stderr.write(`${line}\n`);
      const report = await withIndexerLease({ client, tableName: eventsTable, retry, log }, (writer) => reconcileFeedIndex({ client, tableName: eventsTable, retry, writer, log }));
      if (report === undefined) throw new CliError('an indexer holds the lease and keeps the index complete: nothing was done (stop it first to reconcile by hand)');
      context.io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    });
  },
};

/** `feed reconcile`, listed in the `feed` group (run.ts). */
export const feedReconcileCommands: readonly CliCommand[] = [reconcile];

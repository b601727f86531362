import { FeedDisabledError } from '../errors/feed-disabled.error.js';
import { FeedCheckpointMismatchError } from '../errors/feed-checkpoint-mismatch.error.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { parseCheckpoint } from '../feed/feed-checkpoint.js';
import { parseLegacyCheckpoint } from '../feed/migration/legacy-checkpoint.js';
import type { CliCommand } from './cli-command.js';
import { CliError, CliUsageError } from './cli-error.js';
import { confirmConsequence } from './confirmation.js';
import { PROGRAM } from './command-line.js';

// The AWS SDK is loaded inside run(): help and usage errors answer without it.


const DROP_GSI_WHY = `--drop-gsi deletes version 0.3's global secondary index "feed". Do it only once every writer and reader runs 0.4: 0.3 writers still stamp feedShard for that index, and 0.3 readers (replayAll$, projections, feed tail) read the feed from it.`;

const migrate: CliCommand = {
  name: 'feed migrate',
  usage: 'feed migrate [--drop-gsi] [--yes] [options]',
  summary: "Move a 0.3 events table to the feed on DynamoDB Streams, and convert the projections' checkpoints",
  description: `Moves the events table of version 0.3 (whose feed was its global secondary index "feed") to the
feed of 0.4, built from the table's DynamoDB Stream:
  1. enables the table's stream (view type NEW_IMAGE) if it has none, and waits until it is active;
  2. builds the feed index from the commits in the table, in 0.3's order (commit time, stream id,
     version), then reads the stream to its newest record so that the indexer goes on from there;
  3. converts the 0.3 checkpoints stored in the projections table to checkpoints of the new index,
     each resuming right after the event the old one named; a projection a 0.3 instance runs (its
     lease is live) is left as it is, and converted by a run after that instance stopped;
  4. with --drop-gsi, deletes 0.3's index.
Then prints a JSON report: the stream's ARN, the commits indexed, each checkpoint converted (old ->
new), and what became of the index. Progress goes to stderr.

Every step is idempotent: run it again at will, also while 0.3 and 0.4 app instances run.
Upgrade order: run it (0.3 keeps running), deploy 0.4 everywhere, run it again (it converts the
checkpoints 0.3 projections saved meanwhile), and once no 0.3 instance is left, run it with
--drop-gsi. For a checkpoint kept outside the projections table, see feed convert-checkpoint.

Options:
  --drop-gsi             Also delete 0.3's global secondary index "feed" (asks first)
  --yes                  Do not ask before deleting it (for scripts)`,
  options: { 'drop-gsi': { type: 'boolean' }, yes: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  async run(context) {
    const { io, values } = context;
    const dropGsi = values['drop-gsi'] === true;
    if (values.yes === true && !dropGsi) throw new CliUsageError('--yes confirms --drop-gsi; without it there is nothing to confirm');
    const settings = await context.settings();
    if (settings.resolved.feed === undefined) throw new FeedDisabledError();
    const { eventsTable, projectionsTable, retry } = settings.resolved;
    if (dropGsi) {
      await confirmConsequence(io, values, { command: 'feed migrate --drop-gsi', explanation: DROP_GSI_WHY, question: `Delete the index "feed" of table "${eventsTable}"?` });
    }
    const [{ withCliRuntime }, { migrateFeed }] = await Promise.all([import('./cli-runtime.js'), import('../feed/migration/feed-migration.js')]);
    return withCliRuntime(settings, async ({ client }) => {
      const report = await migrateFeed({ client, eventsTable, projectionsTable, retry, dropGsi, log: (line) => io.stderr.write(`${line}\n`) });
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      if (report.gsi === 'kept') io.stderr.write(`0.3's global secondary index "feed" is kept; once no 0.3 instance runs, run ${PROGRAM} feed migrate --drop-gsi.\n`);
      const pending = [...report.checkpoints.running, ...report.checkpoints.changedMeanwhile].map(({ projection }) => `"${projection}"`);
      if (pending.length > 0) {
        // Expected while 0.3 instances run (the first run of an upgrade): not a failure, but not done either.
        io.stderr.write(`The checkpoints of ${pending.join(', ')} are still 0.3's: an instance of 0.3 runs them. Run ${PROGRAM} feed migrate again once no 0.3 instance runs them.\n`);
      }
      return 0;
    });
  },
};


const convert: CliCommand = {
  name: 'feed convert-checkpoint',
  usage: 'feed convert-checkpoint <checkpoint> [options]',
  summary: 'Print the checkpoint of the new feed that a 0.3 checkpoint stands for',
  description: `Converts a checkpoint of version 0.3's feed (<ms> or <ms>:<version>:<streamId>) kept outside the
projections table (feed migrate converts those inside it) into a checkpoint of the events table's
new feed index, and prints it: a read from it resumes right after the event (or the millisecond) the
old one named. Needs the index that feed migrate builds; changes nothing. A checkpoint of the new
feed is printed back as it is.`,
  options: {},
  positionals: { min: 1, max: 1 },
  async run(context) {
    const checkpoint = context.positionals[0]!;
    if (!isOutdated(checkpoint)) {
      context.io.stdout.write(`${checkpoint}\n`);
      return 0;
    }
    const settings = await context.settings();
    if (settings.resolved.feed === undefined) throw new FeedDisabledError();
    const { eventsTable, retry } = settings.resolved;
    const [{ withCliRuntime }, { openCheckpointConversion }] = await Promise.all([import('./cli-runtime.js'), import('../feed/migration/checkpoint-conversion.js')]);
    return withCliRuntime(settings, async ({ client }) => {
      const conversion = await openCheckpointConversion(client, eventsTable, retry);
      if (conversion === undefined) throw new CliError(`table "${eventsTable}" has no feed index yet: run ${PROGRAM} feed migrate first`);
      context.io.stdout.write(`${await conversion.convert(checkpoint)}\n`);
      return 0;
    });
  },
};

/**
 * Whether the checkpoint is one of 0.3's; one of the new feed (or FEED_START) is not.
 * @throws InvalidArgumentError (exit code 2) for anything else, before any request.
 */
function isOutdated(checkpoint: string): boolean {
  try {
    parseCheckpoint(checkpoint);
    return false;
  } catch (error) {
    if (!(error instanceof FeedCheckpointMismatchError && error.reason === 'outdated')) throw error;
    if (parseLegacyCheckpoint(checkpoint) === undefined) {
      throw new InvalidArgumentError(EventStoreErrorCode.INVALID_CHECKPOINT, `from must be a checkpoint given by the feed (or FEED_START); got ${JSON.stringify(checkpoint)}.`);
    }
    return true;
  }
}

/** `feed migrate` and `feed convert-checkpoint`, listed in the `feed` group (run.ts). */
export const feedMigrationCommands: readonly CliCommand[] = [migrate, convert];

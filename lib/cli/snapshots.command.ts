import { assertStreamId } from '../event-store/input-validation.js';
import type { CliCommand, CliCommandGroup } from './cli-command.js';
import { CliUsageError } from './cli-error.js';
import { PROGRAM, wholeNumberFlag } from './command-line.js';
import { plannedTables } from '../tables/planned-tables.js';

// The AWS SDK and the SnapshotRepository are loaded inside run(): help and usage errors answer without them.

const prune: CliCommand = {
  name: 'snapshots prune',
  usage: 'snapshots prune <streamId...> [--keep N] [options]',
  summary: 'Delete all but the newest snapshots of one or more streams',
  description: `Deletes all but the newest N snapshots (any revision) of each stream given, as
SnapshotRepository.prune() does: snapshot items first, so that none is ever visible without its parts,
then their parts. Prints how many were deleted per stream. DynamoDB bills a delete like a write.

Streams are named one by one: the snapshots table has no index of its stream ids, so pruning by
prefix would mean a Scan of the whole table. To prune a list of streams:
  xargs ${PROGRAM} snapshots prune --keep 3 < stream-ids.txt

The snapshots table is the one the options name (tables.snapshots, default "snapshots", with the prefix),
whether or not they turn snapshots on.

Options:
  --keep <N>             How many snapshots to keep per stream, at least 1 (default: snapshots.keep)`,
  options: { keep: { type: 'string' } },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  async run(context) {
    const streamIds = context.positionals;
    // Every id is checked before anything is deleted.
    for (const streamId of streamIds) assertStreamId(streamId);
    const settings = await context.settings({ snapshots: true });
    const keep = wholeNumberFlag(context.values, 'keep', 1) ?? settings.resolved.snapshots?.keep;
    if (keep === undefined) throw new CliUsageError('snapshots prune needs --keep N (or snapshots.keep in the options)');
    const [{ withCliRuntime }, { requireTables }, { SnapshotRepository }] = await Promise.all([
      import('./cli-runtime.js'),
      import('./table-check.js'),
      import('../snapshots/snapshot-repository.js'),
    ]);
    return withCliRuntime(settings, async (runtime) => {
      await requireTables(runtime.client, plannedTables(runtime.options, false).filter((table) => table.role === 'snapshots'), runtime.options.tableSetup);
      const snapshots = new SnapshotRepository(runtime);
      for (const streamId of streamIds) {
        const deleted = await snapshots.prune(streamId, { keep });
        context.io.stdout.write(`${streamId}: deleted ${deleted} snapshot${deleted === 1 ? '' : 's'}, kept the newest ${keep}\n`);
      }
      return 0;
    });
  },
};

/** `snapshots prune`. */
export const snapshotsCommands: CliCommandGroup = {
  name: 'snapshots',
  summary: 'Prune snapshots',
  commands: [prune],
};

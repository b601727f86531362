import { assertStreamId } from '../event-store/input-validation.js';
import type { ErasureAction } from '../lifecycle/interfaces/erasure-report.interface.js';
import type { CliCommand, CliCommandGroup } from './cli-command.js';
import { stringListFlag } from './command-line.js';
import { confirmConsequence } from './confirmation.js';
import { ErasureReportOutput, OUT_OPTION_HELP } from './erasure-report-output.js';
import { plannedTables } from '../tables/planned-tables.js';

// The AWS SDK and the StreamPurger are loaded inside run(): help and usage errors answer without them.

const purge: CliCommand = {
  name: 'streams purge',
  usage: 'streams purge [--stream <streamId>]... [--yes] [--out <file>] [options]',
  summary: 'Delete for good the events and snapshots that deletes, truncations and retention retire',
  description: `Deletes what the streams' metadata retires, as StreamPurger.purge() does, after asking on the terminal:
the events of deleted streams and those below truncateBefore or outside maxAge and maxCount (reads
stopped returning them when the metadata changed), the snapshots older than the first event kept,
and the rest of a hard delete that was cut short. Items retired less than the purge fence ago
(lifecycle.purgeFenceMs: boundaryCache.trustMs and a margin, so that no process can still write at a
version it remembers) are deleted once it has passed: the command waits, at most the fence, once for
every stream. One line per stream on stderr; the erasure report (JSON) on stdout. Cannot be undone.

Without --stream, every stream that has metadata is purged. Run it on a schedule (say, daily), with
the app's own options (the same config).

Options:
  --stream <streamId>    Purge only this stream (repeat for more)
  --yes                  Do not ask first (for scripts; required when stdin is not a terminal)
${OUT_OPTION_HELP}`,
  options: { stream: { type: 'string', multiple: true }, yes: { type: 'boolean' }, out: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(context) {
    const streamIds = stringListFlag(context.values, 'stream');
    // Every id is checked before anything is deleted.
    for (const streamId of streamIds ?? []) assertStreamId(streamId);
    const settings = await context.settings();
    const [{ withCliRuntime }, { requireTables }, { StreamPurger }] = await Promise.all([
      import('./cli-runtime.js'),
      import('./table-check.js'),
      import('../lifecycle/stream-purger.js'),
    ]);
    return withCliRuntime(settings, async (runtime) => {
      const tables = plannedTables(runtime.options, false).filter((table) => table.role === 'events' || table.role === 'snapshots');
      await requireTables(runtime.client, tables, runtime.options.tableSetup);
      const output = await ErasureReportOutput.open(context.io, context.values);
      await output.deliver(async () => {
        const names = tables.map((table) => `"${table.definition.TableName!}"`).join(' and ');
        const which = streamIds === undefined ? 'every stream with metadata' : `stream${streamIds.length === 1 ? '' : 's'} ${streamIds.map((id) => `"${id}"`).join(', ')}`;
        await confirmConsequence(context.io, context.values, {
          command: 'streams purge',
          explanation:
            `Delete for good, from ${names}, what the metadata of ${which} retires: the events of deleted streams, those below ` +
            `truncateBefore or outside maxAge and maxCount, and the snapshots older than the first event kept. This cannot be undone.`,
          question: `Purge ${which}?`,
        });
        // One line per stream on stderr: a purge of many streams (and its wait for the fence) shows it is moving.
        const onStream = (streamId: string, actions: readonly ErasureAction[]) => {
          const done = actions.filter(({ count }) => count > 0).map(({ what, count }) => `${what} ${count}`);
          context.io.stderr.write(`${streamId}: ${done.length === 0 ? 'nothing to purge' : done.join(', ')}\n`);
        };
        return new StreamPurger(runtime).purge({ streamIds, onStream });
      });
      return 0;
    });
  },
};

/** `streams purge`: commands on many streams at once (`stream` is the group of one stream's). */
export const streamsCommands: CliCommandGroup = {
  name: 'streams',
  summary: 'Purge what deletes, truncations and retention retire',
  commands: [purge],
};

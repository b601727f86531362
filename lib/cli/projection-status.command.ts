import type { PartitionInspection, ProjectionInspection } from '../projections/inspection/projection-inspector.js';
import type { CliCommand } from './cli-command.js';
import { CliError } from './cli-error.js';
import { wholeNumberFlag } from './command-line.js';
import { count, duration } from './progress-bar.js';
import { plannedTables } from '../tables/planned-tables.js';

// The AWS SDK is loaded inside run(): help and usage errors answer without it.

const DEFAULT_MAX_BATCHES = 100;

/** `projection status <name>`: how each partition stands, from the tables (no app needed). */
export const statusCommand: CliCommand = {
  name: 'projection status',
  usage: 'projection status <name> [--json] [--max-batches N] [options]',
  summary: "Show a projection's partitions: owner, checkpoint, parked events, lag",
  description: `Shows how the projection named <name> (its @Projection name) stands, read from the projections
table and the feed index (the app is not needed): for each partition, the app instance holding its
lease (while the lease is live by this machine's clock), its checkpoint, the events handled and
skipped, the events parked, and its lag behind the feed index's head:
  commits  index positions (commits of any stream) after the checkpoint
  events   events of the partition's streams in those commits, of every type (the CLI does not know
           which types the projection handles): at most that many events to handle. Counted over the
           first --max-batches index batches after the oldest checkpoint; beyond, shown as ">= N".
  time     how long the first commit not handled has been in the feed index (0 when caught up)

Options:
  --json              One JSON object (the partitions, their lag, the index head)
  --max-batches <N>   Index batches read to count the events behind (default ${DEFAULT_MAX_BATCHES})`,
  options: { json: { type: 'boolean' }, 'max-batches': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(context) {
    const name = context.positionals[0]!;
    const maxBatches = wholeNumberFlag(context.values, 'max-batches', 1, 100_000) ?? DEFAULT_MAX_BATCHES;
    const settings = await context.settings();
    const [{ withCliRuntime }, { requireTables }, { inspectProjection }] = await Promise.all([
      import('./cli-runtime.js'),
      import('./table-check.js'),
      import('../projections/inspection/projection-inspector.js'),
    ]);
    return withCliRuntime(settings, async (runtime) => {
      const { options } = runtime;
      await requireTables(runtime.client, plannedTables(options, true), options.tableSetup);
      const inspection = await inspectProjection(
        { client: runtime.client, projectionsTable: options.projectionsTable, eventsTable: options.eventsTable, retry: options.retry },
        name,
        { maxBatches },
      );
      if (!inspection.stored) throw new CliError(`projection "${name}" has no stored state in table "${options.projectionsTable}": it never ran against these tables`);
      context.io.stdout.write(context.values.json === true ? `${JSON.stringify(inspection)}\n` : statusText(inspection));
      return 0;
    });
  },
};

/** The status as a table, one row per partition, under a line about the projection. */
export function statusText(inspection: ProjectionInspection): string {
  const { name, partitionCount, headPosition, partitions } = inspection;
  const parked = partitions.reduce((sum, p) => sum + p.parkedCount, 0);
  const head = `Projection "${name}": ${partitionCount} partition${partitionCount === 1 ? '' : 's'}, feed index head at position ${count(headPosition)}` +
    `${parked === 0 ? '' : `, ${count(parked)} parked event${parked === 1 ? '' : 's'} (projection parked ${name})`}\n`;
  const rows = [
    ['PARTITION', 'OWNER', 'CHECKPOINT', 'HANDLED', 'SKIPPED', 'PARKED', 'LAG COMMITS', 'LAG EVENTS', 'LAG TIME'],
    ...partitions.map(row),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((cells) => cells[column]!.length)));
  const lines = rows.map((cells) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd());
  const notes = partitions.filter((p) => p.lagUnknown !== undefined).map((p) => `partition ${p.partition}: lag unknown: ${p.lagUnknown}`);
  return `${head}${lines.join('\n')}\n${notes.map((note) => `${note}\n`).join('')}`;
}

function row(p: PartitionInspection): string[] {
  const owner = p.owner ?? (p.rebuilding ? '(none; rebuild pending)' : '(none)');
  const lag = p.lag;
  return [
    String(p.partition),
    owner,
    p.checkpoint,
    count(p.eventsHandled),
    count(p.eventsSkipped),
    count(p.parkedCount),
    lag === undefined ? '?' : count(lag.commits),
    lag === undefined ? '?' : `${lag.eventsLowerBound ? '>= ' : ''}${count(lag.events)}`,
    lag === undefined ? '?' : duration(lag.ms),
  ];
}

import type { ParkedEvent } from '../projections/parking/parked-event.js';
import type { CliCommand } from './cli-command.js';
import { CliError } from './cli-error.js';
import { plannedTables } from '../tables/planned-tables.js';

// The AWS SDK is loaded inside run(): help and usage errors answer without it.

/** `projection parked <name>`: the parked events, from the projections table (no app needed). */
export const parkedCommand: CliCommand = {
  name: 'projection parked',
  usage: 'projection parked <name> [--json] [options]',
  summary: "List a projection's parked events",
  description: `Lists the events the projection named <name> has parked, in feed order: events its handler failed
on maxAttempts times (reason failed; undecodable events included), and, with parkedStream 'wait',
the later events of their streams held back behind them (reason waiting). One line each: partition,
stream and version, type, reason, attempts and retries, when it was parked, its checkpoint, and the
last error. Read from the projections table (a strongly consistent Scan): the app is not needed.
Retry them with: projection retry-parked <name>.

Options:
  --json   One JSON object per line: projection, partitionKey, streamId, version, eventId, eventType,
           checkpoint, position, reason, attempts, parkedAt, error { name, message, stack }, retries,
           lastRetryAt`,
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(context) {
    const name = context.positionals[0]!;
    const settings = await context.settings();
    const [{ withCliRuntime }, { requireTables }, { ParkedEventStore }, { storedPartitionCount }] = await Promise.all([
      import('./cli-runtime.js'),
      import('./table-check.js'),
      import('../projections/parking/parked-event-store.js'),
      import('../projections/inspection/stored-partition-count.js'),
    ]);
    return withCliRuntime(settings, async (runtime) => {
      const { options, client } = runtime;
      await requireTables(client, plannedTables(options, true), options.tableSetup);
      const { exists } = await storedPartitionCount(client, options.projectionsTable, options.retry, name);
      if (!exists) throw new CliError(`projection "${name}" has no stored state in table "${options.projectionsTable}": it never ran against these tables`);
      const parked = await new ParkedEventStore(client, options.projectionsTable, options.retry).list(name);
      const { stdout, stderr } = context.io;
      for (const event of parked) stdout.write(`${context.values.json === true ? JSON.stringify(event) : parkedLine(event)}\n`);
      stderr.write(`${parked.length === 0 ? `projection "${name}" has no parked events` : `${parked.length} parked event${parked.length === 1 ? '' : 's'}`}\n`);
      return 0;
    });
  },
};

/** `[<partition key>] "<stream>"@<version> <type> <reason> (attempts 3, retries 1) parked <ISO> at <checkpoint>: <error>` */
export function parkedLine(event: ParkedEvent): string {
  const error = event.error === undefined ? '' : `: ${event.error.name}: ${event.error.message.replace(/\s*\n\s*/g, ' ')}`;
  return (
    `[${event.partitionKey}] ${JSON.stringify(event.streamId)}@${event.version} ${event.eventType} ${event.reason} ` +
    `(attempts ${event.attempts}, retries ${event.retries}) parked ${event.parkedAt.toISOString()} at ${event.checkpoint}${error}`
  );
}

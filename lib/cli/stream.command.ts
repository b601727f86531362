import { assertStreamId } from '../event-store/input-validation.js';
import type { CliCommand, CliCommandGroup } from './cli-command.js';
import { CliError, CliUsageError } from './cli-error.js';
import { wholeNumberFlag } from './command-line.js';
import { eventLine, eventRecord } from './event-output.js';
import { plannedTables } from '../tables/planned-tables.js';

// The AWS SDK and the EventStore are loaded inside run(): help and usage errors answer without them.

const show: CliCommand = {
  name: 'stream show',
  usage: 'stream show <streamId> [--from N] [--to N] [--json] [options]',
  summary: "Print a stream's events",
  description: `Prints the stream's events in version order, one per line: version, type (and revision when above 1),
commit time, commit id, data, and the correlation and causation ids and metadata when there are any.
Strongly consistent, like EventStore.read().

The CLI has none of the app's event classes: events are shown as stored (type name, revision, JSON
data), read through the module's own reader with a registry that decodes every type raw, so upcasters
and custom serializers are not applied. Exits with 1 when the stream has no events.

Options:
  --from <N>             First version to print (default 1)
  --to <N>               Last version to print (default: the last)
  --json                 One JSON object per line: streamId, version, type, revision, eventId,
                         occurredAt, commitId, correlationId, causationId, metadata, data`,
  options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(context) {
    const streamId = context.positionals[0]!;
    assertStreamId(streamId);
    const fromVersion = wholeNumberFlag(context.values, 'from', 1);
    const toVersion = wholeNumberFlag(context.values, 'to', 1);
    if (fromVersion !== undefined && toVersion !== undefined && toVersion < fromVersion) {
      throw new CliUsageError(`--to (${toVersion}) must not be below --from (${fromVersion})`);
    }
    const settings = await context.settings();
    const json = context.values.json === true;
    const [{ withCliRuntime }, { requireTables }, { EventStore }, { CommittedEventsPublisher }] = await Promise.all([
      import('./cli-runtime.js'),
      import('./table-check.js'),
      import('../event-store/event-store.js'),
      import('../publishing/committed-events.publisher.js'),
    ]);
    return withCliRuntime(settings, async (runtime) => {
      await requireTables(runtime.client, plannedTables(runtime.options, false), runtime.options.tableSetup);
      const store = new EventStore(runtime, new CommittedEventsPublisher());
      let printed = 0;
      for await (const envelope of store.read(streamId, { fromVersion, toVersion })) {
        const record = eventRecord(envelope);
        context.io.stdout.write(`${json ? JSON.stringify(record) : eventLine(record, false)}\n`);
        printed++;
      }
      if (printed === 0 && fromVersion === undefined && toVersion === undefined) {
        throw new CliError(`stream "${streamId}" has no events in table "${runtime.options.eventsTable}"`);
      }
      return 0;
    });
  },
};

/** `stream show`. */
export const streamCommands: CliCommandGroup = {
  name: 'stream',
  summary: "Print a stream's events",
  commands: [show],
};

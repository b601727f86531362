import { assertStreamId } from '../event-store/input-validation.js';
import type { EventStore } from '../event-store/event-store.js';
import { BACKUPS_NOTE, isoNow } from '../lifecycle/erasure-notes.js';
import type { ErasureReport } from '../lifecycle/interfaces/erasure-report.interface.js';
import type { ResolvedModuleOptions } from '../options/resolve-module-options.js';
import type { CliCommand, CommandContext } from './cli-command.js';
import type { CliSettings } from './cli-options.js';
import { CliUsageError } from './cli-error.js';
import { PROGRAM, wholeNumberFlag } from './command-line.js';
import { confirmConsequence } from './confirmation.js';
import { ErasureReportOutput, OUT_OPTION_HELP } from './erasure-report-output.js';
import { plannedTables } from '../tables/planned-tables.js';

// The AWS SDK and the EventStore are loaded inside run(): help and usage errors answer without them.

const CONFIG_ADVICE = `Run it with the app's own options (the same config): the purge fence follows its boundaryCache and
lifecycle options, and a hard delete reaches the snapshots table only when the options turn snapshots on.`;

const YES_HELP = `  --yes                  Do not ask first (for scripts; required when stdin is not a terminal)`;

const deleteStream: CliCommand = {
  name: 'stream delete',
  usage: 'stream delete <streamId> [--hard] [--expected-version N] [--yes] [--out <file>] [options]',
  summary: 'Delete a stream (soft: hidden at once; --hard: erased for good), and print the erasure report',
  description: `Deletes the stream as EventStore.deleteStream() does, after asking on the terminal, and prints the
erasure report (JSON) on stdout; everything else goes to stderr. Cannot be undone.

Soft (the default): from then on every process reads the stream as empty (version 0); appending to it
again continues after the deletion. Its events stay in the table until \`${PROGRAM} streams purge\`.
Hard (--hard): reads and appends of the stream are refused for ever (StreamDeletedError); once the
purge fence has passed (so that no process can still write at a version it remembers), its events,
its snapshots and its entries in the feed index are deleted. Projections receive a StreamDeleted
event either way.

Without --expected-version the stream's current version is read first, and the stream is deleted at
that version only: a write in between fails the delete with a concurrency conflict (exit code 1).

${CONFIG_ADVICE}

Options:
  --hard                 Erase the events, snapshots and feed index entries (default: soft)
  --expected-version <N> Delete only if the stream is at version N (default: its current version)
${YES_HELP}
${OUT_OPTION_HELP}`,
  options: { hard: { type: 'boolean' }, 'expected-version': { type: 'string' }, yes: { type: 'boolean' }, out: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(context) {
    const streamId = context.positionals[0]!;
    assertStreamId(streamId);
    const given = wholeNumberFlag(context.values, 'expected-version', 0);
    const mode = context.values.hard === true ? 'hard' : 'soft';
    return withStore(context, async (store, { eventsTable, lifecycle }) => {
      const output = await ErasureReportOutput.open(context.io, context.values);
      await output.deliver(async () => {
        const expectedVersion = given ?? (await currentVersion(store, streamId));
        if (given === undefined) {
          context.io.stderr.write(`Stream "${streamId}" is at version ${expectedVersion}: deleting it at that version (as --expected-version ${expectedVersion}).\n`);
        }
        await confirmConsequence(context.io, context.values, {
          command: 'stream delete',
          explanation: deletionConsequence(streamId, expectedVersion, mode, eventsTable),
          question: `${mode === 'hard' ? 'Hard' : 'Soft'}-delete stream "${streamId}"?`,
        });
        if (mode === 'hard') {
          // The fence is the one wait of a hard delete: say it, or a silent pause of seconds looks like a hang.
          context.io.stderr.write(`Hard-deleting: the stream is hidden at once; its items are erased once the purge fence (${formatMs(lifecycle.purgeFenceMs)}, lifecycle.purgeFenceMs) has passed...\n`);
        }
        return store.deleteStream(streamId, { expectedVersion, mode });
      });
      return 0;
    });
  },
};

const truncateStream: CliCommand = {
  name: 'stream truncate',
  usage: 'stream truncate <streamId> --before <version> [--yes] [--out <file>] [options]',
  summary: "Hide a stream's events below a version for good, and print the erasure report",
  description: `Sets the stream's truncateBefore, as EventStore.truncateStream() does, after asking on the terminal:
from then on no process reads its events below that version (aggregates load from a later snapshot
or the first event kept), and \`${PROGRAM} streams purge\` deletes them once the purge fence has
passed. Prints the erasure report (JSON) on stdout; everything else goes to stderr. truncateBefore
only ever rises: this cannot be undone, and a version at or below the current one changes nothing.

${CONFIG_ADVICE}

Options:
  --before <version>     The first version still read (events 1 to version - 1 are hidden)
${YES_HELP}
${OUT_OPTION_HELP}`,
  options: { before: { type: 'string' }, yes: { type: 'boolean' }, out: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(context) {
    const streamId = context.positionals[0]!;
    assertStreamId(streamId);
    const before = requiredBefore(context);
    return withStore(context, async (store, { eventsTable }) => {
      const output = await ErasureReportOutput.open(context.io, context.values);
      await output.deliver(async () => {
        const { truncateBefore: current = 1 } = await store.getStreamMetadata(streamId);
        if (before <= current) {
          context.io.stderr.write(`Stream "${streamId}" is already truncated before version ${current}: nothing to do.\n`);
          return truncationReport({ streamId, eventsTable, from: current, before: current, requestedAt: isoNow() });
        }
        await confirmConsequence(context.io, context.values, {
          command: 'stream truncate',
          explanation:
            `Truncate stream "${streamId}" in table "${eventsTable}" before version ${before}: from now on no process reads its events ` +
            `${current} to ${before - 1}, and ${PROGRAM} streams purge deletes them. This cannot be undone (truncateBefore only rises).`,
          question: `Truncate stream "${streamId}" before version ${before}?`,
        });
        const requestedAt = isoNow();
        const metadata = await store.truncateStream(streamId, { before });
        return truncationReport({ streamId, eventsTable, from: current, before: metadata.truncateBefore ?? before, requestedAt });
      });
      return 0;
    });
  },
};

/** `stream delete` and `stream truncate`, listed in the `stream` group. */
export const streamLifecycleCommands: readonly CliCommand[] = [deleteStream, truncateStream];

/** Runs `work` with an EventStore on the options' events table (and snapshots table, if any), checked first. */
async function withStore(context: CommandContext, work: (store: EventStore, options: ResolvedModuleOptions) => Promise<number>): Promise<number> {
  const settings: CliSettings = await context.settings();
  const [{ withCliRuntime }, { requireTables }, { EventStore }, { CommittedEventsPublisher }] = await Promise.all([
    import('./cli-runtime.js'),
    import('./table-check.js'),
    import('../event-store/event-store.js'),
    import('../publishing/committed-events.publisher.js'),
  ]);
  return withCliRuntime(settings, async (runtime) => {
    const tables = plannedTables(runtime.options, false).filter((table) => table.role === 'events' || table.role === 'snapshots');
    await requireTables(runtime.client, tables, runtime.options.tableSetup);
    return work(new EventStore(runtime, new CommittedEventsPublisher()), runtime.options);
  });
}

/**
 * The version an append sees: the stream's newest event read (0 when none is read, as for a
 * soft-deleted stream). A stream whose events all fall outside its retention reads as 0 here too;
 * the delete then fails with a ConcurrencyError naming its actual version, for --expected-version.
 * @throws StreamDeletedError for a hard-deleted stream.
 */
async function currentVersion(store: EventStore, streamId: string): Promise<number> {
  for await (const envelope of store.read(streamId, { direction: 'backward', pageSize: 1 })) return envelope.version;
  return 0;
}

function deletionConsequence(streamId: string, version: number, mode: 'soft' | 'hard', eventsTable: string): string {
  const at = `stream "${streamId}" at version ${version} in table "${eventsTable}"`;
  if (mode === 'soft') {
    return (
      `Soft-delete ${at}: every process reads it as empty from now on (appends continue after the deletion); ` +
      `its events stay in the table until ${PROGRAM} streams purge deletes them. This cannot be undone.`
    );
  }
  return (
    `Hard-delete ${at}: every process is refused reads and appends of it from now on, for ever; its events, ` +
    `its snapshots and its entries in the feed index are then deleted. This cannot be undone.`
  );
}

function requiredBefore(context: CommandContext): number {
  const before = wholeNumberFlag(context.values, 'before', 1);
  if (before === undefined) throw new CliUsageError(`stream truncate needs --before <version>; usage: ${PROGRAM} ${truncateStream.usage}`);
  return before;
}

/** What a truncation did: it hid versions `from` (the previous truncateBefore) to `before` - 1. */
interface Truncation {
  readonly streamId: string;
  readonly eventsTable: string;
  readonly from: number;
  readonly before: number;
  /** When truncateStream() was called (after the question), ISO 8601. */
  readonly requestedAt: string;
}

/** truncateStream() answers with the metadata; the CLI's record of it is a report like the others'. */
function truncationReport({ streamId, eventsTable, from, before, requestedAt }: Truncation): ErasureReport {
  const completedAt = isoNow();
  return {
    operation: 'stream.truncate',
    requestedAt,
    completedAt,
    streamId,
    actions:
      before <= from
        ? []
        : [
            {
              what: 'events-retired',
              where: eventsTable,
              // truncateStream() never raises truncateBefore past the stream's version + 1: every version in between is an event.
              count: before - from,
              at: completedAt,
              detail: `reads return none of versions ${from}-${before - 1}; ${PROGRAM} streams purge deletes them once the purge fence has passed`,
            },
          ],
    notes: [`The events stay in table "${eventsTable}" until ${PROGRAM} streams purge deletes them.`, BACKUPS_NOTE],
  };
}

/** `10 s`, `250 ms`. */
function formatMs(ms: number): string {
  return ms >= 1000 && ms % 100 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

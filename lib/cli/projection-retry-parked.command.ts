import type { PartitionRetryResult, RetryParkedOptions, RetryParkedResult } from '../projections/parking/retry-parked-events.js';
import type { CliCommand } from './cli-command.js';
import { CliError, EXIT_FAILURE } from './cli-error.js';
import { PROGRAM, wholeNumberFlag } from './command-line.js';
import { count } from './progress-bar.js';

const DEFAULT_TIMEOUT_S = 60;

/** What the CLI needs of the app's ProjectionManager (absent from copies of the package older than parking). */
interface ParkedEventsRetrier {
  retryParked(projection: string, options?: RetryParkedOptions): Promise<RetryParkedResult>;
}

/** `projection retry-parked <name>`: retries the parked events with the app's handlers. */
export const retryParkedCommand: CliCommand = {
  name: 'projection retry-parked',
  usage: 'projection retry-parked <name> [--timeout <s>] [--json] [options]',
  summary: "Retry a projection's parked events (after fixing the handler)",
  description: `Retries the parked events of the projection named <name>, in feed order, with the handlers of the
config's app (as projection rebuild loads it: the config exports \`app\`). For each partition with
parked events:
  - if no live app instance holds its lease, the CLI takes the lease, retries the events itself, and
    releases it;
  - if one does, the CLI asks it to retry (the request is stored on the partition's item; the
    instance sees it at its next lease renewal, within a third of leaseTtlMs, and retries between two
    pages) and waits for its report, up to --timeout.
An event whose handler succeeds is no longer parked; one that fails again stays parked with its new
error. With parkedStream 'wait', a stream's later parked events are not retried after an earlier one
of the same stream failed again. Handlers must be idempotent: a parked event may have been handled
partly before its handler threw.

Prints one line per partition and a total. Exit code 0 when no event is left parked; 1 when some
are (see projection parked <name>), or an instance holding a partition did not answer in time (an
instance running an older version of the package, or one that is stuck: the request stays, and it
retries when it gets to it).

Options:
  --timeout <s>   How long to wait for each live instance's answer (default ${DEFAULT_TIMEOUT_S})
  --json          One JSON object: the partitions' results and the total`,
  options: { timeout: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(context) {
    const name = context.positionals[0]!;
    const timeoutMs = (wholeNumberFlag(context.values, 'timeout', 1, 86_400) ?? DEFAULT_TIMEOUT_S) * 1000;
    const json = context.values.json === true;
    const { io } = context;
    const settings = await context.settings();
    // Loaded here: Nest's core is the slowest import of the CLI, and only the commands that run the app's code need it.
    const { createProjectionAppContext } = await import('./projection-app-context.js');
    const { context: app, manager } = await createProjectionAppContext(settings, io, 'projection retry-parked');
    try {
      const retrier = manager as unknown as Partial<ParkedEventsRetrier>;
      if (typeof retrier.retryParked !== 'function') {
        throw new CliError("the config's app uses a version of nestjs-dynamo-es that cannot retry parked events; run the CLI installed next to the app");
      }
      const result = await retrier.retryParked(name, {
        timeoutMs,
        signal: io.signal,
        onPartition: json ? undefined : (partition) => io.stdout.write(`${partitionLine(partition)}\n`),
      });
      io.stdout.write(json ? `${JSON.stringify(result)}\n` : `${totalLine(name, result)}\n`);
      return result.total.stillParked > 0 || result.unanswered > 0 || result.partitions.some((p) => p.by === 'skipped-rebuilding') ? EXIT_FAILURE : 0;
    } finally {
      await app.close();
    }
  },
};

export function partitionLine(result: PartitionRetryResult): string {
  switch (result.by) {
    case 'unanswered':
      return `${result.partitionKey}: the app instance holding it ("${result.holder}") did not answer in time; its events were not retried (the request stays: it retries them when it gets to it)`;
    case 'skipped-rebuilding':
      return `${result.partitionKey}: not retried: a rebuild of the projection was cut short (it resets when it next runs)`;
    default: {
      const { retried, handled, stillParked, errors } = result.report;
      const where = result.by === 'holder' ? ` by the app instance holding it ("${result.holder}")` : '';
      const first = errors[0] === undefined ? '' : `; first failure: ${JSON.stringify(errors[0].streamId)}@${errors[0].version}: ${errors[0].message.replace(/\s*\n\s*/g, ' ')}`;
      return `${result.partitionKey}: retried ${count(retried)}${where}: ${count(handled)} handled, ${count(stillParked)} still parked${first}`;
    }
  }
}

export function totalLine(name: string, result: RetryParkedResult): string {
  if (result.partitions.length === 0) return `Projection "${name}" has no parked events.`;
  const { handled, stillParked } = result.total;
  const unanswered = result.unanswered === 0 ? '' : `; ${result.unanswered} partition${result.unanswered === 1 ? '' : 's'} did not answer`;
  return `Projection "${name}": ${count(handled)} parked event${handled === 1 ? '' : 's'} handled, ${count(stillParked)} still parked${unanswered}` +
    (stillParked > 0 ? ` (see: ${PROGRAM} projection parked ${name})` : '');
}

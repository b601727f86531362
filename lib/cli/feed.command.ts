import { FeedDisabledError } from '../errors/feed-disabled.error.js';
import { FEED_START, formatCheckpoint, parseCheckpoint, type FeedCheckpoint } from '../feed/feed-checkpoint.js';
import type { FeedIndexTable } from '../feed/index/feed-index-table.js';
import type { CliCommand, CliCommandGroup } from './cli-command.js';
import { CliUsageError, EXIT_INTERRUPTED } from './cli-error.js';
import { stringFlag, wholeNumberFlag, type CliFlagValues } from './command-line.js';
import { eventLine, eventRecord } from './event-output.js';
import { plannedTables } from '../tables/planned-tables.js';

// The AWS SDK is loaded inside run(): help and usage errors answer without it.

const DEFAULT_PAGE_SIZE = 100;
/** The feed reader's bound (MAX_PAGE_SIZE), repeated here: importing the reader would load the AWS SDK for help. */
export const MAX_PAGE_SIZE = 1000;
const DEFAULT_INTERVAL_MS = 1000;

const tail: CliCommand = {
  name: 'feed tail',
  usage: 'feed tail [--from <checkpoint> | --since <time>] [--follow] [--prefix <p>] [--types <a,b>] [--json] [options]',
  summary: 'Print the global feed with checkpoints; --follow keeps polling for new commits',
  description: `Prints every committed event of every stream in feed order (the order of the feed index; each stream
in version order), from the start of the feed or after a checkpoint, one per line with its checkpoint.
It reads up to the feed index's head as it finds it, then prints on stderr the checkpoint to resume
from and exits; with --follow it polls for newly indexed commits until Ctrl-C, which prints the
checkpoint to resume from and exits with 130.

Events are shown as stored (type name, revision, JSON data): the CLI has none of the app's classes.

Options:
  --from <checkpoint>    Start after this checkpoint (as printed; default: the start of the feed)
  --since <time>         Start at a time instead: ISO 8601 (2025-01-31T12:00:00Z) or an age (90s, 15m, 2h, 7d);
                         the first commits indexed at or after it (by the indexer's clock: approximate)
  --follow               Keep polling for new commits until Ctrl-C
  --interval <ms>        With --follow, how long to wait between polls (default ${DEFAULT_INTERVAL_MS})
  --prefix <prefix>      Only streams whose id starts with this
  --types <a,b>          Only events of these stored type names (comma-separated)
  --limit <N>            Stop after N events (and print the checkpoint to resume from)
  --page-size <N>        Events per feed page, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})
  --json                 One JSON object per line (the fields of stream show --json, plus checkpoint)`,
  options: {
    from: { type: 'string' },
    since: { type: 'string' },
    follow: { type: 'boolean' },
    interval: { type: 'string' },
    prefix: { type: 'string' },
    types: { type: 'string' },
    limit: { type: 'string' },
    'page-size': { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0 },
  async run(context) {
    const { values, io } = context;
    const start = startOf(values);
    const follow = values.follow === true;
    const intervalMs = wholeNumberFlag(values, 'interval', 1, 3_600_000) ?? DEFAULT_INTERVAL_MS;
    const limit = wholeNumberFlag(values, 'limit', 1);
    const pageSize = wholeNumberFlag(values, 'page-size', 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE;
    const streamPrefix = stringFlag(values, 'prefix');
    const eventTypes = typesOf(values);
    const json = values.json === true;
    const settings = await context.settings();
    if (settings.resolved.feed === undefined) throw new FeedDisabledError();
    const [{ withCliRuntime }, { requireTables }, { createFeedReader }, { FeedIndexTable }] = await Promise.all([
      import('./cli-runtime.js'),
      import('./table-check.js'),
      import('../feed/feed-reader.js'),
      import('../feed/index/feed-index-table.js'),
    ]);
    return withCliRuntime(settings, async (runtime) => {
      await requireTables(runtime.client, plannedTables(runtime.options, false), runtime.options.tableSetup);
      const reader = createFeedReader(runtime);
      let from = typeof start === 'string' ? start : await checkpointAt(new FeedIndexTable(runtime.client, runtime.options.eventsTable, runtime.options.retry), start.since);
      const resume = (checkpoint: FeedCheckpoint, why: string) => io.stderr.write(`${why}: resume with --from ${checkpoint}\n`);
      let printed = 0;
      for (;;) {
        for await (const page of reader.pages({ from, pageSize, streamPrefix, eventTypes })) {
          for (const event of page.events) {
            const record = eventRecord(event);
            io.stdout.write(`${json ? JSON.stringify(record) : eventLine(record, true)}\n`);
            if (++printed === limit) {
              resume(event.checkpoint, `stopped after ${limit} event${limit === 1 ? '' : 's'}`);
              return 0;
            }
          }
          // The page's checkpoint also covers the events filtered out: the next read does not fetch them again.
          from = page.checkpoint;
          if (io.signal?.aborted === true) break;
        }
        // Ctrl-C ends a --follow as it ends any command: 130, as scripts expect of an interrupted command
        // (`feed tail --follow | tee` in a script can tell it from a read that ended by itself).
        if (io.signal?.aborted === true) {
          resume(from, 'interrupted');
          return EXIT_INTERRUPTED;
        }
        if (!follow) {
          resume(from, 'caught up');
          return 0;
        }
        if (!(await nextPoll(intervalMs, io.signal))) {
          resume(from, 'interrupted');
          return EXIT_INTERRUPTED;
        }
      }
    });
  },
};

/** Where the read starts: --from, the start of the feed, or (--since) a time to find in the index. */
function startOf(values: CliFlagValues): FeedCheckpoint | { readonly since: number } {
  const from = stringFlag(values, 'from');
  const since = stringFlag(values, 'since');
  if (from !== undefined && since !== undefined) throw new CliUsageError('--from and --since cannot be used together');
  if (from !== undefined) {
    parseCheckpoint(from); // a bad one is an InvalidArgumentError now, before anything is sent
    return from;
  }
  if (since === undefined) return FEED_START;
  const age = /^(\d+)(ms|s|m|h|d)$/.exec(since);
  const at = age === null ? Date.parse(since) : Date.now() - Number(age[1]) * UNIT_MS[age[2]!]!;
  if (!Number.isFinite(at) || at < 0) throw new CliUsageError(`--since must be an ISO 8601 time or an age such as 15m, 2h or 7d; got ${JSON.stringify(since)}`);
  return { since: at };
}

/**
 * The checkpoint before the first index batch written at or after `at` (by the indexer's clock),
 * found by bisecting the index's positions: a strongly consistent Query per step, about 20 for a
 * million batches. Batches are written in position order, so their times rise but for clock skew
 * between indexer instances, which makes the start as approximate as that skew.
 */
async function checkpointAt(index: FeedIndexTable, at: number): Promise<FeedCheckpoint> {
  const meta = await index.meta();
  const head = await index.head();
  if (meta === undefined || head === undefined) return FEED_START;
  let low = 1;
  let high = head.lastPosition + 1; // past the head: no batch that late
  while (low < high) {
    const batch = await index.batchHolding(Math.floor((low + high) / 2));
    if (batch === undefined) break; // a hole in the index: the read from here reports it
    if (batch.writtenAt >= at) high = batch.position;
    else low = batch.lastPosition + 1;
  }
  return low <= 1 ? FEED_START : formatCheckpoint(meta.indexId, low - 1);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function typesOf(values: CliFlagValues): string[] | undefined {
  const raw = stringFlag(values, 'types');
  if (raw === undefined) return undefined;
  const types = raw.split(',').map((type) => type.trim()).filter((type) => type.length > 0);
  if (types.length === 0) throw new CliUsageError(`--types needs one or more type names separated by commas; got ${JSON.stringify(raw)}`);
  return types;
}

/** Waits for the next poll; resolves to false at once when interrupted. */
function nextPoll(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `feed tail`. */
export const feedCommands: CliCommandGroup = {
  name: 'feed',
  summary: 'Print the global feed',
  commands: [tail],
};

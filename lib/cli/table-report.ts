import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { TableMismatchError } from '../errors/table-mismatch.error.js';
import { EXIT_FAILURE } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { PROGRAM } from './command-line.js';
import type { PlannedTable } from '../tables/planned-tables.js';

// The one place `tables create` and `tables verify` take their words from: a table in a given state
// reads the same whichever command looked at it. (Types only from the AWS SDK: help loads none of it.)

/**
 * A table as a `tables` command found it or left it: `created` by the command, `stream-enabled`
 * (it existed, and the command turned its DynamoDB Stream on), or `matches` (it existed as needed).
 */
export interface TableCheck {
  readonly state: 'created' | 'stream-enabled' | 'matches';
  readonly description: TableDescription;
}

const STATE_WORDS: Record<TableCheck['state'], string> = {
  created: 'created',
  'stream-enabled': 'exists and matches',
  matches: 'exists and matches',
};

/** How a table is named in every line: `events table "prod-events"`. */
const label = (table: PlannedTable): string => `${table.role} table "${table.definition.TableName}"`;

/**
 * The line for a table in good order: its state, the events table's stream (view type and ARN),
 * and the time to live it needs, e.g.
 * `events table "prod-events": exists and matches, stream NEW_IMAGE arn:aws:dynamodb:...`.
 */
export function tableLine(table: PlannedTable, { state, description }: TableCheck): string {
  const stream = streamSummary(table, description);
  const details = [
    STATE_WORDS[state],
    stream === undefined ? undefined : state === 'stream-enabled' ? `${stream} (enabled now)` : stream,
    table.timeToLiveAttribute === undefined ? undefined : `time to live on ${table.timeToLiveAttribute}`,
  ];
  return `${label(table)}: ${details.filter((detail) => detail !== undefined).join(', ')}`;
}

/**
 * The stream of a table the module reads one of: `stream NEW_IMAGE <arn>`; undefined for a table
 * that needs none.
 */
export function streamSummary(table: PlannedTable, description: TableDescription): string | undefined {
  if (table.definition.StreamSpecification?.StreamEnabled !== true) return undefined;
  const viewType = description.StreamSpecification?.StreamViewType ?? 'none';
  return description.LatestStreamArn === undefined ? `stream ${viewType}` : `stream ${viewType} ${description.LatestStreamArn}`;
}

/**
 * Checks every table with `check` and reports each: a line on stdout for one in good order, a line
 * on stderr for one that differs (the {@link TableMismatchError}'s message). Every table is checked,
 * so that one run lists everything to fix; resolves to the exit code (1 when any differs). Any
 * other error (no connection) ends the run.
 */
export async function reportTables(io: CliIo, tables: readonly PlannedTable[], check: (table: PlannedTable) => Promise<TableCheck>): Promise<number> {
  let failed = 0;
  for (const table of tables) {
    try {
      io.stdout.write(`${tableLine(table, await check(table))}\n`);
    } catch (error) {
      if (!(error instanceof TableMismatchError)) throw error;
      io.stderr.write(`${PROGRAM}: ${error.message}\n`);
      failed++;
    }
  }
  return failed === 0 ? 0 : EXIT_FAILURE;
}

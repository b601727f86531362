import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TableMismatchError } from '../errors/table-mismatch.error.js';
import { provisionSnapshotsTimeToLive } from '../snapshots/snapshots-time-to-live.js';
import { compareTable, provisionTable } from '../tables/table-provisioner.js';
import type { TableSetup } from '../tables/table-setup.js';
import { describeTable } from '../tables/table-wait.js';
import { PROGRAM } from './command-line.js';
import type { PlannedTable } from '../tables/planned-tables.js';
import type { TableCheck } from './table-report.js';

/**
 * Checks that a table exists with the keys, indexes and stream the module needs (and its time to
 * live, where needed), as `tableSetup: 'verify'` does, but with advice for the command line.
 * Resolves to its state (`matches`) and description.
 * @throws TableMismatchError naming the table and every difference.
 */
export async function verifyTable(client: DynamoDBClient, table: PlannedTable): Promise<TableCheck> {
  const name = table.definition.TableName!;
  const description = await describeTable(client, name);
  if (description === undefined) {
    throw new TableMismatchError(name, [`it does not exist (create it with \`${PROGRAM} tables create\`, or check the table name, prefix, region and endpoint)`]);
  }
  const differences = compareTable(table.definition, description);
  if (differences.length > 0) throw new TableMismatchError(name, differences);
  if (table.timeToLiveAttribute !== undefined) await provisionSnapshotsTimeToLive(client, name, 'verify');
  return { state: 'matches', description };
}

/**
 * Creates the table unless it exists, waits until it is ACTIVE, and verifies it, as
 * `tableSetup: 'create'` does (enabling the events table's stream where it is missing); turns its
 * time to live on where needed. Resolves to what was done and the table's description.
 * @throws TableMismatchError when an existing table differs.
 */
export async function ensureTable(client: DynamoDBClient, table: PlannedTable): Promise<TableCheck> {
  const name = table.definition.TableName!;
  const outcome = await provisionTable(client, table.definition, 'create');
  if (table.timeToLiveAttribute !== undefined) await provisionSnapshotsTimeToLive(client, name, 'create');
  // 'skipped' is what tableSetup 'none' gives; 'create' always looks.
  return { state: outcome === 'skipped' ? 'matches' : outcome, description: (await describeTable(client, name))! };
}

/**
 * Before a command reads or writes tables: verifies them, unless the options say `tableSetup: 'none'`
 * (an app that may not even describe its tables), so that a wrong name fails with its name
 * rather than with DynamoDB's "resource not found".
 */
export async function requireTables(client: DynamoDBClient, tables: readonly PlannedTable[], setup: TableSetup): Promise<void> {
  if (setup === 'none') return;
  for (const table of tables) await verifyTable(client, table);
}

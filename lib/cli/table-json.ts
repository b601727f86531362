import type { CreateTableInput, TimeToLiveSpecification } from '@aws-sdk/client-dynamodb';
import type { PlannedTable, TableRole } from '../tables/planned-tables.js';

/** One table in the JSON output: its CreateTable input, and its UpdateTimeToLive specification where needed. */
export interface TableJson {
  readonly table: CreateTableInput;
  readonly timeToLive?: TimeToLiveSpecification;
}

/**
 * The tables as JSON keyed by role: `table` is the module's `CreateTableInput` (what
 * `aws dynamodb create-table --cli-input-json` takes), `timeToLive` what `update-time-to-live` takes.
 */
export function tablesJson(tables: readonly PlannedTable[]): string {
  const byRole: Partial<Record<TableRole, TableJson>> = {};
  for (const { role, definition, timeToLiveAttribute } of tables) {
    byRole[role] = timeToLiveAttribute === undefined ? { table: definition } : { table: definition, timeToLive: { AttributeName: timeToLiveAttribute, Enabled: true } };
  }
  return `${JSON.stringify(byRole, null, 2)}\n`;
}

import type { CreateTableInput } from '@aws-sdk/client-dynamodb';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import type { ResolvedModuleOptions } from '../options/resolve-module-options.js';
import { eventsTableDefinition } from './events-table.js';
import { projectionsTableDefinition } from './projections-table.js';
import { personalDataKeysTableDefinition } from './personal-data-keys-table.js';
import { SNAPSHOTS_TTL_ATTRIBUTE, snapshotsTableDefinition } from './snapshots-table.js';

/** Which of the module's tables a planned table is. */
export type TableRole = 'events' | 'snapshots' | 'projections' | 'personalDataKeys';

/** A table the options imply, as the module defines it. */
export interface PlannedTable {
  readonly role: TableRole;
  readonly definition: CreateTableInput;
  /** The time-to-live attribute the table needs on (snapshots with `snapshots.ttlSeconds`). */
  readonly timeToLiveAttribute?: string;
}

/**
 * The tables the module would set up with these options, the same definitions it creates: the
 * events table (with its DynamoDB Stream unless `feed: false`), the snapshots table when snapshots are on,
 * the personal-data keys table with `personalData`, and the projections table when `projections` is true (the module sets it up only in apps that
 * register projections, which the options alone do not tell).
 * @throws InvalidModuleOptionsError when the projections table would be another table of the module (as the module does at start-up).
 */
export function plannedTables(options: ResolvedModuleOptions, projections: boolean): PlannedTable[] {
  const tables: PlannedTable[] = [{ role: 'events', definition: eventsTableDefinition(options.eventsTable, { feed: options.feed !== undefined }) }];
  if (options.snapshots !== undefined) {
    tables.push({
      role: 'snapshots',
      definition: snapshotsTableDefinition(options.snapshotsTable),
      timeToLiveAttribute: options.snapshots.ttlSeconds === undefined ? undefined : SNAPSHOTS_TTL_ATTRIBUTE,
    });
  }
  if (projections) {
    if (tables.some((table) => table.definition.TableName === options.projectionsTable)) {
      throw new InvalidModuleOptionsError('tables.projections', `names a table the module uses already ("${options.projectionsTable}"); projections need a table of their own.`);
    }
    tables.push({ role: 'projections', definition: projectionsTableDefinition(options.projectionsTable) });
  }
  // Crypto-shredding's data keys, with the `personalData` option (its name checked against the other tables when resolved).
  if (options.personalData !== undefined) tables.push({ role: 'personalDataKeys', definition: personalDataKeysTableDefinition(options.personalData.keysTable) });
  return tables;
}

import type { CreateTableInput } from '@aws-sdk/client-dynamodb';
import type { ResolvedModuleOptions } from '../options/resolve-module-options.js';
import { eventsTableDefinition } from '../tables/events-table.js';
import { projectionsTableDefinition } from '../tables/projections-table.js';
import { snapshotsTableDefinition } from '../tables/snapshots-table.js';
import type { TableRole } from './interfaces/health-report.interface.js';

/** A table the module uses, as it defines it at start-up. */
export interface ExpectedTable {
  readonly role: TableRole;
  readonly definition: CreateTableInput;
  /** With `snapshots.ttlSeconds`: the snapshots table's time to live must be on. */
  readonly timeToLive: boolean;
}

/**
 * The tables this app uses, with the definitions the module creates and verifies at start-up: the
 * events table (with its stream when the feed is on), the snapshots table with the `snapshots`
 * option, the projections table when the app has projections.
 */
export function expectedTables(options: ResolvedModuleOptions, withProjections: boolean): ExpectedTable[] {
  const tables: ExpectedTable[] = [
    { role: 'events', definition: eventsTableDefinition(options.eventsTable, { feed: options.feed !== undefined }), timeToLive: false },
  ];
  if (options.snapshots !== undefined) {
    tables.push({ role: 'snapshots', definition: snapshotsTableDefinition(options.snapshotsTable), timeToLive: options.snapshots.ttlSeconds !== undefined });
  }
  if (withProjections) tables.push({ role: 'projections', definition: projectionsTableDefinition(options.projectionsTable), timeToLive: false });
  return tables;
}

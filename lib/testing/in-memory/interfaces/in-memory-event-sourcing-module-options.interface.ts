import type { DynamoEventSourcingModuleOptions } from '../../../interfaces/dynamo-event-sourcing-module-options.interface.js';
import type { InMemoryPersonalDataOptions } from './in-memory-personal-data-options.interface.js';

/**
 * Options of `InMemoryEventSourcingModule.forRoot()`: the options of
 * `DynamoEventSourcingModule.forRoot()`, checked the same way, so an app's own options object can
 * be passed as it is. Those about DynamoDB (client, tables, tableSetup, retry, feed, projections)
 * are accepted and ignored; `snapshots.ttlSeconds` is ignored too (DynamoDB's TTL deletes within
 * days, and loads never looked at it). `personalData` needs neither `keysTable` nor `wrapping` here
 * (see {@link InMemoryPersonalDataOptions}): keys are kept in memory.
 */
export interface InMemoryEventSourcingModuleOptions extends Omit<DynamoEventSourcingModuleOptions, 'personalData'> {
  /** Crypto-shredding over a keys table in memory: the module's `personalData` option, nothing required (`personalData: {}`). */
  personalData?: InMemoryPersonalDataOptions;
  /** Register the module globally, as `DynamoEventSourcingModule` is by default. Default true. */
  isGlobal?: boolean;
}

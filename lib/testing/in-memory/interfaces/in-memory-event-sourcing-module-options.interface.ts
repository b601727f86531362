import type { DynamoEventSourcingModuleOptions } from '../../../interfaces/dynamo-event-sourcing-module-options.interface.js';

/**
 * Options of `InMemoryEventSourcingModule.forRoot()`: the options of
 * `DynamoEventSourcingModule.forRoot()`, checked the same way, so an app's own options object can
 * be passed as it is. Those about DynamoDB (client, tables, tableSetup, retry, feed, projections)
 * are accepted and ignored; `snapshots.ttlSeconds` is ignored too (DynamoDB's TTL deletes within
 * days, and loads never looked at it).
 */
export interface InMemoryEventSourcingModuleOptions extends DynamoEventSourcingModuleOptions {
  /** Register the module globally, as `DynamoEventSourcingModule` is by default. Default true. */
  isGlobal?: boolean;
}

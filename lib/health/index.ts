/**
 * `nestjs-dynamo-es/health`: the `@nestjs/terminus` health indicator. A separate entry point
 * because `@nestjs/terminus` is an optional peer dependency: the main entry point never loads it.
 */
export { DynamoEventSourcingHealthModule } from './dynamo-event-sourcing-health.module.js';
export { DynamoEventSourcingHealthIndicator } from './dynamo-event-sourcing-health.indicator.js';
export type { EventSourcingHealthOptions, LagScope, ProjectionsHealthOptions, TablesHealthOptions } from './interfaces/health-options.interface.js';
export type {
  EventSourcingHealthReport,
  FeedIndexerReport,
  ProjectionReport,
  ProjectionsReport,
  TableReport,
  TableRole,
  TablesReport,
} from './interfaces/health-report.interface.js';

export { Projection } from './projection.decorator.js';
export { ProjectionHandler } from './projection-handler.decorator.js';
export { ProjectionManager, type ProjectionRef } from './projection-manager.js';
export * from './interfaces/index.js';
export type { ParkedEvent, ParkReason, ParkedEventError } from './parking/parked-event.js';
export type { RetryParkedOptions, RetryParkedResult, PartitionRetryResult } from './parking/retry-parked-events.js';
export type { RetryReport, RetryFailure } from './parking/retry-report.js';

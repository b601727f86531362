export type { ProjectionOptions } from './projection-options.interface.js';
export type { PartitionStatus, ProjectionLag, ProjectionState, ProjectionStatus } from './projection-status.interface.js';
export type { RebuildProgress } from './rebuild-progress.interface.js';
export type { RebuildOptions } from './rebuild-options.interface.js';
export type { ResettableProjection } from './resettable-projection.interface.js';
export type { ProjectionsModuleOptions } from './projections-module-options.interface.js';

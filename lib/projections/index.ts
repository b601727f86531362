export { Projection } from './projection.decorator.js';
export { ProjectionHandler } from './projection-handler.decorator.js';
export { ProjectionManager, type ProjectionRef } from './projection-manager.js';
export * from './interfaces/index.js';

export { SnapshotRepository } from './snapshot-repository.js';
export * from './interfaces/index.js';
export type { SnapshotEncoding } from './snapshot-codec.js';

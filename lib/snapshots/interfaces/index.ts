export type { Snapshot, SnapshotInfo } from './snapshot.interface.js';
export type { SaveSnapshotOptions } from './save-snapshot-options.interface.js';
export type { LoadSnapshotOptions } from './load-snapshot-options.interface.js';
export type { PruneSnapshotsOptions } from './prune-snapshots-options.interface.js';
export type { SnapshotOptions } from './snapshot-options.interface.js';

/** Options of `SnapshotRepository.prune()`. */
export interface PruneSnapshotsOptions {
  /** How many of the stream's newest snapshots (any revision) to keep; a whole number >= 1. */
  keep: number;
}

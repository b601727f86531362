/** Options of `SnapshotRepository.load()`. */
export interface LoadSnapshotOptions {
  /** Only snapshots of this revision; by default any (the highest at the newest version). */
  revision?: number;
  /** Only snapshots at or below this version (a whole number >= 0); by default the newest. */
  atOrBelowVersion?: number;
}

/** Options of `SnapshotRepository.save()`. */
export interface SaveSnapshotOptions {
  /**
   * The schema revision of the state (a whole number >= 0). Raise it whenever the state's shape
   * changes: loads that ask for the new revision then skip the old snapshots and replay events.
   */
  revision: number;
}

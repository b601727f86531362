/** The module's `lifecycle` option: how deletions and retention are enforced. */
export interface LifecycleOptions {
  /**
   * Milliseconds between retiring events (a deletion, a truncation) and deleting their items:
   * long enough for every process's boundary cache to stop trusting what it knew of them (so no
   * append can land among deleted items). Default `boundaryCache.trustMs` + 5,000; never less than
   * `trustMs`. A hard delete waits this long before it erases.
   */
  purgeFenceMs?: number;
  /** The clock commit times and `maxAge` are measured by (Unix milliseconds; default `Date.now`): for tests. */
  clock?: () => number;
}

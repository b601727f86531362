/**
 * A projection that can be rebuilt: `ProjectionManager.rebuild()` calls `reset()` to empty its read
 * model, then replays the whole feed into it. Projections without it cannot be rebuilt.
 */
export interface ResettableProjection {
  /**
   * Deletes everything the projection has built, so that replaying every event builds it afresh.
   *
   * Must be idempotent, and safe to run again after a partial run: the rebuild first moves the stored
   * checkpoint back to the start of the feed (with a `rebuilding` flag), then calls `reset()`. If the
   * process dies or `reset()` throws before the next checkpoint save, whichever instance holds the
   * lease next calls `reset()` again before it handles anything, possibly on a half-emptied (or already
   * empty) read model.
   */
  reset(): Promise<void> | void;
}

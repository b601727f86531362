/**
 * A projection that can be rebuilt: `ProjectionManager.rebuild()` calls `reset()` to empty its read
 * model, then replays the whole feed into it. Projections without it cannot be rebuilt.
 */
export interface ResettableProjection {
  /** Deletes everything the projection has built, so that replaying every event builds it afresh. */
  reset(): Promise<void> | void;
}

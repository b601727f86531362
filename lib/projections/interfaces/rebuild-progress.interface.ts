/** How far a `ProjectionManager.rebuild()` has got; passed to `onProgress` after each page. */
export interface RebuildProgress {
  /** Events handled since the rebuild started. */
  readonly eventsHandled: number;
  /** Events handled per second so far. */
  readonly eventsPerSecond: number;
  /** Time since the rebuild started, in ms. */
  readonly elapsedMs: number;
  /**
   * Share done, from 0 to 1, measured in commits: the feed index positions read (handled, or
   * filtered out as not the projection's) out of the index's head when the rebuild started
   * (1 once the replay has reached it; commits indexed since are followed afterwards).
   */
  readonly fraction: number;
  /** Time left at the rate so far, in ms; undefined until there is a rate to go by. */
  readonly estimatedRemainingMs: number | undefined;
}

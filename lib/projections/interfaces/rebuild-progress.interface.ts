/** How far a `ProjectionManager.rebuild()` has got; passed to `onProgress` after each page. */
export interface RebuildProgress {
  /** Events handled since the rebuild started. */
  readonly eventsHandled: number;
  /** Events handled per second so far. */
  readonly eventsPerSecond: number;
  /** Time since the rebuild started, in ms. */
  readonly elapsedMs: number;
  /**
   * Share done, from 0 to 1, measured by commit time: where the replay stands between the first
   * commit it read and the high-water mark it replays to (1 once it has reached it).
   */
  readonly fraction: number;
  /** Time left at the rate so far, in ms; undefined until there is a rate to go by. */
  readonly estimatedRemainingMs: number | undefined;
}

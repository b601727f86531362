/** The `projections` module option. */
export interface ProjectionsModuleOptions {
  /**
   * Start every registered projection when the app has bootstrapped. Default true; with false,
   * start them with `ProjectionManager.start()` (in a worker process, say).
   */
  autoStart?: boolean;
}

import type { RebuildProgress } from './rebuild-progress.interface.js';

/** Options of `ProjectionManager.rebuild()`. */
export interface RebuildOptions {
  /** Called after each page of the replay, and once at the end with `fraction` 1. Errors it throws are logged and ignored. */
  onProgress?: (progress: RebuildProgress) => void;
}

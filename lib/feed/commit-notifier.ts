/**
 * Tells in-process feed followers (projections) that the feed may have advanced: this process
 * just committed, or the in-app indexer just wrote a batch of the feed index. A hint only: it says
 * nothing about what was indexed, and followers still poll, which is what carries commits indexed
 * by other processes.
 */
export class CommitNotifier {
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` on each hint; returns the function that stops it. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Never throws: the commit (or the index batch) has happened, and a listener's failure must not
   * make it look failed.
   */
  notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A hint lost: the listener's next poll finds the commit anyway.
      }
    }
  }
}

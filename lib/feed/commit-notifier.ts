/**
 * Tells in-process feed followers (projections) that this process just committed, so they can
 * read the feed as soon as the commit has settled instead of at their next poll. A hint only:
 * followers still poll, which is what carries commits made by other processes.
 */
export class CommitNotifier {
  private readonly listeners = new Set<(committedAt: number) => void>();

  /** Calls `listener` with each commit's time; returns the function that stops it. */
  subscribe(listener: (committedAt: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Never throws: the commit has happened, and a listener's failure must not make the append look failed. */
  notify(committedAt: number): void {
    for (const listener of this.listeners) {
      try {
        listener(committedAt);
      } catch {
        // A hint lost: the listener's next poll finds the commit anyway.
      }
    }
  }
}

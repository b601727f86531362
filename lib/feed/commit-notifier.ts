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

  notify(committedAt: number): void {
    for (const listener of this.listeners) listener(committedAt);
  }
}

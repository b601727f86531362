/**
 * The last indexed version of each stream the indexer has seen, least recently used forgotten
 * first (a Map keeps insertion order, and a touch re-inserts). After a reconciliation it is
 * `complete`: a stream it does not hold has nothing indexed at all.
 */
export class StreamHeads {
  private readonly heads = new Map<string, number>();
  private completeSince = false;

  constructor(private readonly maxStreams: number) {}

  /** The stream's last indexed version: 0 when it is known to have none, undefined when unknown. */
  get(streamId: string): number | undefined {
    const version = this.heads.get(streamId);
    if (version !== undefined) return version;
    return this.completeSince ? 0 : undefined;
  }

  /** Records that the stream is indexed up to `version` (never lowers it). */
  set(streamId: string, version: number): void {
    const known = this.heads.get(streamId);
    this.heads.delete(streamId);
    this.heads.set(streamId, known === undefined ? version : Math.max(known, version));
    // While complete, every stream must be kept: forgetting one would make it read as "nothing indexed".
    if (!this.completeSince && this.heads.size > this.maxStreams) this.heads.delete(this.heads.keys().next().value!);
  }

  /** Marks the heads as holding every indexed stream (after reading the whole index). */
  markComplete(): void {
    this.completeSince = true;
  }

  get complete(): boolean {
    return this.completeSince;
  }

  get size(): number {
    return this.heads.size;
  }

  clear(): void {
    this.heads.clear();
    this.completeSince = false;
  }
}

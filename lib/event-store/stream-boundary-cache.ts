/**
 * Versions known to end a stored item, per stream.
 *
 * An append at expected version v writes its first item under sort key v + 1 with
 * `attribute_not_exists`. That key collides with any commit that already starts there, but not
 * with one that merely covers v + 1 (a multi-event commit starting earlier). So before writing,
 * v must be known to end an item; then v + 1 can only ever be a commit's first version, and the
 * key collision alone decides the race. "v ends an item" never stops being true (items are
 * immutable), so what this process wrote or read can be remembered and the check skipped; only
 * a version not seen here costs one strongly consistent read of the stream's head.
 *
 * Each boundary keeps its commit's time too: the next commit of the stream is stamped later than
 * it, so that the feed (ordered by commit time) sees every stream in version order.
 */
export class StreamBoundaryCache {
  /** Per stream, known boundaries as version -> committedAt. */
  private readonly streams = new Map<string, Map<number, number>>();

  constructor(
    private readonly maxStreams = 10_000,
    private readonly perStream = 4,
  ) {}

  has(streamId: string, version: number): boolean {
    return this.streams.get(streamId)?.has(version) ?? false;
  }

  /** When the commit ending at `version` was written, if that boundary is known. */
  committedAtOf(streamId: string, version: number): number | undefined {
    return this.streams.get(streamId)?.get(version);
  }

  /** The highest known boundary below `version`, if any. */
  below(streamId: string, version: number): number | undefined {
    let best: number | undefined;
    for (const known of this.streams.get(streamId)?.keys() ?? []) if (known < version && (best === undefined || known > best)) best = known;
    return best;
  }

  remember(streamId: string, version: number, committedAt: number): void {
    const known = this.streams.get(streamId);
    if (known === undefined) {
      // Evicts the stream learned about longest ago: cheaper than strict LRU on every append,
      // and an evicted stream only costs one head read the next time.
      if (this.streams.size >= this.maxStreams) this.streams.delete(this.streams.keys().next().value!);
      this.streams.set(streamId, new Map([[version, committedAt]]));
      return;
    }
    if (known.has(version)) return;
    known.set(version, committedAt);
    if (known.size > this.perStream) known.delete(Math.min(...known.keys()));
  }
}

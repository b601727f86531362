/**
 * The stored item that ends at a known boundary: enough to check, within a later read's own
 * Query, that the item is still there as it was.
 */
export interface BoundaryAnchor {
  /** Sort key of the item (its first version). */
  readonly version: number;
  /** The boundary: the item's last version, which is also its commit's last version. */
  readonly lastVersion: number;
  readonly commitId: string;
  readonly committedAt: number;
}

/** How long a boundary is trusted for appends, and how many are kept. */
export interface BoundaryCacheSettings {
  /** Milliseconds after a read or write last confirmed a boundary during which appends trust it. */
  readonly trustMs: number;
  readonly maxStreams: number;
}

interface KnownBoundary extends BoundaryAnchor {
  /** When a read or write of this process last saw the item (its clock, for `trustMs`). */
  confirmedAt: number;
}

/**
 * Versions known to end a stored commit, per stream, each with the item that ends there.
 *
 * An append at expected version v writes its first item under sort key v + 1 with
 * `attribute_not_exists`. That key collides with any commit that already starts there, but not
 * with one that merely covers v + 1 (a multi-event commit starting earlier). So before writing,
 * v must be known to end an item; then v + 1 can only ever be a commit's first version, and the
 * key collision alone decides the race. That holds for as long as the item ending at v stays in
 * the table, which this module never changes; only an item deleted by hand, lost, or dropped by
 * a restore can make it false. So a boundary is trusted for appends only `trustMs` after a read or
 * write last saw its item, is evicted as soon as any read or head read contradicts it, and can be
 * turned off (`trustMs: 0`: one head read per append at a numeric expected version; the module's
 * `boundaryCache: false` also reads it for `NO_STREAM`). Reads never trust it blindly: they start
 * at the anchor item and check it is still there, within the same Query.
 *
 * Each boundary keeps its commit's time too: the next commit of the stream is stamped no earlier
 * than it, so that `occurredAt` never goes back within a stream.
 */
export class StreamBoundaryCache {
  /** Per stream, known boundaries by version. */
  private readonly streams = new Map<string, Map<number, KnownBoundary>>();

  constructor(
    private readonly options: BoundaryCacheSettings = { trustMs: DEFAULT_BOUNDARY_TRUST_MS, maxStreams: 10_000 },
    private readonly perStream = 4,
    // Monotonic: trust is a duration, which a wall clock set back would stretch.
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether appends may trust that `version` ends a commit of the stream without reading its head. */
  trusts(streamId: string, version: number): boolean {
    const known = this.streams.get(streamId)?.get(version);
    return known !== undefined && this.now() - known.confirmedAt < this.options.trustMs;
  }

  /** When the commit ending at `version` was written, if that boundary is known. */
  committedAtOf(streamId: string, version: number): number | undefined {
    return this.streams.get(streamId)?.get(version)?.committedAt;
  }

  /** The item ending at the highest known boundary below `version` (for a read to start from and check), if any. */
  anchorBelow(streamId: string, version: number): BoundaryAnchor | undefined {
    let best: KnownBoundary | undefined;
    for (const known of this.streams.get(streamId)?.values() ?? []) {
      if (known.lastVersion < version && (best === undefined || known.lastVersion > best.lastVersion)) best = known;
    }
    return best;
  }

  /** The highest known boundary of the stream, if any. */
  highest(streamId: string): number | undefined {
    let best: number | undefined;
    for (const version of this.streams.get(streamId)?.keys() ?? []) if (best === undefined || version > best) best = version;
    return best;
  }

  /** This cache's clock (monotonic milliseconds): take it before a request whose answer may be remembered. */
  time(): number {
    return this.now();
  }

  /**
   * Records (or confirms) that `item` is stored and ends its commit, as seen by a request sent at
   * `observedAt` (by {@link time}; default now): trust runs from when the request left, not from
   * when its answer came, so that it never outlasts the fact by more than `trustMs`.
   */
  remember(streamId: string, item: BoundaryAnchor, observedAt: number = this.now()): void {
    if (this.options.maxStreams === 0) return;
    // Only the header: a stored item read from the table also carries its events.
    const boundary: KnownBoundary = {
      version: item.version,
      lastVersion: item.lastVersion,
      commitId: item.commitId,
      committedAt: item.committedAt,
      confirmedAt: observedAt,
    };
    const known = this.streams.get(streamId);
    if (known === undefined) {
      // Evicts the stream learned about longest ago: cheaper than strict LRU on every append,
      // and an evicted stream only costs one head read the next time.
      if (this.streams.size >= this.options.maxStreams) this.streams.delete(this.streams.keys().next().value!);
      this.streams.set(streamId, new Map([[item.lastVersion, boundary]]));
      return;
    }
    const same = known.get(item.lastVersion);
    if (same !== undefined && sameItem(same, item)) {
      same.confirmedAt = Math.max(same.confirmedAt, boundary.confirmedAt);
      return;
    }
    if (same !== undefined) {
      // Another item ends there now: what was known is wrong, and so may be the rest of the stream's entries.
      this.forget(streamId);
      this.remember(streamId, item);
      return;
    }
    known.set(item.lastVersion, boundary);
    if (known.size > this.perStream) known.delete(Math.min(...known.keys()));
  }

  /**
   * Checks a stored item a read or head read saw against what is known of its stream, and forgets
   * the stream's boundaries when they disagree: an item that covers a known boundary without
   * ending there, or another item ending at one.
   */
  observe(streamId: string, item: Pick<BoundaryAnchor, 'version' | 'lastVersion' | 'commitId'>): void {
    const known = this.streams.get(streamId);
    if (known === undefined) return;
    for (const boundary of known.values()) {
      const inside = item.version <= boundary.lastVersion && boundary.lastVersion <= item.lastVersion;
      if (inside && !sameItem(boundary, item)) {
        this.forget(streamId);
        return;
      }
    }
  }

  /** Forgets everything known of the stream (a read found it other than the cache said). */
  forget(streamId: string): void {
    this.streams.delete(streamId);
  }
}

/** A boundary is trusted for this long after a read or write last saw it, unless the module says otherwise. */
export const DEFAULT_BOUNDARY_TRUST_MS = 5_000;

const sameItem = (a: Pick<BoundaryAnchor, 'version' | 'lastVersion' | 'commitId'>, b: Pick<BoundaryAnchor, 'version' | 'lastVersion' | 'commitId'>) =>
  a.version === b.version && a.lastVersion === b.lastVersion && a.commitId === b.commitId;

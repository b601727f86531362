/** What a writer child process appends once told to `go` (see writer-process.ts). */
export interface WriterPlan {
  /** Shown in acks. */
  readonly id: string;
  /** Streams only this writer appends to, with their exact expected version. */
  readonly streams: readonly string[];
  /** Streams other writers append to as well, with expected version 'any' (the store settles the races). */
  readonly shared?: readonly string[];
  /** Stop once each stream holds this many events from this plan. Default: go on until told to stop (or `commits`). */
  readonly eventsPerStream?: number;
  /** Stop after this many commits in all. */
  readonly commits?: number;
  /** Commits started per second at most (in all, over the `concurrency` appends in flight). */
  readonly commitsPerSecond: number;
  /** Appends in flight at a time (on different streams). */
  readonly concurrency: number;
  /** Every `every`-th commit holds `events` events of `eventBytes` bytes each instead (over 400 KB: a split commit). */
  readonly large?: { readonly every: number; readonly events: number; readonly eventBytes: number };
  /** Seeds each stream's commit sizes. */
  readonly seed: number;
}

/**
 * The sizes of one stream's commits, 1 to 3 events each, the same for the same seed: size of the
 * `n`th commit (from 0), undefined once `eventsPerStream` events are planned (the last commit is cut to fit).
 */
export function commitSizes(seed: number, eventsPerStream?: number): (n: number) => number | undefined {
  const random = mulberry32(seed);
  const sizes: number[] = [];
  let planned = 0;
  return (n) => {
    while (sizes.length <= n) {
      const left = eventsPerStream === undefined ? 3 : eventsPerStream - planned;
      if (left <= 0) return undefined;
      const size = Math.min(left, 1 + Math.floor(random() * 3));
      sizes.push(size);
      planned += size;
    }
    return sizes[n];
  };
}

/** A small seeded generator (mulberry32): the same plan on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

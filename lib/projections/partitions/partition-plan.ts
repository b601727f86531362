/** The most partitions one of `members` live instances should hold: the count divided among them, rounded up. */
export function fairShare(partitions: number, members: number): number {
  return Math.ceil(partitions / Math.max(1, members));
}

/**
 * Which partitions an instance should hold after a round: those it holds, up to its share
 * (letting the highest-numbered go first), then those it was already after and that are still
 * free, then other free ones in a random order (so that instances starting together rarely reach
 * for the same ones), up to its share. Partitions held by live others are never taken: an instance
 * over its share gives partitions up by itself, at its own round.
 */
export function planHoldings(input: {
  readonly partitions: number;
  readonly held: ReadonlySet<number>;
  readonly free: readonly number[];
  readonly pending: ReadonlySet<number>;
  readonly share: number;
  readonly random?: () => number;
}): Set<number> {
  const { held, free, pending, share, random = Math.random } = input;
  const keep = [...held].sort((a, b) => a - b).slice(0, share);
  const wanted = new Set(keep);
  const candidates = [...free.filter((index) => pending.has(index)), ...shuffle(free.filter((index) => !pending.has(index)), random)];
  for (const index of candidates) {
    if (wanted.size >= share) break;
    wanted.add(index);
  }
  return wanted;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

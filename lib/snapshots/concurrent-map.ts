/**
 * Maps `items` with at most `limit` calls of `task` in flight, results in input order. After the
 * first failure no new task starts; the ones in flight are awaited, then the failure is thrown
 * with the indexes that were started, so the caller can undo exactly those.
 */
export async function concurrentMap<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw new ConcurrentMapError(failure.error, next);
  return results;
}

/** A task of {@link concurrentMap} failed; items `[0, started)` were started (and may have had effects). */
export class ConcurrentMapError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly started: number,
  ) {
    super('A task of a concurrent map failed', { cause });
  }
}

/**
 * An async iterable of single values over an async source of batches (one batch per stored item).
 * Reads decode a whole item at once; handing its events out from a plain iterator costs one
 * resolved promise per event, where an async generator's `yield` costs several.
 */
export function unbatch<T>(batches: () => AsyncIterator<readonly T[]>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const source = batches();
      let batch: readonly T[] = [];
      let index = 0;
      const refill = async (): Promise<IteratorResult<T>> => {
        while (index >= batch.length) {
          const next = await source.next();
          if (next.done === true) return { done: true, value: undefined };
          batch = next.value;
          index = 0;
        }
        return { done: false, value: batch[index++]! };
      };
      return {
        next: () => (index < batch.length ? Promise.resolve({ done: false, value: batch[index++]! }) : refill()),
        return: async () => {
          batch = [];
          await source.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

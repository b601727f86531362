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
      let refilling: Promise<IteratorResult<T>> | undefined;
      const refill = async (): Promise<IteratorResult<T>> => {
        while (index >= batch.length) {
          const next = await source.next();
          if (next.done === true) return { done: true, value: undefined };
          batch = next.value;
          index = 0;
        }
        return { done: false, value: batch[index++]! };
      };
      const next = (): Promise<IteratorResult<T>> => {
        // Calls made while a batch is loading wait their turn, so concurrent next() calls keep their order.
        if (refilling !== undefined) return refilling.then(next);
        if (index < batch.length) return Promise.resolve({ done: false, value: batch[index++]! });
        refilling = refill().finally(() => (refilling = undefined));
        return refilling;
      };
      return {
        next,
        return: async () => {
          batch = [];
          await source.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

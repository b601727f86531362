import { describe, expect, it } from '@jest/globals';
import { unbatch } from './batched-iterable.js';

describe('unbatch', () => {
  it('hands out the values of every batch in order, skipping empty batches', async () => {
    async function* batches() {
      yield [1, 2];
      yield [];
      yield [3];
    }
    const values: number[] = [];
    for await (const value of unbatch(batches)) values.push(value);
    expect(values).toEqual([1, 2, 3]);
  });

  it('keeps values in order when next() is called again before a batch has loaded', async () => {
    async function* batches() {
      yield [1];
      yield [2, 3];
      yield [4];
    }
    const iterator = unbatch(batches)[Symbol.asyncIterator]();
    const results = await Promise.all([iterator.next(), iterator.next(), iterator.next(), iterator.next(), iterator.next()]);
    expect(results.map((r) => r.value)).toEqual([1, 2, 3, 4, undefined]);
    expect(results.at(-1)!.done).toBe(true);
  });

  it('starts the source afresh for each iteration and closes it when the consumer stops early', async () => {
    let started = 0;
    let closed = 0;
    async function* batches() {
      started++;
      try {
        yield [1, 2];
        yield [3];
      } finally {
        closed++;
      }
    }
    const iterable = unbatch(batches);
    for await (const value of iterable) if (value === 1) break;
    const all: number[] = [];
    for await (const value of iterable) all.push(value);
    expect(all).toEqual([1, 2, 3]);
    expect(started).toBe(2);
    expect(closed).toBe(2);
  });
});

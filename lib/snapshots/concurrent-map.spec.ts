import { describe, expect, it } from '@jest/globals';
import { concurrentMap, ConcurrentMapError } from './concurrent-map.js';

/** A task that resolves when the test says so, so that the number in flight can be observed. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('concurrentMap', () => {
  it('keeps at most `limit` tasks in flight and returns results in input order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await concurrentMap([5, 1, 4, 2, 3], 2, async (n) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('starts nothing after a failure, waits for the tasks in flight and reports how many started', async () => {
    const slow = gate();
    const started: number[] = [];
    let slowFinished = false;
    const run = concurrentMap([0, 1, 2, 3, 4], 2, async (n) => {
      started.push(n);
      if (n === 0) {
        await slow.opened;
        slowFinished = true;
        return n;
      }
      throw new Error(`task ${n} failed`);
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]); // task 1 failed: tasks 2-4 never start
    slow.open();
    const error = await run.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrentMapError);
    expect((error as ConcurrentMapError).started).toBe(2);
    expect(((error as ConcurrentMapError).cause as Error).message).toBe('task 1 failed');
    expect(slowFinished).toBe(true);
  });
});

import { describe, expect, it } from '@jest/globals';
import { concatMap, filter, from, map, take, type Subscription } from 'rxjs';
import { handleInOrder } from './handle-in-order.operator.js';
import { pagedObservable } from './paged-observable.js';

interface Value {
  readonly n: number;
}

/** A promise settled from outside. */
interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}

/** Lets every pending promise callback run (the fakes below settle in microtasks only). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Pages of {n} values in memory, counting pulls and returns; a pull can be held open or made to fail. */
class FakePages implements AsyncIterator<readonly Value[]> {
  pulls = 0;
  returns = 0;
  /** Pulls made after return(): there must be none. */
  pullsAfterReturn = 0;
  private held?: Deferred;
  private failing?: { pull: number; error: Error };

  constructor(private readonly pages: readonly Value[][]) {}

  static of(...sizes: number[]): FakePages {
    let n = 0;
    return new FakePages(sizes.map((size) => Array.from({ length: size }, () => ({ n: ++n }))));
  }

  /** The next pull waits until the returned function is called. */
  holdNextPull(): () => void {
    const gate = deferred();
    this.held = gate;
    return () => gate.resolve();
  }

  failOnPull(pull: number, error: Error): void {
    this.failing = { pull, error };
  }

  async next(): Promise<IteratorResult<readonly Value[]>> {
    if (this.returns > 0) this.pullsAfterReturn++;
    const pull = ++this.pulls;
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) await held.promise;
    if (this.failing?.pull === pull) throw this.failing.error;
    const page = this.pages[pull - 1];
    return page === undefined ? { done: true, value: undefined } : { done: false, value: page };
  }

  async return(): Promise<IteratorResult<readonly Value[]>> {
    this.returns++;
    return { done: true, value: undefined };
  }
}

describe('pagedObservable', () => {
  it('pulls the next page only once a synchronous subscriber has handled the whole page', async () => {
    const pages = FakePages.of(3, 2, 4);
    const pullsSeen: Array<[number, number]> = [];
    const done = deferred();
    pagedObservable(() => pages).subscribe({
      next: (value) => pullsSeen.push([value.n, pages.pulls]),
      complete: () => done.resolve(),
    });
    await done.promise;
    // Values of page k are emitted while exactly k pulls have been made; one last pull finds the end.
    expect(pullsSeen).toEqual([
      [1, 1], [2, 1], [3, 1],
      [4, 2], [5, 2],
      [6, 3], [7, 3], [8, 3], [9, 3],
    ]);
    expect(pages.pulls).toBe(4);
    expect(pages.returns).toBe(0); // a finished iterator owes no return()
  });

  it('with handleInOrder, pulls the next page only once every handler of the page has settled', async () => {
    const pages = FakePages.of(3, 2);
    const handlers = new Map<number, Deferred>();
    const emitted: number[] = [];
    let completed = false;
    pagedObservable(() => pages)
      .pipe(
        handleInOrder((value: Value) => {
          const gate = deferred();
          handlers.set(value.n, gate);
          return gate.promise;
        }),
      )
      .subscribe({ next: (value) => emitted.push(value.n), complete: () => (completed = true) });

    await settle();
    expect([...handlers.keys()]).toEqual([1]); // one handler at a time
    expect(pages.pulls).toBe(1);
    handlers.get(1)!.resolve();
    await settle();
    expect(emitted).toEqual([1]); // emitted once its handler resolved
    expect([...handlers.keys()]).toEqual([1, 2]);
    handlers.get(2)!.resolve();
    await settle();
    expect(pages.pulls).toBe(1); // value 3 of page 1 is still being handled
    handlers.get(3)!.resolve();
    await settle();
    expect(pages.pulls).toBe(2);
    expect([...handlers.keys()]).toEqual([1, 2, 3, 4]);
    handlers.get(4)!.resolve();
    await settle();
    handlers.get(5)!.resolve();
    await settle();
    expect(emitted).toEqual([1, 2, 3, 4, 5]);
    expect(pages.pulls).toBe(3);
    expect(completed).toBe(true);
  });

  it('counts a value as handled only once the last of chained handleInOrder handlers has settled', async () => {
    const pages = FakePages.of(1, 1);
    const second = deferred();
    const secondStarted = deferred();
    pagedObservable(() => pages)
      .pipe(
        handleInOrder(async () => undefined),
        handleInOrder((value: Value) => {
          if (value.n !== 1) return undefined;
          secondStarted.resolve();
          return second.promise;
        }),
      )
      .subscribe();
    await secondStarted.promise;
    await settle();
    expect(pages.pulls).toBe(1);
    second.resolve();
    await settle();
    expect(pages.pulls).toBe(3);
  });

  it('reads ahead without handleInOrder: concatMap takes values as they come (why the operator exists)', async () => {
    const pages = FakePages.of(2, 2, 2);
    const first = deferred();
    pagedObservable(() => pages)
      .pipe(concatMap((value) => (value.n === 1 ? first.promise : Promise.resolve())))
      .subscribe();
    await settle();
    expect(pages.pulls).toBe(4); // every page read while the first value's handler still runs
    first.resolve();
  });

  it('keeps the bound with filter before handleInOrder (same values, at once), loses it with map (new values)', async () => {
    for (const [label, before, pullsWhileFirstIsHandled] of [
      ['filter', filter((value: Value) => value.n !== 2), 1],
      ['map', map((value: Value) => ({ n: value.n })), 4],
    ] as const) {
      const pages = FakePages.of(2, 2, 2);
      const first = deferred();
      const started = deferred();
      pagedObservable(() => pages)
        .pipe(
          before,
          handleInOrder((value: Value) => {
            if (value.n !== 1) return undefined;
            started.resolve();
            return first.promise;
          }),
        )
        .subscribe();
      await started.promise;
      await settle();
      expect([label, pages.pulls]).toEqual([label, pullsWhileFirstIsHandled]);
      first.resolve();
    }
  });

  it('is cold: each subscription opens its own iterator and gets every value', async () => {
    const opened: FakePages[] = [];
    const source = pagedObservable(() => {
      const pages = FakePages.of(2, 1);
      opened.push(pages);
      return pages;
    });
    expect(opened).toHaveLength(0); // nothing happens before subscribing
    const collect = () =>
      new Promise<number[]>((resolve, reject) => {
        const values: number[] = [];
        source.subscribe({ next: (v) => values.push(v.n), error: reject, complete: () => resolve(values) });
      });
    expect(await Promise.all([collect(), collect()])).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(opened).toHaveLength(2);
  });

  it('stops when unsubscribed while a page is being handled: return() at once, no further pull', async () => {
    const pages = FakePages.of(3, 3, 3);
    const handled: number[] = [];
    const started = deferred();
    const subscription: Subscription = pagedObservable(() => pages)
      .pipe(
        handleInOrder((value: Value) => {
          handled.push(value.n);
          if (value.n === 2) started.resolve();
          return value.n === 2 ? new Promise(() => undefined) : undefined; // value 2 is handled forever
        }),
      )
      .subscribe();
    await started.promise;
    expect(pages.returns).toBe(0);
    subscription.unsubscribe();
    expect(pages.returns).toBe(1);
    await settle();
    expect(pages.pulls).toBe(1);
    expect(pages.pullsAfterReturn).toBe(0);
    expect(handled).toEqual([1, 2]); // value 3 was never handed to the handler
  });

  it('stops after take(n) within a page, without pulling again', async () => {
    const pages = FakePages.of(5, 5);
    const values: number[] = [];
    const done = deferred();
    pagedObservable(() => pages)
      .pipe(take(2))
      .subscribe({ next: (v) => values.push(v.n), complete: () => done.resolve() });
    await done.promise;
    await settle();
    expect(values).toEqual([1, 2]);
    expect(pages.pulls).toBe(1);
    expect(pages.returns).toBe(1);
  });

  it('unsubscribed during a pull, calls return() once that pull settles, and emits nothing from it', async () => {
    const pages = FakePages.of(2, 2, 2);
    const values: number[] = [];
    const release = pages.holdNextPull(); // the first pull hangs
    pagedObservable(() => pages)
      .subscribe((v) => values.push(v.n))
      .unsubscribe();
    await settle();
    expect(pages.returns).toBe(0); // not while next() is in flight
    release();
    await settle();
    expect(pages.returns).toBe(1);
    expect(pages.pulls).toBe(1);
    expect(values).toEqual([]);
  });

  it('errors with the iterator\'s error after the pages before it, without calling return()', async () => {
    const pages = FakePages.of(2, 2, 2);
    const failure = new Error('page 2 failed');
    pages.failOnPull(2, failure);
    const values: number[] = [];
    const error = await new Promise<unknown>((resolve, reject) =>
      pagedObservable(() => pages).subscribe({ next: (v) => values.push(v.n), error: resolve, complete: () => reject(new Error('completed')) }),
    );
    expect(error).toBe(failure);
    expect(values).toEqual([1, 2]);
    expect(pages.returns).toBe(0);
    expect(pages.pulls).toBe(2);
  });

  it('errors when open() throws', async () => {
    const failure = new Error('cannot open');
    const error = await new Promise<unknown>((resolve) =>
      pagedObservable<Value>(() => {
        throw failure;
      }).subscribe({ error: resolve }),
    );
    expect(error).toBe(failure);
  });

  it('errors with a handler\'s error, and stops reading', async () => {
    const pages = FakePages.of(2, 2, 2);
    const failure = new Error('handler failed');
    const handled: number[] = [];
    const error = await new Promise<unknown>((resolve, reject) =>
      pagedObservable(() => pages)
        .pipe(
          handleInOrder(async (value: Value) => {
            handled.push(value.n);
            if (value.n === 3) throw failure;
          }),
        )
        .subscribe({ error: resolve, complete: () => reject(new Error('completed')) }),
    );
    await settle();
    expect(error).toBe(failure);
    expect(handled).toEqual([1, 2, 3]);
    expect(pages.pulls).toBe(2);
    expect(pages.returns).toBe(1);
    expect(pages.pullsAfterReturn).toBe(0);
  });
});

describe('handleInOrder on any Observable', () => {
  it('handles values one at a time, in order, and emits each once its handler resolved', async () => {
    let running = 0;
    let mostRunning = 0;
    const log: string[] = [];
    const emitted = await new Promise<number[]>((resolve, reject) => {
      const values: number[] = [];
      from([1, 2, 3, 4])
        .pipe(
          handleInOrder(async (n: number) => {
            mostRunning = Math.max(mostRunning, ++running);
            log.push(`start ${n}`);
            await settle();
            log.push(`end ${n}`);
            running--;
          }),
        )
        .subscribe({ next: (n) => (log.push(`emit ${n}`), values.push(n)), error: reject, complete: () => resolve(values) });
    });
    expect(emitted).toEqual([1, 2, 3, 4]);
    expect(mostRunning).toBe(1);
    expect(log.slice(0, 6)).toEqual(['start 1', 'end 1', 'emit 1', 'start 2', 'end 2', 'emit 2']);
  });

  it('errors on a synchronous throw of the handler', async () => {
    const failure = new Error('sync');
    const error = await new Promise<unknown>((resolve) =>
      from([1, 2])
        .pipe(
          handleInOrder(() => {
            throw failure;
          }),
        )
        .subscribe({ error: resolve }),
    );
    expect(error).toBe(failure);
  });
});

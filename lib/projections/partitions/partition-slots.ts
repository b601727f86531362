import { Halted } from '../halted.js';

/**
 * How many of a projection's partitions this instance handles at once (`@Projection` option
 * `concurrency`): a partition takes a slot for each page it handles (its handler calls and the
 * checkpoint save) and gives it back after, so partitions beyond the limit take turns, page by page,
 * in the order they asked. Reading the next page happens outside the slot.
 */
export class PartitionSlots {
  private free: number;
  private readonly queue: Array<{ readonly grant: () => void }> = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  /**
   * Resolves to the slot's release once one is free (in turn).
   * @throws Halted when a signal fires first (nothing taken).
   */
  take(signals: readonly AbortSignal[]): Promise<() => void> {
    if (signals.some((signal) => signal.aborted)) return Promise.reject(new Halted());
    if (this.free > 0 && this.queue.length === 0) {
      this.free--;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          for (const signal of signals) signal.removeEventListener('abort', aborted);
          resolve(this.releaser());
        },
      };
      const aborted = () => {
        const at = this.queue.indexOf(entry);
        if (at >= 0) this.queue.splice(at, 1);
        for (const signal of signals) signal.removeEventListener('abort', aborted);
        reject(new Halted());
      };
      for (const signal of signals) signal.addEventListener('abort', aborted, { once: true });
      this.queue.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next === undefined) this.free++;
      else next.grant(); // the slot passes straight on
    };
  }
}

/** Collects what event handlers receive and lets a test wait for a given count, without sleeping. */
export class ReceivedEvents<T = object> {
  readonly events: T[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  add(event: T): void {
    this.events.push(event);
    this.waiters = this.waiters.filter((waiter) => {
      if (this.events.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }

  /** Resolves once `count` events have arrived; rejects after `timeoutMs` naming what did arrive. */
  waitFor(count: number, timeoutMs = 5_000): Promise<void> {
    if (this.events.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} events, received ${this.events.length}`)),
        timeoutMs,
      );
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

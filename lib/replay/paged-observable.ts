import { Observable } from 'rxjs';

/**
 * The values of one subscription's current page that a handler has claimed and not yet released,
 * and the source waiting for them all to be released before it reads the next page.
 */
class PageDemand {
  /** Claimed value -> number of unreleased claims (one per claiming operator). */
  private readonly claims = new Map<object, number>();
  private wake?: () => void;
  private cancelled = false;

  claim(value: object): void {
    if (!this.cancelled) this.claims.set(value, (this.claims.get(value) ?? 0) + 1);
  }

  isClaimed(value: object): boolean {
    return this.claims.has(value);
  }

  /** Drops one claim on `value`; true when that was its last one. */
  release(value: object): boolean {
    const count = this.claims.get(value);
    if (count === undefined) return false;
    if (count > 1) {
      this.claims.set(value, count - 1);
      return false;
    }
    this.claims.delete(value);
    if (this.claims.size === 0) this.notify();
    return true;
  }

  /** Resolves once no value is claimed any more, or the subscription has ended. */
  settled(): Promise<void> {
    if (this.claims.size === 0 || this.cancelled) return Promise.resolve();
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  cancel(): void {
    this.cancelled = true;
    this.claims.clear();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * Each emitted value -> the demand of the subscription that emitted it, while it can still be
 * claimed: during its `next()` call, and for as long as some handler holds a claim on it.
 */
const demandOf = new WeakMap<object, PageDemand>();

const isObject = (value: unknown): value is object => (typeof value === 'object' && value !== null) || typeof value === 'function';

/**
 * Marks a value emitted by a {@link pagedObservable} as not handled yet: its source reads no
 * further page until the value is {@link release}d. Only effective when called synchronously while
 * the value is being emitted (or while another claim on it is held); otherwise, and for values of
 * any other Observable, it does nothing.
 * @internal for operators such as handleInOrder
 */
export function claim(value: unknown): void {
  if (isObject(value)) demandOf.get(value)?.claim(value);
}

/**
 * Drops a claim taken with {@link claim}: the value counts as handled once its last claim is released.
 * @internal for operators such as handleInOrder
 */
export function release(value: unknown): void {
  if (!isObject(value)) return;
  const demand = demandOf.get(value);
  if (demand?.release(value) === true) demandOf.delete(value);
}

/**
 * A cold Observable of the values of a paged source, read one page at a time as they are handled.
 *
 * Each subscription calls `open()` for its own iterator of pages, emits every value of a page,
 * and pulls the next page only once the whole page has been handled: for a synchronous consumer
 * that is when `next()` returned; a value claimed by an operator such as `handleInOrder` counts
 * as handled once released. So no more than one page of unhandled values waits per subscription.
 * Unsubscribing stops the reading: `next()` is not called again and the iterator's `return()` is
 * (at once, or as soon as a pull already in flight settles). Iterator errors error the Observable.
 * Values must be distinct objects within a subscription's page (claims are keyed by identity).
 */
export function pagedObservable<T extends object>(open: () => AsyncIterator<readonly T[]>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const demand = new PageDemand();
    let iterator: AsyncIterator<readonly T[]> | undefined;
    let pulling = false; // a next() call is in flight: return() waits for it
    let finished = false; // the iterator is done, failed or returned: it owes no return()

    const stop = () => {
      if (iterator === undefined || finished) return;
      finished = true;
      try {
        // After unsubscribing nobody listens, but a failure to stop is still reported (onStoppedNotification).
        Promise.resolve(iterator.return?.()).then(undefined, (error: unknown) => subscriber.error(error));
      } catch (error) {
        subscriber.error(error);
      }
    };

    const run = async () => {
      try {
        iterator = open();
      } catch (error) {
        subscriber.error(error);
        return;
      }
      while (!subscriber.closed) {
        let page: IteratorResult<readonly T[]>;
        pulling = true;
        try {
          page = await iterator.next();
        } catch (error) {
          finished = true;
          subscriber.error(error);
          return;
        } finally {
          pulling = false;
        }
        if (page.done === true) {
          finished = true;
          subscriber.complete();
          return;
        }
        for (const value of page.value) {
          if (subscriber.closed) break;
          demandOf.set(value, demand);
          subscriber.next(value);
          // A value nobody claimed during next() has been handled by now.
          if (!demand.isClaimed(value)) demandOf.delete(value);
        }
        await demand.settled();
      }
      stop(); // unsubscribed while a pull was in flight: return() could not be called then
    };

    // Only a throwing consumer gets here (rxjs normally reports those itself): the stream fails then.
    run().catch((error: unknown) => subscriber.error(error));
    return () => {
      demand.cancel();
      if (!pulling) stop();
    };
  });
}

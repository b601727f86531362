import { Observable, type OperatorFunction } from 'rxjs';
import { claim, release } from './paged-observable.js';

/**
 * Runs `handler` for each value, one at a time and in order (as `concatMap` would), and emits each
 * value once its handler has resolved. A handler that throws or rejects errors the stream.
 *
 * On `EventStore.replay$` / `replayAll$` it also holds the reading back: a value counts as handled
 * only once its handler has settled, and the next page is read only when every value of the
 * previous one is handled, so at most one page of events waits in memory. (`concatMap` accepts
 * values as fast as they come and queues them, so the whole stream would be read ahead of a slow
 * handler.) The safe pattern puts it first in `pipe`, directly on the replay:
 *
 * ```ts
 * await lastValueFrom(store.replay$(id, { pageSize: 100 }).pipe(handleInOrder(handle)), { defaultValue: undefined });
 * ```
 *
 * Before it, operators that pass the same envelopes on synchronously (`filter`, `tap`, `take`,
 * `takeWhile`) keep the bound; operators that make new values (`map`) or pass values on later
 * (`concatMap`, `mergeMap`, `delay`, `observeOn`, `bufferCount`) lose it, with no error: the
 * replay then reads on regardless of the handler. Or use `EventStore.replay()` / `replayAll()`,
 * which take the handler and return a promise, with the bound built in. On any other Observable
 * it simply handles values in order.
 */
export function handleInOrder<T>(handler: (value: T) => unknown): OperatorFunction<T, T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const waiting: T[] = []; // received and claimed, handler not started yet
      let handling = false;
      let sourceDone = false;

      const handleWaiting = async () => {
        handling = true;
        while (waiting.length > 0 && !subscriber.closed) {
          const value = waiting.shift()!;
          try {
            await handler(value);
          } catch (error) {
            subscriber.error(error);
            release(value);
            return;
          }
          subscriber.next(value); // before releasing: an operator further down may claim it during next()
          release(value);
        }
        handling = false;
        if (sourceDone) subscriber.complete();
      };

      const subscription = source.subscribe({
        next: (value) => {
          claim(value); // synchronously, while the source is still emitting it
          waiting.push(value);
          if (!handling) void handleWaiting();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          if (!handling) subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        for (const value of waiting.splice(0)) release(value);
      };
    });
}

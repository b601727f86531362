import type { EventEnvelope } from '../event-store/interfaces/event-envelope.interface.js';
import type { FeedCheckpoint } from '../feed/feed-checkpoint.js';
import type { FeedEvent } from '../feed/interfaces/feed-event.interface.js';

/** One page of a replay: the events to hand out (after any filter), read and held together. */
export interface ReplayPage<T> {
  readonly events: readonly T[];
}

/** A page of a stream replay: its events, and the version it read up to (also over events left out). */
export interface StreamReplayPage<TEvent extends object> extends ReplayPage<EventEnvelope<TEvent>> {
  readonly lastVersion: number;
}

/** A stream replay, its options checked: where it starts, and its pages, read as they are iterated. */
export interface StreamReplay<TEvent extends object> {
  readonly fromVersion: number;
  pages(): AsyncGenerator<StreamReplayPage<TEvent>>;
}

/** A page of a feed replay: its events, and the checkpoint after it (on the last, caught-up page: the head read to). */
export interface FeedReplayPage<TEvent extends object> extends ReplayPage<FeedEvent<TEvent>> {
  readonly checkpoint: FeedCheckpoint;
  readonly caughtUp: boolean;
}

/**
 * The events of each page, one array per page: what {@link pagedObservable} reads. Stopping it
 * stops the pages underneath (`for await` returns them).
 */
export async function* eventsOfPages<T>(pages: AsyncIterable<ReplayPage<T>>): AsyncGenerator<readonly T[]> {
  for await (const page of pages) yield page.events;
}

/** What {@link handlePages} did: how many events it handled, and the last page it read to the end. */
export interface HandledPages<P> {
  readonly eventsHandled: number;
  /** Undefined when there was no page. */
  readonly lastPage?: P;
}

/**
 * Calls `handler` with every event of every page, one at a time and in order, awaiting each call;
 * the next page is read only once every event of the page before has been handled, so at most one
 * page is held. A handler's error (thrown or rejected), a read's error or an abort stops it: the
 * pages are returned (`for await` does it), so nothing more is read, and the promise rejects with
 * that error (`signal.reason` for an abort; checked before each page and each event, so the call
 * under way settles first).
 */
export async function handlePages<T, P extends ReplayPage<T>>(
  pages: AsyncIterable<P>,
  handler: (event: T) => unknown,
  signal?: AbortSignal,
): Promise<HandledPages<P>> {
  signal?.throwIfAborted(); // before the first pull: an aborted replay reads nothing
  let eventsHandled = 0;
  let lastPage: P | undefined;
  for await (const page of pages) {
    for (const event of page.events) {
      signal?.throwIfAborted();
      await handler(event);
      eventsHandled++;
    }
    signal?.throwIfAborted();
    lastPage = page;
  }
  return { eventsHandled, lastPage };
}

import type { EventTypeList } from './selected-event.interface.js';

/** Options of {@link EventStore.replay$}. */
export interface ReplayOptions<TTypes extends EventTypeList = EventTypeList> {
  /** First version to emit (inclusive). Default 1. */
  fromVersion?: number;
  /** Last version to emit (inclusive). Default: the end of the stream as it is when the replay gets there. */
  toVersion?: number;
  /**
   * Versions per DynamoDB Query page: each page is one Query over the items whose sort key (the
   * version of the item's first event) lies in the next `pageSize` versions, with `Limit: pageSize`.
   * A page so holds at most `pageSize - 1` events plus those of the last commit it reaches into.
   * The next page is only read once every event of the previous one has been handled. A whole
   * number from 1 to 1000.
   */
  pageSize: number;
  /**
   * Only events of these types (classes or registered names, each registered): the others are
   * left out, and the events handed out keep their version order (with gaps where others were
   * left out). Their items are still read, a page of versions at a time: a stream's items hold
   * whole commits. Listing classes types the replay: `eventTypes: [A, B]` hands out `A | B`.
   */
  eventTypes?: TTypes;
}

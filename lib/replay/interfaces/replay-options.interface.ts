/** Options of {@link EventStore.replay$}. */
export interface ReplayOptions {
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
}

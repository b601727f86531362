/** What {@link EventStore.replay} resolves to once the handler has handled every event. */
export interface ReplayResult {
  /** How many events the handler was called with (and handled without throwing). */
  readonly eventsHandled: number;
  /**
   * The version the replay read up to: its last event's, handled or left out by `eventTypes`
   * (`fromVersion - 1` when it found none). Resume with `fromVersion: lastVersion + 1`.
   */
  readonly lastVersion: number;
}

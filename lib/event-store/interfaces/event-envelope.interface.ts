/** A stored event with what the store knows about it. */
export interface EventEnvelope<TEvent extends object = object> {
  /** The event, as an instance of its registered class. */
  readonly event: TEvent;
  /** The registered type name of the event (its current name, also when it was stored under an alias). */
  readonly eventType: string;
  /** Time-ordered unique id of the event (UUIDv7). */
  readonly eventId: string;
  readonly streamId: string;
  /** 1-based position of the event in its stream. */
  readonly version: number;
  /** When the commit holding the event was written. */
  readonly occurredAt: Date;
  /** Id of the commit the event was appended in. */
  readonly commitId: string;
  /**
   * Id shared by every message of one conversation, from the append's `correlationId` or the
   * {@link EventMetadataContext} it ran in. Undefined when neither gave one.
   */
  readonly correlationId: string | undefined;
  /** Id of the message (command or event) that caused this event's commit, from the append or its context. */
  readonly causationId: string | undefined;
  /** The app's free metadata: the context's and the append's `metadata` (read-only; shared by the commit's events). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

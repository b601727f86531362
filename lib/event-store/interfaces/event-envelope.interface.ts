/** A stored event with what the store knows about it. */
export interface EventEnvelope<TEvent extends object = object> {
  /** The event, as an instance of its registered class. */
  readonly event: TEvent;
  /** The stored type name of the event. */
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
  /** Metadata given with the commit (read-only; shared by the commit's events). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

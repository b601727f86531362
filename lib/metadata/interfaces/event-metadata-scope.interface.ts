/**
 * Metadata that every event appended within an {@link EventMetadataContext.run} scope gets, unless
 * the append's own options say otherwise.
 */
export interface EventMetadataScope {
  /** Id shared by every message of one conversation (the first request or command); set on each event's envelope. */
  correlationId?: string;
  /** Id of the message (command, or event a saga reacted to) that caused the appended events. */
  causationId?: string;
  /** Free, app-defined JSON metadata merged into each commit's metadata (the append's own `metadata` wins per key). */
  metadata?: Record<string, unknown>;
}

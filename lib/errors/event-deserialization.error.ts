import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** A custom serializer's `deserialize` threw, or returned something that is not an object, on read. */
export class EventDeserializationError extends EventStoreError {
  readonly code = EventStoreErrorCode.EVENT_DESERIALIZATION_FAILED;

  constructor(
    readonly eventType: string,
    readonly streamId: string,
    readonly version: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`The serializer of event type "${eventType}" could not rebuild the event at stream "${streamId}", version ${version}: ${reason}`, options);
  }
}

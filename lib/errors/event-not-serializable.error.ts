import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** An event's payload would not survive a JSON round trip (BigInt, a cycle, a function, NaN, a Map...). */
export class EventNotSerializableError extends EventStoreError {
  readonly code = EventStoreErrorCode.EVENT_NOT_SERIALIZABLE;

  constructor(
    readonly eventType: string,
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Event "${eventType}" cannot be stored as JSON: ${path} is ${reason}. Nothing was written.`, options);
  }
}

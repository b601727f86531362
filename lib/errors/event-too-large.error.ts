import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** One event does not fit in a DynamoDB item (400 KB, attribute names included). */
export class EventTooLargeError extends EventStoreError {
  readonly code = EventStoreErrorCode.EVENT_TOO_LARGE;

  constructor(
    readonly eventType: string,
    readonly index: number,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `Event #${index} ("${eventType}") takes ${sizeBytes} bytes stored, over the ${limitBytes}-byte budget ` +
        `that one DynamoDB item (400 KB) leaves for an event. Nothing was written; store large blobs elsewhere (S3) and keep a reference.`,
    );
  }
}

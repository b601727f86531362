import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * A parked event could not be read back from the events table to retry it: its stream no longer
 * holds that version (deleted or moved by hand). The parked event stays parked with this error;
 * resolve it by hand (see README, "Parked events") once you know what happened to the event.
 */
export class ParkedEventNotFoundError extends EventStoreError {
  readonly code = EventStoreErrorCode.PARKED_EVENT_NOT_FOUND;

  constructor(
    readonly projection: string,
    readonly streamId: string,
    readonly version: number,
    readonly tableName: string,
  ) {
    super(
      `Projection "${projection}" cannot retry its parked event of stream "${streamId}" at version ${version}: ` +
        `table "${tableName}" no longer holds that event. It stays parked.`,
    );
  }
}

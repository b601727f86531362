import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * A projection's lease was taken over by another app instance (or expired) while this one held it:
 * its checkpoint save or lease renewal was refused, and this instance stopped handling at once.
 * Events it handled since its last saved checkpoint will be handled again by the new holder.
 */
export class ProjectionLeaseLostError extends EventStoreError {
  readonly code = EventStoreErrorCode.PROJECTION_LEASE_LOST;

  constructor(
    readonly projection: string,
    operation: string,
  ) {
    super(
      `Projection "${projection}": ${operation} was refused because this instance no longer holds the projection's lease ` +
        '(it expired, or another instance took it over). This instance stopped handling events; nothing was written.',
    );
  }
}

import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** An operation that needs a projection's lease (a rebuild) found it held by another live app instance. */
export class ProjectionLeaseHeldError extends EventStoreError {
  readonly code = EventStoreErrorCode.PROJECTION_LEASE_HELD;

  constructor(
    readonly projection: string,
    readonly holder: string,
    readonly expiresAt: Date,
  ) {
    super(
      `Projection "${projection}" is run by another app instance ("${holder}", lease valid until ${expiresAt.toISOString()}). ` +
        'Rebuild it there, or stop it there first. Nothing was changed.',
    );
  }
}

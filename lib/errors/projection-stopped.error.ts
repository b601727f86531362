import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** A rebuild was cut short because the projection was stopped (or the app shut down) meanwhile. */
export class ProjectionStoppedError extends EventStoreError {
  readonly code = EventStoreErrorCode.PROJECTION_STOPPED;

  constructor(readonly projection: string) {
    super(
      `Projection "${projection}" was stopped during its rebuild. Its checkpoint is where the rebuild got to: ` +
        'starting it continues the replay from there; rebuild() starts over.',
    );
  }
}

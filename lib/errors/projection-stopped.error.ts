import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * A rebuild was cut short because the projection was stopped (or the app shut down) meanwhile, or
 * was dropped before it began because `stop()` was called while it waited for an earlier operation
 * (`started` false: then nothing was changed).
 */
export class ProjectionStoppedError extends EventStoreError {
  readonly code = EventStoreErrorCode.PROJECTION_STOPPED;

  constructor(
    readonly projection: string,
    readonly started = true,
  ) {
    super(
      started
        ? `Projection "${projection}" was stopped during its rebuild. Its checkpoint is where the rebuild got to: ` +
            'starting it continues the replay from there; rebuild() starts over.'
        : `Projection "${projection}" was stopped before its queued rebuild began. Nothing was changed.`,
    );
  }
}

import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** `rebuild()` was asked of a projection without a `reset()` method: it cannot empty its read model. */
export class ProjectionNotResettableError extends EventStoreError {
  readonly code = EventStoreErrorCode.PROJECTION_NOT_RESETTABLE;

  constructor(
    readonly projection: string,
    className: string,
  ) {
    super(
      `Projection "${projection}" (class ${className}) cannot be rebuilt: it has no reset() method to empty what it built ` +
        'before the replay (implement ResettableProjection). Nothing was changed.',
    );
  }
}

import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * A projection handler threw (or its promise rejected). The projection retries from its last saved
 * checkpoint with backoff, so the event is handled again; the original error is the `cause`.
 */
export class ProjectionHandlerError extends EventStoreError {
  readonly code = EventStoreErrorCode.PROJECTION_HANDLER_FAILED;

  constructor(
    readonly projection: string,
    readonly eventType: string,
    readonly streamId: string,
    readonly version: number,
    cause: unknown,
  ) {
    super(
      `Projection "${projection}" failed to handle ${eventType} (stream "${streamId}", version ${version}): ` +
        `${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

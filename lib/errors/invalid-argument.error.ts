import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

type ArgumentErrorCode =
  | typeof EventStoreErrorCode.INVALID_STREAM_ID
  | typeof EventStoreErrorCode.INVALID_EXPECTED_VERSION
  | typeof EventStoreErrorCode.INVALID_EVENT
  | typeof EventStoreErrorCode.INVALID_COMMIT_ID
  | typeof EventStoreErrorCode.INVALID_METADATA
  | typeof EventStoreErrorCode.INVALID_READ_OPTIONS
  | typeof EventStoreErrorCode.INVALID_APPEND_OPTIONS
  | typeof EventStoreErrorCode.INVALID_SNAPSHOT_VERSION
  | typeof EventStoreErrorCode.INVALID_SNAPSHOT_REVISION
  | typeof EventStoreErrorCode.INVALID_SNAPSHOT_OPTIONS
  | typeof EventStoreErrorCode.INVALID_CHECKPOINT
  | typeof EventStoreErrorCode.INVALID_REBUILD_OPTIONS
  | typeof EventStoreErrorCode.INVALID_AGGREGATE_ID
  | typeof EventStoreErrorCode.INVALID_HEALTH_OPTIONS
  | typeof EventStoreErrorCode.INVALID_STREAM_METADATA
  | typeof EventStoreErrorCode.INVALID_DELETE_OPTIONS
  | typeof EventStoreErrorCode.INVALID_SUBJECT_ID;

/**
 * A caller passed something the event store cannot accept (an empty stream id, a negative
 * expected version, an empty event list...). Raised before any request is sent: nothing was written.
 */
export class InvalidArgumentError extends EventStoreError {
  constructor(
    readonly code: ArgumentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

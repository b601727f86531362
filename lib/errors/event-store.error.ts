/**
 * Stable, machine-readable codes for every error this module throws.
 * Match on `error.code` rather than on messages, which may be reworded.
 */
export const EventStoreErrorCode = {
  CONCURRENCY: 'CONCURRENCY',
  INVALID_STREAM_ID: 'INVALID_STREAM_ID',
  INVALID_EXPECTED_VERSION: 'INVALID_EXPECTED_VERSION',
  INVALID_EVENT: 'INVALID_EVENT',
  INVALID_COMMIT_ID: 'INVALID_COMMIT_ID',
  INVALID_METADATA: 'INVALID_METADATA',
  INVALID_READ_OPTIONS: 'INVALID_READ_OPTIONS',
  EVENT_NOT_SERIALIZABLE: 'EVENT_NOT_SERIALIZABLE',
  EVENT_TOO_LARGE: 'EVENT_TOO_LARGE',
  COMMIT_TOO_LARGE: 'COMMIT_TOO_LARGE',
  UNREGISTERED_EVENT_CLASS: 'UNREGISTERED_EVENT_CLASS',
  UNKNOWN_EVENT_TYPE: 'UNKNOWN_EVENT_TYPE',
  COMMIT_ID_REUSED: 'COMMIT_ID_REUSED',
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
  STREAM_INTEGRITY: 'STREAM_INTEGRITY',
  INVALID_MODULE_OPTIONS: 'INVALID_MODULE_OPTIONS',
  TABLE_MISMATCH: 'TABLE_MISMATCH',
} as const;

export type EventStoreErrorCode = (typeof EventStoreErrorCode)[keyof typeof EventStoreErrorCode];

/** Base class of every error thrown by this module; carries a stable {@link EventStoreErrorCode}. */
export abstract class EventStoreError extends Error {
  abstract readonly code: EventStoreErrorCode;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

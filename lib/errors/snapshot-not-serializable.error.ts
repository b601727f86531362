import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** A snapshot's state would not survive a JSON round trip (BigInt, a cycle, a function, NaN, a Map...). */
export class SnapshotNotSerializableError extends EventStoreError {
  readonly code = EventStoreErrorCode.SNAPSHOT_NOT_SERIALIZABLE;

  constructor(
    readonly streamId: string,
    readonly version: number,
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Snapshot of stream "${streamId}" at version ${version} cannot be stored as JSON: ${path} is ${reason}. Nothing was written.`, options);
  }
}

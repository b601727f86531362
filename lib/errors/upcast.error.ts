import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** An upcaster threw, or did not return an object, while upgrading a stored event to its class's revision. */
export class UpcastError extends EventStoreError {
  readonly code = EventStoreErrorCode.UPCAST_FAILED;

  constructor(
    readonly eventType: string,
    /** The revision the failing upcaster upgrades from (it was to produce `fromRevision + 1`). */
    readonly fromRevision: number,
    readonly streamId: string,
    readonly version: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Upcasting stored event "${eventType}" (stream "${streamId}", version ${version}) from revision ${fromRevision} ` +
        `to ${fromRevision + 1} failed: ${reason}`,
      options,
    );
  }
}

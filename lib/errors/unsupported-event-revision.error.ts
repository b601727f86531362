import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * A stored event has a schema revision that its registered class cannot read: newer than the
 * class's own (data written by newer code), or one no upcaster chain starts from.
 */
export class UnsupportedEventRevisionError extends EventStoreError {
  readonly code = EventStoreErrorCode.UNSUPPORTED_EVENT_REVISION;

  constructor(
    readonly eventType: string,
    /** The revision stored with the event. */
    readonly storedRevision: unknown,
    /** The registered class's current revision. */
    readonly currentRevision: number,
    readonly streamId: string,
    readonly version: number,
  ) {
    super(
      `Stored event "${eventType}" (stream "${streamId}", version ${version}) has revision ${JSON.stringify(storedRevision)}, ` +
        (typeof storedRevision === 'number' && storedRevision > currentRevision
          ? `newer than revision ${currentRevision} of its registered class: it was written by newer code. Deploy that code (or a class at revision >= ${storedRevision}) to read it.`
          : `which no upcaster of its registered class (revision ${currentRevision}) starts from. Revisions are whole numbers from 1 to ${currentRevision}.`),
    );
  }
}

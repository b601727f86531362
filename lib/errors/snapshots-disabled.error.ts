import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** The SnapshotRepository was used, but the module was configured without the `snapshots` option. */
export class SnapshotsDisabledError extends EventStoreError {
  readonly code = EventStoreErrorCode.SNAPSHOTS_DISABLED;

  constructor() {
    super(
      'Snapshots are not enabled: add `snapshots: {}` (or `{ keep, ttlSeconds }`) to the options of ' +
        'DynamoEventSourcingModule.forRoot(), so that the snapshots table is set up at start-up. Nothing was read or written.',
    );
  }
}

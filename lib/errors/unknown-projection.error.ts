import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** ProjectionManager was asked about a projection (class or name) that no `forFeature({ projections })` registered. */
export class UnknownProjectionError extends EventStoreError {
  readonly code = EventStoreErrorCode.UNKNOWN_PROJECTION;

  constructor(
    readonly projection: string,
    known: readonly string[],
  ) {
    super(
      `${projection} is not a registered projection. Register it with DynamoEventSourcingModule.forFeature({ projections: [...] }). ` +
        `Registered: ${known.length === 0 ? 'none' : known.map((name) => `"${name}"`).join(', ')}.`,
    );
  }
}

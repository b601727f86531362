import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** A stored event names a type that no loaded `@EventType` class and no `events` registration answers to. */
export class UnknownEventTypeError extends EventStoreError {
  readonly code = EventStoreErrorCode.UNKNOWN_EVENT_TYPE;

  constructor(
    readonly eventType: string,
    readonly streamId?: string,
    readonly version?: number,
  ) {
    super(
      `Stored event type "${eventType}"` +
        (streamId === undefined ? '' : ` (stream "${streamId}", version ${version})`) +
        ` has no class: none of the loaded classes is decorated with @EventType('${eventType}'). Import the file that declares it ` +
        `(or list its class in the \`events\` option of DynamoEventSourcingModule.forRoot()), ` +
        `or, if the type was renamed, list the old name in the \`aliases\` of the class it became.`,
    );
  }
}

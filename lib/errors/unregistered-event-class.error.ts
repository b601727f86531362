import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** An append carried an instance of a class that was never registered, so it has no stable type name. */
export class UnregisteredEventClassError extends EventStoreError {
  readonly code = EventStoreErrorCode.UNREGISTERED_EVENT_CLASS;

  constructor(readonly className: string) {
    super(
      `Event class "${className}" is not registered. Add it to the \`events\` option of ` +
        `DynamoEventSourcingModule.forRoot() so that it is stored under a stable type name. Nothing was written.`,
    );
  }
}

import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** An append carried an instance of a class that was never registered, so it has no stable type name. */
export class UnregisteredEventClassError extends EventStoreError {
  readonly code = EventStoreErrorCode.UNREGISTERED_EVENT_CLASS;

  constructor(readonly className: string) {
    super(
      `Event class "${className}" is not registered. Give it a stable type name (@EventType('<name>') or ` +
        `{ name: '<name>', type: ${className} }) and add it to the \`events\` option of DynamoEventSourcingModule.forRoot(). Nothing was written.`,
    );
  }
}

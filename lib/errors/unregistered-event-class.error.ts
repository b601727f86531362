import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** An append carried an instance of a class with no stable type name: neither decorated with `@EventType` nor listed in `events`. */
export class UnregisteredEventClassError extends EventStoreError {
  readonly code = EventStoreErrorCode.UNREGISTERED_EVENT_CLASS;

  constructor(readonly className: string) {
    super(
      `Event class "${className}" has no stable type name. Decorate it with @EventType('<name>') ` +
        `(or list it as { name: '<name>', type: ${className} } in the \`events\` option of DynamoEventSourcingModule.forRoot()). Nothing was written.`,
    );
  }
}

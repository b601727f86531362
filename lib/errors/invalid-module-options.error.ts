import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** DynamoEventSourcingModule was configured with an option it cannot use. Raised at start-up. */
export class InvalidModuleOptionsError extends EventStoreError {
  readonly code = EventStoreErrorCode.INVALID_MODULE_OPTIONS;

  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`DynamoEventSourcingModule option \`${option}\` ${problem}`);
  }
}

import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/** An existing table does not have the layout this module needs (verified at start-up). */
export class TableMismatchError extends EventStoreError {
  readonly code = EventStoreErrorCode.TABLE_MISMATCH;

  constructor(
    readonly tableName: string,
    readonly differences: string[],
  ) {
    super(`Table "${tableName}" does not match what nestjs-dynamo-es expects: ${differences.join('; ')}.`);
  }
}

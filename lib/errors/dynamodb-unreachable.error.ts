import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * DynamoDB could not be reached at all while setting the tables up at start-up (connection refused,
 * unknown host, no answer in time). The network error is the `cause`.
 */
export class DynamoDbUnreachableError extends EventStoreError {
  readonly code = EventStoreErrorCode.DYNAMODB_UNREACHABLE;

  constructor(
    /** Where the client sends requests: `clientConfig.endpoint`, or the AWS endpoint of its region. */
    readonly endpoint: string,
    /** The `tableSetup` mode that was being carried out. */
    readonly tableSetup: string,
    /** The table being described or created when the connection failed. */
    readonly tableName: string,
    /** The network failure, in a few words (such as `connect ECONNREFUSED 127.0.0.1:8000`). */
    readonly reason: string,
    cause: unknown,
  ) {
    super(
      `Cannot reach DynamoDB at ${endpoint} (tableSetup '${tableSetup}', table "${tableName}"): ${reason}. ` +
        'Check that DynamoDB (or DynamoDB Local) runs there and that clientConfig.endpoint and region are right; ' +
        "with tableSetup 'none' the app starts without contacting DynamoDB, and fails at the first request instead.",
      { cause },
    );
  }
}

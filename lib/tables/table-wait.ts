import { DescribeTableCommand, ResourceNotFoundException, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { sleep } from '../event-store/retry-policy.js';
import { TableMismatchError } from '../errors/table-mismatch.error.js';

/** How long a table change (a stream enabled, an index deleted) may take before we give up: AWS takes seconds to minutes. */
export const TABLE_CHANGE_WAIT_SECONDS = 300;

/** The table's description, or undefined when it does not exist. */
export async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * Describes the table until `ready` holds (polling every 1 s at first, then up to every 5 s), and
 * resolves to that description.
 * @throws TableMismatchError naming `what` after `maxWaitSeconds` (the change may still complete: running again is safe).
 */
export async function waitForTable(
  client: DynamoDBClient,
  tableName: string,
  what: string,
  ready: (table: TableDescription) => boolean,
  maxWaitSeconds = TABLE_CHANGE_WAIT_SECONDS,
): Promise<TableDescription> {
  const deadline = Date.now() + maxWaitSeconds * 1000;
  for (let delay = 1000; ; delay = Math.min(5000, delay * 2)) {
    const table = await describeTable(client, tableName);
    if (table !== undefined && ready(table)) return table;
    if (Date.now() + delay > deadline) {
      throw new TableMismatchError(tableName, [
        `${what} did not complete within ${maxWaitSeconds} s (table status ${table?.TableStatus ?? 'gone'}); it may still complete: start again once DescribeTable shows it done`,
      ]);
    }
    await sleep(delay);
  }
}

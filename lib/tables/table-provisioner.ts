import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
  type CreateTableInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { TableMismatchError } from '../errors/table-mismatch.error.js';
import type { TableSetup } from './table-setup.js';

const ACTIVE_WAIT_SECONDS = 300;

/** Creates, verifies or ignores one table according to `setup`; see {@link TableSetup}. */
export async function provisionTable(client: DynamoDBClient, definition: CreateTableInput, setup: TableSetup): Promise<void> {
  if (setup === 'none') return;
  const tableName = definition.TableName!;
  let description = await describe(client, tableName);
  if (description === undefined) {
    if (setup === 'verify') {
      throw new TableMismatchError(tableName, [
        "it does not exist (create it from the exported table definition, or use tableSetup: 'create')",
      ]);
    }
    try {
      await client.send(new CreateTableCommand(definition));
    } catch (error) {
      // Another instance of the app created it at the same moment: fine, wait for it like ours.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  if (description?.TableStatus !== 'ACTIVE') {
    await waitUntilTableExists({ client, maxWaitTime: ACTIVE_WAIT_SECONDS, minDelay: 1, maxDelay: 5 }, { TableName: tableName });
    description = await describe(client, tableName);
  }
  const differences = compareTable(definition, description!);
  if (differences.length > 0) throw new TableMismatchError(tableName, differences);
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Lists how an existing table differs from a definition: keys, key types and indexes. Billing and throughput are the user's business. */
export function compareTable(expected: CreateTableInput, actual: TableDescription): string[] {
  const differences: string[] = [];
  const typeOf = (definitions: CreateTableInput['AttributeDefinitions'], name: string) =>
    definitions?.find((d) => d.AttributeName === name)?.AttributeType;
  const describeKeys = (
    schema: CreateTableInput['KeySchema'],
    definitions: CreateTableInput['AttributeDefinitions'],
  ): string =>
    (schema ?? []).map((k) => `${k.AttributeName} (${k.KeyType}, ${typeOf(definitions, k.AttributeName!) ?? '?'})`).join(', ');

  const expectedKeys = describeKeys(expected.KeySchema, expected.AttributeDefinitions);
  const actualKeys = describeKeys(actual.KeySchema, actual.AttributeDefinitions);
  if (expectedKeys !== actualKeys) differences.push(`key schema is [${actualKeys}], expected [${expectedKeys}]`);

  for (const index of expected.GlobalSecondaryIndexes ?? []) {
    const found = actual.GlobalSecondaryIndexes?.find((i) => i.IndexName === index.IndexName);
    if (found === undefined) {
      differences.push(`global secondary index "${index.IndexName}" is missing`);
      continue;
    }
    const want = describeKeys(index.KeySchema, expected.AttributeDefinitions);
    const have = describeKeys(found.KeySchema, actual.AttributeDefinitions);
    if (want !== have) differences.push(`index "${index.IndexName}" has keys [${have}], expected [${want}]`);
    const wantProjection = index.Projection?.ProjectionType;
    const haveProjection = found.Projection?.ProjectionType;
    if (wantProjection !== haveProjection) {
      differences.push(`index "${index.IndexName}" projects ${haveProjection}, expected ${wantProjection}`);
    }
  }
  return differences;
}

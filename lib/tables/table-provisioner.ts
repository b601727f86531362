import {
  CreateTableCommand,
  ResourceInUseException,
  waitUntilTableExists,
  type CreateTableInput,
  type DynamoDBClient,
  type Projection,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbUnreachableError } from '../errors/dynamodb-unreachable.error.js';
import { TableMismatchError } from '../errors/table-mismatch.error.js';
import { connectionFailure, describeEndpoint } from './dynamodb-reachability.js';
import { enableStream, hasLegacyFeedIndex, legacyTableDifference, streamDifference, streamStateOf } from './table-stream.js';
import type { TableSetup } from './table-setup.js';
import { describeTable } from './table-wait.js';

const ACTIVE_WAIT_SECONDS = 300;

/**
 * What {@link provisionTable} did: created the table, enabled the stream of an existing one,
 * found it as it should be, or (`tableSetup: 'none'`) did not look.
 */
export type TableProvisioning = 'created' | 'stream-enabled' | 'matches' | 'skipped';

/**
 * Creates, verifies or ignores one table according to `setup`; see {@link TableSetup}.
 *
 * A definition with a DynamoDB Stream (the events table with the feed on) also needs the stream,
 * of a view type carrying the new item: `'create'` enables it on an existing table that has none
 * (except on a 0.3 table, which `feed migrate` must convert), `'verify'` fails without it, and
 * both fail on a stream of another view type (replacing a stream loses its records: the user's
 * call). An extra GSI, such as 0.3's `feed`, is tolerated.
 * @throws TableMismatchError when the table is missing ('verify') or differs.
 * @throws DynamoDbUnreachableError when no request gets an answer (naming the endpoint and `setup`),
 *   rather than the bare network error.
 */
export async function provisionTable(client: DynamoDBClient, definition: CreateTableInput, setup: TableSetup): Promise<TableProvisioning> {
  if (setup === 'none') return 'skipped';
  try {
    return await setUpTable(client, definition, setup);
  } catch (error) {
    const reason = connectionFailure(error);
    if (reason === undefined) throw error;
    throw new DynamoDbUnreachableError(await describeEndpoint(client), setup, definition.TableName!, reason, error);
  }
}

async function setUpTable(client: DynamoDBClient, definition: CreateTableInput, setup: Exclude<TableSetup, 'none'>): Promise<TableProvisioning> {
  const tableName = definition.TableName!;
  let description = await describeTable(client, tableName);
  const existed = description !== undefined;
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
    description = await describeTable(client, tableName);
  }
  let outcome: TableProvisioning = existed ? 'matches' : 'created';
  if (setup === 'create' && streamStateOf(definition, description!).kind === 'missing') {
    // A 0.3 table needs its commits indexed and its checkpoints converted: a bare stream would leave them out of the feed.
    if (hasLegacyFeedIndex(description!)) throw new TableMismatchError(tableName, [legacyTableDifference()]);
    description = await enableStream(client, definition);
    if (existed) outcome = 'stream-enabled';
  }
  const differences = compareTable(definition, description!);
  if (differences.length > 0) throw new TableMismatchError(tableName, differences);
  return outcome;
}

/**
 * Lists how an existing table differs from a definition: keys, key types, indexes, and the
 * DynamoDB Stream when the definition has one. Billing, throughput and extra indexes are the user's business.
 */
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
    const missing = missingProjectedAttributes(index.Projection, found.Projection);
    if (missing !== undefined) differences.push(`index "${index.IndexName}" ${missing}`);
  }
  const stream = streamDifference(expected.TableName ?? '', streamStateOf(expected, actual), actual);
  if (stream !== undefined) differences.push(stream);
  return differences;
}

/**
 * What an index's projection lacks, if anything. A wider projection than needed works (it only
 * costs more per write), so ALL satisfies INCLUDE, and INCLUDE only needs the expected attributes.
 */
function missingProjectedAttributes(expected: Projection | undefined, actual: Projection | undefined): string | undefined {
  const want = expected?.ProjectionType ?? 'ALL';
  const have = actual?.ProjectionType ?? 'ALL';
  if (want === have && want !== 'INCLUDE') return undefined;
  if (have === 'ALL') return undefined;
  if (want === 'INCLUDE' && have === 'INCLUDE') {
    const absent = (expected?.NonKeyAttributes ?? []).filter((name) => !actual?.NonKeyAttributes?.includes(name));
    return absent.length === 0 ? undefined : `does not project ${absent.join(', ')}`;
  }
  const described = want === 'INCLUDE' ? `INCLUDE (${expected?.NonKeyAttributes?.join(', ')})` : want;
  return `projects ${have}, expected ${described}`;
}

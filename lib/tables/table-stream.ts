import { UpdateTableCommand, type CreateTableInput, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { sleep } from '../event-store/retry-policy.js';
import { TableMismatchError } from '../errors/table-mismatch.error.js';
import { EVENTS_STREAM_VIEW_TYPE, FEED_INDEX, FEED_STREAM_VIEW_TYPES } from './events-table.js';
import { TABLE_CHANGE_WAIT_SECONDS, describeTable, waitForTable } from './table-wait.js';

/** How a table's DynamoDB Stream compares with what its definition asks for. */
export type StreamState =
  /** The definition asks for no stream: whatever the table has is the user's business. */
  | { readonly kind: 'not-needed' }
  | { readonly kind: 'ok'; readonly viewType: string; readonly arn?: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'wrong-view-type'; readonly viewType: string };

/**
 * The table's stream against the definition's. Any view type that carries the new item serves the
 * feed (NEW_IMAGE or NEW_AND_OLD_IMAGES), whatever the definition names.
 */
export function streamStateOf(expected: CreateTableInput, actual: TableDescription): StreamState {
  if (expected.StreamSpecification?.StreamEnabled !== true) return { kind: 'not-needed' };
  const stream = actual.StreamSpecification;
  if (stream?.StreamEnabled !== true) return { kind: 'missing' };
  const viewType = stream.StreamViewType ?? 'unknown';
  if (!(FEED_STREAM_VIEW_TYPES as readonly string[]).includes(viewType)) return { kind: 'wrong-view-type', viewType };
  return { kind: 'ok', viewType, arn: actual.LatestStreamArn };
}

/** Whether the table still has version 0.3's feed index (a GSI `feed`): a 0.3 table not migrated yet, or migrated without --drop-gsi. */
export function hasLegacyFeedIndex(actual: TableDescription): boolean {
  return actual.GlobalSecondaryIndexes?.some((index) => index.IndexName === FEED_INDEX) === true;
}

const PROGRAM = 'nestjs-dynamo-es';

/** What to tell about a stream that does not serve the feed, with the fix; undefined when it does. */
export function streamDifference(tableName: string, state: StreamState, actual: TableDescription): string | undefined {
  if (state.kind === 'missing') {
    return hasLegacyFeedIndex(actual) ? legacyTableDifference() : missingStreamDifference();
  }
  if (state.kind === 'wrong-view-type') return wrongViewTypeDifference(tableName, state.viewType);
  return undefined;
}

/** A 0.3 table (its GSI `feed`, no stream): only the migration makes it a 0.4 table without losing the feed. */
export function legacyTableDifference(): string {
  return (
    `it is a table of version 0.3 (it has 0.3's feed index "${FEED_INDEX}" and no DynamoDB Stream): run \`${PROGRAM} feed migrate\` once, ` +
    'which enables the stream, indexes the commits already in the table and converts the projections\' checkpoints'
  );
}

function missingStreamDifference(): string {
  return (
    `it has no DynamoDB Stream, which the feed reads (view type ${EVENTS_STREAM_VIEW_TYPE}): use tableSetup: 'create' or \`${PROGRAM} tables create\`, ` +
    `which enable it, or add it to your infrastructure code (\`${PROGRAM} tables print\`); then run \`${PROGRAM} feed migrate\` once if the table already holds events, to index them`
  );
}

function wrongViewTypeDifference(tableName: string, viewType: string): string {
  return (
    `its DynamoDB Stream has view type ${viewType}, but the feed reads the new item: ${FEED_STREAM_VIEW_TYPES.join(' or ')}. ` +
    'A stream\'s view type cannot be changed in place, and the module does not replace a stream on its own: disabling it drops the records it holds, ' +
    'and anything else reading it (a Lambda trigger) has to move too. To change it: ' +
    `\`aws dynamodb update-table --table-name ${tableName} --stream-specification StreamEnabled=false\`, then ` +
    `\`aws dynamodb update-table --table-name ${tableName} --stream-specification StreamEnabled=true,StreamViewType=${EVENTS_STREAM_VIEW_TYPE}\`, ` +
    `then \`${PROGRAM} feed migrate\`, which indexes from the table any commit the old stream held and the indexer had not read`
  );
}

/** DynamoDB's answers to an UpdateTable that raced another change of the table: describe it again and decide anew. */
const RACE_ERRORS = new Set(['ResourceInUseException', 'ValidationException', 'LimitExceededException']);
/** UpdateTable attempts before giving up on a table that keeps changing under us. */
const MAX_ENABLE_ATTEMPTS = 5;

/**
 * Enables the stream the definition asks for (its StreamSpecification) on the existing table it
 * names, unless the table has one, and waits until the table is ACTIVE with a stream ARN. Safe
 * against another process doing the same at the same moment: a refused UpdateTable ("already has
 * an enabled stream", "in use") is followed by a fresh DescribeTable.
 * @throws TableMismatchError when the table has a stream of a view type the feed cannot read, or
 *   when the change does not complete in time.
 */
export async function enableStream(client: DynamoDBClient, definition: CreateTableInput): Promise<TableDescription> {
  const tableName = definition.TableName!;
  for (let attempt = 1; ; attempt++) {
    let table = await describeTable(client, tableName);
    if (table === undefined) throw new TableMismatchError(tableName, ['it does not exist']);
    if (table.TableStatus !== 'ACTIVE') table = await waitForTable(client, tableName, 'a change of the table', (t) => t.TableStatus === 'ACTIVE');
    const state = streamStateOf(definition, table);
    if (state.kind === 'wrong-view-type') throw new TableMismatchError(tableName, [streamDifference(tableName, state, table)!]);
    if (state.kind === 'not-needed') return table;
    if (state.kind === 'ok') return waitForStream(client, tableName);
    try {
      await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: definition.StreamSpecification }));
      return await waitForStream(client, tableName);
    } catch (error) {
      if (!RACE_ERRORS.has((error as { name?: string }).name ?? '') || attempt >= MAX_ENABLE_ATTEMPTS) throw error;
      await sleep(1000 * attempt);
    }
  }
}

/** Waits until the table is ACTIVE with an enabled stream and its ARN (AWS sets the ARN as it enables it). */
function waitForStream(client: DynamoDBClient, tableName: string): Promise<TableDescription> {
  return waitForTable(
    client,
    tableName,
    'enabling its DynamoDB Stream',
    (t) => t.TableStatus === 'ACTIVE' && t.StreamSpecification?.StreamEnabled === true && t.LatestStreamArn !== undefined,
    TABLE_CHANGE_WAIT_SECONDS,
  );
}

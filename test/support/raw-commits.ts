import { CreateTableCommand, PutItemCommand, ScanCommand, TransactWriteItemsCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { FeedIndexTable } from '../../lib/feed/index/feed-index-table.js';
import type { PositionedCommit } from '../../lib/feed/index/indexed-commit.js';
import { DEFAULT_RETRY } from '../../lib/event-store/retry-policy.js';
import { EventItemAttribute as A, eventsTableDefinition } from '../../lib/tables/events-table.js';

/** Creates an events table with a NEW_IMAGE stream, whatever the table definition of the moment says. */
export async function createStreamedEventsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const definition = eventsTableDefinition(tableName, { feed: false });
  await client.send(new CreateTableCommand({ ...definition, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }));
}

/**
 * Writes one commit in the events table's layout with the raw SDK (as the EventStore would, without
 * its checks): `events` events from `version`, over `items` items (a split commit when above 1).
 */
export async function putCommit(client: DynamoDBClient, tableName: string, streamId: string, version: number, events: number, items = 1): Promise<void> {
  const commitId = randomUUID();
  const committedAt = Date.now();
  const perItem = Math.ceil(events / items);
  const rows: Array<Record<string, AttributeValue>> = [];
  for (let first = version; first < version + events; first += perItem) {
    const last = Math.min(version + events - 1, first + perItem - 1);
    const entries = Array.from({ length: last - first + 1 }, (_, i) => ({ type: 'Tested', data: { n: first + i } }));
    const item: Record<string, AttributeValue> = {
      [A.streamId]: { S: streamId },
      [A.version]: { N: String(first) },
      [A.lastVersion]: { N: String(last) },
      [A.commitId]: { S: commitId },
      [A.committedAt]: { N: String(committedAt) },
      [A.events]: { S: JSON.stringify(entries) },
    };
    if (items > 1) item[A.commitLastVersion] = { N: String(version + events - 1) };
    rows.push(item);
  }
  const condition = { ConditionExpression: 'attribute_not_exists(#v)', ExpressionAttributeNames: { '#v': A.version } };
  if (rows.length === 1) await client.send(new PutItemCommand({ TableName: tableName, Item: rows[0], ...condition }));
  else await client.send(new TransactWriteItemsCommand({ TransactItems: rows.map((Item) => ({ Put: { TableName: tableName, Item, ...condition } })) }));
}

/** Every commit in the feed index, in position order. */
export async function indexedCommits(client: DynamoDBClient, tableName: string): Promise<PositionedCommit[]> {
  const index = new FeedIndexTable(client, tableName, DEFAULT_RETRY);
  const commits: PositionedCommit[] = [];
  for (let next = 1; ; ) {
    const batches = await index.batchesFrom(next, 100, true);
    if (batches.length === 0) return commits;
    for (const batch of batches) {
      if (batch.position !== next) throw new Error(`the index jumps from position ${next - 1} to ${batch.position}`);
      batch.commits.forEach((commit, i) => commits.push({ ...commit, position: batch.position + i }));
      next = batch.lastPosition + 1;
    }
  }
}

/** The commits of the table (first items), per stream, from a strongly consistent Scan. */
export async function tableCommits(client: DynamoDBClient, tableName: string): Promise<Map<string, Array<{ version: number; commitEnd: number }>>> {
  const byStream = new Map<string, Array<{ version: number; commitEnd: number; commitId: string }>>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const streamId = item[A.streamId]!.S!;
      if (streamId.startsWith('$$')) continue;
      const list = byStream.get(streamId) ?? [];
      list.push({ version: Number(item[A.version]!.N), commitEnd: Number(item[A.commitLastVersion]?.N ?? item[A.lastVersion]!.N), commitId: item[A.commitId]!.S! });
      byStream.set(streamId, list);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const commits = new Map<string, Array<{ version: number; commitEnd: number }>>();
  for (const [streamId, items] of byStream) {
    items.sort((a, b) => a.version - b.version);
    const firsts = items.filter((item, i) => i === 0 || items[i - 1]!.commitId !== item.commitId);
    commits.set(streamId, firsts.map(({ version, commitEnd }) => ({ version, commitEnd })));
  }
  return commits;
}

/**
 * Checks the index against the table: positions 1..n with no gap, every commit of the table exactly
 * once, each stream's commits in version order. Returns the problems found (empty when exact).
 */
export async function indexProblems(client: DynamoDBClient, tableName: string): Promise<string[]> {
  const problems: string[] = [];
  const indexed = await indexedCommits(client, tableName);
  const expected = await tableCommits(client, tableName);
  const seen = new Map<string, number>();
  for (const commit of indexed) {
    const last = seen.get(commit.streamId) ?? 0;
    if (commit.version !== last + 1) problems.push(`${commit.streamId}: position ${commit.position} holds versions ${commit.version}-${commit.commitEnd} after ${last}`);
    seen.set(commit.streamId, Math.max(last, commit.commitEnd));
  }
  for (const [streamId, commits] of expected) {
    const inIndex = indexed.filter((commit) => commit.streamId === streamId).map(({ version, commitEnd }) => ({ version, commitEnd }));
    if (JSON.stringify(inIndex) !== JSON.stringify(commits)) problems.push(`${streamId}: index ${JSON.stringify(inIndex)} but table ${JSON.stringify(commits)}`);
  }
  for (const streamId of seen.keys()) if (!expected.has(streamId)) problems.push(`${streamId}: indexed but not in the table`);
  return problems;
}

/** Polls `check` until it returns true, failing after `timeoutMs` (a condition, not a sleep). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

import { paginateQuery, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../lib/index.js';
import type { BankEvent } from './events.js';

/** What the benchmark drives: the module, and a hand-written raw SDK equivalent to measure it against. */
export interface Contender {
  readonly name: 'module' | 'baseline';
  /** Appends one commit at an exact expected version; resolves to the stream's new version. */
  append(streamId: string, events: readonly BankEvent[], expectedVersion: number): Promise<number>;
  /** Reads the whole stream, strongly consistent, decoding every event; resolves to the number of events. */
  readAll(streamId: string): Promise<number>;
}

export class ModuleContender implements Contender {
  readonly name = 'module';
  /** Commits appended through it so far: where the feed index's head will be once the indexer has them all. */
  commits = 0;

  constructor(private readonly store: EventStore) {}

  async append(streamId: string, events: readonly BankEvent[], expectedVersion: number): Promise<number> {
    const { version } = await this.store.append(streamId, events, { expectedVersion });
    this.commits++;
    return version;
  }

  async readAll(streamId: string): Promise<number> {
    let count = 0;
    for await (const envelope of this.store.read<BankEvent>(streamId)) if (envelope.event !== undefined) count++;
    return count;
  }
}

/**
 * The least a hand-written event store must do with the raw SDK: one conditional PutItem per
 * commit of the very item the module writes (the commit's events as the same JSON string, keyed
 * like the module's table, with its last version, a commit id and the commit time, so that both pay
 * the same units for the item), to a table without a DynamoDB Stream and with no feed index; reads
 * are a paginated strongly consistent Query with unmarshalling and JSON.parse, over the module's
 * own table, so the read ratio is the module's overhead on the very same data.
 * It has none of the module's checks, metadata or publishing, so it is an upper bound.
 */
export class BaselineContender implements Contender {
  readonly name = 'baseline';
  /** Each stream's last commit time: commits are stamped after the one they follow, as the module does. */
  private readonly lastCommittedAt = new Map<string, number>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    /** Reads go to this table: the module's, so that both read the very same items. */
    private readonly readTableName = tableName,
  ) {}

  async append(streamId: string, events: readonly BankEvent[], expectedVersion: number): Promise<number> {
    const json = JSON.stringify(events.map((event) => ({ type: event.constructor.name, data: event })));
    const committedAt = Math.max(Date.now(), (this.lastCommittedAt.get(streamId) ?? 0) + 1);
    const lastVersion = expectedVersion + events.length;
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          streamId: { S: streamId },
          version: { N: String(expectedVersion + 1) },
          lastVersion: { N: String(lastVersion) },
          commitId: { S: randomUUID() },
          committedAt: { N: String(committedAt) },
          events: { S: json },
        },
        ConditionExpression: 'attribute_not_exists(version)',
      }),
    );
    this.lastCommittedAt.set(streamId, committedAt);
    return lastVersion;
  }

  readAll(streamId: string): Promise<number> {
    return countStreamEvents(this.client, this.readTableName, streamId);
  }
}

/**
 * The baseline's read of a whole stream: a paginated strongly consistent Query, each item
 * unmarshalled and its events JSON parsed; resolves to the number of events. `itemsPerPage` sets
 * the Query's Limit (default: DynamoDB's 1 MB pages).
 */
export async function countStreamEvents(client: DynamoDBClient, tableName: string, streamId: string, itemsPerPage?: number): Promise<number> {
  let count = 0;
  const pages = paginateQuery(
    { client, pageSize: itemsPerPage },
    {
      TableName: tableName,
      KeyConditionExpression: '#stream = :stream',
      ExpressionAttributeNames: { '#stream': 'streamId' },
      ExpressionAttributeValues: { ':stream': { S: streamId } },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const raw of page.Items ?? []) {
      const item = unmarshall(raw) as { events: string };
      count += (JSON.parse(item.events) as unknown[]).length;
    }
  }
  return count;
}

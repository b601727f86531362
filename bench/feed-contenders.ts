import { BatchGetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FEED_INDEX_STREAM, FeedIndexAttribute as F } from '../lib/feed/index/feed-index-keys.js';
import { EventItemAttribute as A, type EventStore } from '../lib/index.js';
import type { Named } from './interleaved-rounds.js';

type Item = Record<string, AttributeValue>;

/** Reads the whole global feed page by page to a synchronous consumer that counts the events. */
export interface FeedReplayer extends Named {
  replayAll(): Promise<number>;
}

/** The module: `replayAll$({ pageSize })`, subscribed with a counting `next`. */
export class ModuleFeedReplayer implements FeedReplayer {
  readonly name = 'module';

  constructor(
    private readonly store: EventStore,
    private readonly pageSize: number,
  ) {}

  replayAll(): Promise<number> {
    return new Promise((resolve, reject) => {
      let count = 0;
      this.store.replayAll$({ pageSize: this.pageSize }).subscribe({
        next: (event) => {
          if (event.event !== undefined) count++;
        },
        error: reject,
        complete: () => resolve(count),
      });
    });
  }
}

/** One commit named by the feed index: its first item's key and how many events it holds. */
interface Entry {
  readonly streamId: string;
  readonly version: number;
  readonly events: number;
}

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_KEYS = 100;
/** Index batches per Query: the module's read-ahead (feed-index-cursor.ts). */
const BATCHES_PER_QUERY = 10;

/**
 * The raw SDK reading the feed index the way the module does, by hand: the `$$feed` partition
 * Queried in position order, eventually consistent, 10 batches a Query (each batch's `commits`
 * attribute parsed: `[streamId, version, commitEnd]` per commit), pages of commits up to `pageSize`
 * events, each page's items fetched with one eventually consistent BatchGetItem per 100 keys, and
 * each item's events JSON parsed, in feed order. It skips what the module adds: the strongly
 * consistent read of the index head each read goes to (and of the index's meta item once),
 * checkpoints, each stream's continuity check, envelopes and event classes, commits split over
 * items, re-reads of keys the replica does not show yet, and retries. So it is an upper bound.
 */
export class BaselineFeedReplayer implements FeedReplayer {
  readonly name = 'baseline';

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly pageSize: number,
  ) {}

  async replayAll(): Promise<number> {
    let count = 0;
    let page: Entry[] = [];
    let events = 0;
    let start: Item | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#s = :s AND #v >= :first',
          ExpressionAttributeNames: { '#s': A.streamId, '#v': A.version },
          ExpressionAttributeValues: { ':s': { S: FEED_INDEX_STREAM }, ':first': { N: '1' } },
          Limit: BATCHES_PER_QUERY,
          ExclusiveStartKey: start,
        }),
      );
      start = LastEvaluatedKey;
      for (const batch of Items) {
        for (const [streamId, version, commitEnd] of JSON.parse(batch[F.commits]!.S!) as Array<[string, number, number]>) {
          const entry = { streamId, version, events: commitEnd - version + 1 };
          if (page.length > 0 && events + entry.events > this.pageSize) {
            count += await this.fetchPage(page);
            page = [];
            events = 0;
          }
          page.push(entry);
          events += entry.events;
        }
      }
    } while (start !== undefined);
    if (page.length > 0) count += await this.fetchPage(page);
    return count;
  }

  /** The page's events, counted from each item's events JSON. */
  private async fetchPage(page: readonly Entry[]): Promise<number> {
    const items = await this.firstItems(page);
    let count = 0;
    for (const entry of page) {
      const item = items.get(`${entry.streamId}\0${entry.version}`);
      if (item === undefined) throw new Error(`baseline: the feed index lists ${entry.streamId}@${entry.version}, which BatchGetItem did not return`);
      count += (JSON.parse(item[A.events]!.S!) as unknown[]).length;
    }
    return count;
  }

  /** The page's items by `streamId\0version`: eventually consistent BatchGetItems, unprocessed keys asked for again. */
  private async firstItems(page: readonly Entry[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    for (let i = 0; i < page.length; i += BATCH_GET_KEYS) {
      let keys: Item[] = page.slice(i, i + BATCH_GET_KEYS).map((e) => ({ [A.streamId]: { S: e.streamId }, [A.version]: { N: String(e.version) } }));
      while (keys.length > 0) {
        const { Responses, UnprocessedKeys } = await this.client.send(
          new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: false } } }),
        );
        for (const item of Responses?.[this.tableName] ?? []) found.set(`${item[A.streamId]!.S!}\0${item[A.version]!.N!}`, item);
        keys = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }
}

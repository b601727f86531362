import { BatchGetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventItemAttribute as A, FEED_INDEX, type EventStore, type FeedOptions } from '../lib/index.js';
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

/** One feed index entry: a commit's first item and how many events the commit holds. */
interface Entry {
  readonly streamId: string;
  readonly version: number;
  readonly events: number;
  readonly at: number;
}

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_KEYS = 100;

/**
 * The raw SDK reading the module's feed the way the module does, by hand: every shard of the
 * `feed` index Queried by commit time up to now minus the settle window (`Limit: pageSize`
 * entries, the next page of a shard fetched when its buffer runs dry), the shards merged by
 * (commit time, stream id), pages of commits up to `pageSize` events, each page's first items
 * fetched with one eventually consistent BatchGetItem per 100 keys, and each item's events JSON
 * parsed, in feed order. It skips what the module adds: the read of the shard count writers have
 * recorded (one GetItem per read; it uses the configured count), checkpoints, envelopes and event
 * classes, commits split over items, re-reads of keys the replica does not show yet, page
 * boundaries that split a millisecond, and retries. So it is an upper bound.
 */
export class BaselineFeedReplayer implements FeedReplayer {
  readonly name = 'baseline';

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly feed: Required<FeedOptions>,
    private readonly pageSize: number,
  ) {}

  async replayAll(): Promise<number> {
    const to = Date.now() - this.feed.settleMs;
    const shards = Array.from({ length: this.feed.shards }, (_, shard) => ({ shard, buffer: [] as Entry[], next: undefined as Item | undefined, done: false }));
    let count = 0;
    for (;;) {
      const page: Entry[] = [];
      let events = 0;
      for (;;) {
        // A shard that ran dry may hold the next commit: refill the dry ones (all at once) before picking.
        const dry = shards.filter((s) => s.buffer.length === 0 && !s.done);
        if (dry.length > 0) {
          await Promise.all(dry.map((s) => this.fill(s, to)));
          continue;
        }
        let first: (typeof shards)[number] | undefined;
        for (const s of shards) {
          if (s.buffer.length > 0 && (first === undefined || before(s.buffer[0]!, first.buffer[0]!))) first = s;
        }
        if (first === undefined) break; // every shard read up to `to`
        const entry = first.buffer[0]!;
        if (page.length > 0 && events + entry.events > this.pageSize) break;
        first.buffer.shift();
        page.push(entry);
        events += entry.events;
        if (events >= this.pageSize) break;
      }
      if (page.length === 0) return count;
      const items = await this.firstItems(page);
      for (const entry of page) {
        const item = items.get(`${entry.streamId}\0${entry.version}`);
        if (item === undefined) throw new Error(`baseline: the feed lists ${entry.streamId}@${entry.version}, which BatchGetItem did not return`);
        count += (JSON.parse(item[A.events]!.S!) as unknown[]).length;
      }
    }
  }

  private async fill(s: { shard: number; buffer: Entry[]; next?: Item; done: boolean }, to: number): Promise<void> {
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: FEED_INDEX,
        KeyConditionExpression: '#shard = :shard AND #at BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#shard': A.feedShard, '#at': A.committedAt },
        ExpressionAttributeValues: { ':shard': { N: String(s.shard) }, ':from': { N: '0' }, ':to': { N: String(to) } },
        Limit: this.pageSize,
        ExclusiveStartKey: s.next,
      }),
    );
    for (const item of Items) {
      const version = Number(item[A.version]!.N);
      const last = Number((item[A.commitLastVersion] ?? item[A.lastVersion])!.N);
      s.buffer.push({ streamId: item[A.streamId]!.S!, version, events: last - version + 1, at: Number(item[A.committedAt]!.N) });
    }
    s.next = LastEvaluatedKey;
    s.done = LastEvaluatedKey === undefined;
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

/** The feed's order: commit time, then stream id. */
const before = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.streamId < b.streamId);

import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FEED_INDEX_STREAM, FeedIndexAttribute as F } from '../lib/feed/index/feed-index-keys.js';
import { EventItemAttribute as A, itemSize } from '../lib/index.js';
import { putWriteUnits } from './cost-model.js';

type Item = Record<string, AttributeValue>;

/** One batch of the feed index as read back: where it is, what it holds, and what its PutItem cost. */
export interface IndexBatchRecord {
  readonly position: number;
  readonly lastPosition: number;
  /** `[streamId, version, commitEnd, slices?]` per commit, as stored. */
  readonly commits: ReadonlyArray<readonly [string, number, number, ...unknown[]]>;
  /** When the indexer built the batch (its clock: this machine's). */
  readonly writtenAt: number;
  /** The item's billed size (names and values), and the two JSON strings that make most of it. */
  readonly itemBytes: number;
  readonly commitsBytes: number;
  readonly checkpointBytes: number;
  /** Its conditional PutItem: one write unit per started KB of the item. */
  readonly writeUnits: number;
}

/** What a run of batches cost. */
export interface IndexCost {
  readonly batches: number;
  readonly commits: number;
  readonly writeUnits: number;
  readonly itemBytes: number;
  readonly commitsBytes: number;
  readonly checkpointBytes: number;
}

const POLL_MS = 50;

/**
 * Reads the feed index of one events table with the raw SDK, outside the module, to see what the
 * indexer actually wrote: the head position (to wait for the indexer to catch up) and the batches
 * themselves (to bill each batch's PutItem by the size of the item written). Use a client without
 * a capacity meter: these reads are the benchmark's, not the module's.
 */
export class FeedIndexProbe {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  /** The last position of the index (0 while empty): the head batch, read strongly. */
  async head(): Promise<number> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#s = :s AND #v >= :first',
        ExpressionAttributeNames: { '#s': A.streamId, '#v': A.version, '#l': A.lastVersion },
        ExpressionAttributeValues: { ':s': { S: FEED_INDEX_STREAM }, ':first': { N: '1' } },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
        ProjectionExpression: '#l',
      }),
    );
    return Items.length === 0 ? 0 : Number(Items[0]![A.lastVersion]!.N);
  }

  /** Polls the head until it reaches `position`; resolves to the head then. Throws after `timeoutMs`. */
  async waitForHead(position: number, timeoutMs: number, what: string): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const head = await this.head();
      if (head >= position) return head;
      if (Date.now() > deadline) throw new Error(`${what}: the feed index of ${this.tableName} is at position ${head} after ${timeoutMs} ms; expected ${position}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Every batch whose first position is after `position`, in position order (strongly consistent). */
  async batchesAfter(position: number): Promise<IndexBatchRecord[]> {
    const batches: IndexBatchRecord[] = [];
    let start: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#s = :s AND #v > :after',
          ExpressionAttributeNames: { '#s': A.streamId, '#v': A.version },
          ExpressionAttributeValues: { ':s': { S: FEED_INDEX_STREAM }, ':after': { N: String(Math.max(0, position)) } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) batches.push(batchRecord(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return batches;
  }
}

function batchRecord(item: Item): IndexBatchRecord {
  const commitsJson = item[F.commits]!.S!;
  const checkpointJson = item[F.checkpoint]!.S!;
  return {
    position: Number(item[A.version]!.N),
    lastPosition: Number(item[A.lastVersion]!.N),
    commits: JSON.parse(commitsJson) as IndexBatchRecord['commits'],
    writtenAt: Number(item[F.writtenAt]!.N),
    itemBytes: itemSize(item),
    commitsBytes: Buffer.byteLength(commitsJson, 'utf8'),
    checkpointBytes: Buffer.byteLength(checkpointJson, 'utf8'),
    writeUnits: putWriteUnits(item),
  };
}

/** The batches' cost, summed. */
export function indexCost(batches: readonly IndexBatchRecord[]): IndexCost {
  const sum = (value: (b: IndexBatchRecord) => number) => batches.reduce((total, b) => total + value(b), 0);
  return {
    batches: batches.length,
    commits: sum((b) => b.commits.length),
    writeUnits: sum((b) => b.writeUnits),
    itemBytes: sum((b) => b.itemBytes),
    commitsBytes: sum((b) => b.commitsBytes),
    checkpointBytes: sum((b) => b.checkpointBytes),
  };
}

/**
 * The index's cost for commits written in a measured phase: the batches after `before` (the head
 * once the indexer had caught up before the phase), which must hold exactly the phase's commits,
 * all of streams the phase wrote to. Throws otherwise: the figure would not be the phase's.
 */
export async function phaseIndexCost(probe: FeedIndexProbe, before: number, commits: number, streams: ReadonlySet<string>, what: string): Promise<IndexCost> {
  await probe.waitForHead(before + commits, 60_000, what);
  const batches = await probe.batchesAfter(before);
  const cost = indexCost(batches);
  const foreign = batches.flatMap((b) => b.commits).filter(([streamId]) => !streams.has(streamId));
  if (cost.commits !== commits || foreign.length > 0) {
    throw new Error(`${what}: the index batches after position ${before} hold ${cost.commits} commits (${foreign.length} of other streams); expected the ${commits} written`);
  }
  return cost;
}

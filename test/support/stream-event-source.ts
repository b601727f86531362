import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type AttributeValue,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { compareSequenceNumbers, SHARD_END } from '../../lib/feed/index/indexer-checkpoint.js';
import { planShards } from '../../lib/feed/indexer/shard-lineage.js';
import type { DynamoDBRecord, DynamoDBStreamEvent } from '../../lib/feed/indexer/stream-records.js';
import type { FeedIndexerResponse } from '../../lib/lambda/feed-indexer.handler.js';

/** One invocation of the function: the event it got, and its answer (or what it threw). */
export interface Invocation {
  readonly number: number;
  readonly event: DynamoDBStreamEvent;
  readonly response?: FeedIndexerResponse;
  readonly error?: unknown;
  /** The event was a redelivery of the one before it (`repeat`). */
  readonly repeated: boolean;
}

export interface StreamEventSourceOptions {
  readonly client: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly handler: (event: DynamoDBStreamEvent) => Promise<FeedIndexerResponse>;
  /** The mapping's BatchSize: records per invocation at most. */
  readonly batchSize: number;
  readonly region?: string;
  /** Called before each invocation (to arm a fault for one of them). */
  readonly beforeInvoke?: (invocation: number, event: DynamoDBStreamEvent) => void;
}

export interface DeliverOptions {
  /** Changes a batch's records before the invocation (reorders them, or leaves some out: those count as delivered). */
  readonly arrange?: (records: DynamoDBRecord[]) => DynamoDBRecord[];
  /** Invokes the function twice with each batch (a redelivery of records already handled). */
  readonly repeat?: boolean;
}

/**
 * Plays a Lambda event source mapping on a DynamoDB Stream (DynamoDB Local's, read with the SDK):
 * reads each shard's records after the mapping's checkpoint (a parent shard before its children),
 * turns them into the JSON Lambda sends (attribute values as JSON, ApproximateCreationDateTime in
 * seconds), invokes the handler with batches of `batchSize`, and moves the checkpoint as AWS does
 * with `ReportBatchItemFailures`: past the whole batch when it succeeded, to just before the record
 * with the lowest reported sequence number when it partly failed (the next delivery starts there),
 * and not at all when the handler threw.
 */
export class StreamEventSource {
  readonly invocations: Invocation[] = [];
  /** `streamId@version` of every user record the checkpoint has passed (delivered with success). */
  readonly handled = new Set<string>();
  /** Per shard: the sequence number of the last record handled, or 'end'. */
  private checkpoints: Record<string, string> = {};

  constructor(private readonly options: StreamEventSourceOptions) {}

  /** Forgets the checkpoints: the next delivery starts again from the oldest records (everything is delivered twice). */
  rewind(): void {
    this.checkpoints = {};
  }

  /**
   * Delivers what the stream holds now, batch by batch. Stops early at an invocation that did not
   * fully succeed (returning it last): the next call delivers again from where it failed.
   */
  async deliver(options: DeliverOptions = {}): Promise<Invocation[]> {
    const made: Invocation[] = [];
    const visited = new Set<string>();
    for (;;) {
      const plan = planShards(await this.shards(), this.checkpoints);
      const todo = plan.readable.filter((shard) => !visited.has(shard.shardId));
      if (todo.length === 0) return made;
      for (const { shardId } of todo) {
        visited.add(shardId);
        const { records, ended } = await this.readShard(shardId, this.checkpoints[shardId]);
        for (let start = 0; start < records.length; start += this.options.batchSize) {
          const batch = records.slice(start, start + this.options.batchSize);
          const complete = await this.invoke(shardId, batch, options, made);
          if (!complete) return made;
        }
        if (ended) this.checkpoints[shardId] = SHARD_END;
      }
    }
  }

  /** Delivers until `done()` holds, waiting a little when the stream had nothing new. */
  async deliverUntil(done: () => boolean | Promise<boolean>, options: DeliverOptions = {}): Promise<Invocation[]> {
    const made: Invocation[] = [];
    for (let round = 0; round < 1000; round++) {
      if (await done()) return made;
      const now = await this.deliver(options);
      made.push(...now);
      if (now.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`StreamEventSource: not done after 1,000 deliveries (${this.handled.size} records handled).`);
  }

  /** Waits until the stream holds at least `count` records of commits after the checkpoints (records show up a few ms after their write). */
  async waitForRecords(count: number): Promise<void> {
    for (let attempt = 0; attempt < 500; attempt++) {
      let found = 0;
      for (const shard of await this.shards()) {
        if (shard.ShardId === undefined || this.checkpoints[shard.ShardId] === SHARD_END) continue;
        const { records } = await this.readShard(shard.ShardId, this.checkpoints[shard.ShardId]);
        found += records.filter((record) => userKey(record) !== undefined).length;
      }
      if (found >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`StreamEventSource: the stream never held ${count} records.`);
  }

  /** One batch: true when the checkpoint moved past all of it. */
  private async invoke(shardId: string, batch: readonly _Record[], options: DeliverOptions, made: Invocation[]): Promise<boolean> {
    const lambdaRecords = batch.map((record) => toLambdaRecord(record, this.options.streamArn, this.options.region ?? 'ddblocal'));
    const event: DynamoDBStreamEvent = { Records: options.arrange === undefined ? lambdaRecords : options.arrange(lambdaRecords) };
    for (let time = 0; time < (options.repeat ? 2 : 1); time++) {
      const invocation = await this.call(event, time > 0);
      made.push(invocation);
      if (invocation.error !== undefined) return false; // the whole batch comes again
      const failures = invocation.response?.batchItemFailures ?? [];
      if (failures.length > 0) {
        const lowest = failures.map((failure) => failure.itemIdentifier).reduce((a, b) => (compareSequenceNumbers(a, b) <= 0 ? a : b));
        const at = batch.findIndex((record) => record.dynamodb?.SequenceNumber === lowest);
        // AWS treats an identifier that is not in the batch as a failure of the whole batch; here it is a bug of the handler.
        if (at < 0) throw new Error(`StreamEventSource: batchItemFailures names ${lowest}, which is not in the batch.`);
        this.pass(shardId, batch.slice(0, at));
        return false;
      }
    }
    this.pass(shardId, batch);
    return true;
  }

  private async call(event: DynamoDBStreamEvent, repeated: boolean): Promise<Invocation> {
    const number = this.invocations.length + 1;
    this.options.beforeInvoke?.(number, event);
    // As Lambda does: the function gets JSON, not the SDK's objects.
    const json = JSON.parse(JSON.stringify(event)) as DynamoDBStreamEvent;
    let invocation: Invocation;
    try {
      invocation = { number, event, response: await this.options.handler(json), repeated };
    } catch (error) {
      invocation = { number, event, error, repeated };
    }
    this.invocations.push(invocation);
    return invocation;
  }

  private pass(shardId: string, records: readonly _Record[]): void {
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last !== undefined) this.checkpoints[shardId] = last;
    for (const record of records) {
      const key = userKey(record);
      if (key !== undefined) this.handled.add(key);
    }
  }

  /** Every record of the shard after `after`, to its end or to its newest record now. */
  private async readShard(shardId: string, after: string | undefined): Promise<{ records: _Record[]; ended: boolean }> {
    const { client, streamArn } = this.options;
    let { ShardIterator: iterator } = await client.send(
      new GetShardIteratorCommand(
        after === undefined
          ? { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }
          : { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after },
      ),
    );
    const records: _Record[] = [];
    while (iterator !== undefined) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...(page.Records ?? []));
      iterator = page.NextShardIterator;
      if ((page.Records ?? []).length === 0) break;
    }
    return { records, ended: iterator === undefined };
  }

  private async shards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.options.client.send(new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId: start }));
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start !== undefined);
    return shards;
  }
}

/** `streamId@version` of the record of a commit's item; undefined for the module's own items and for modifications. */
function userKey(record: _Record): string | undefined {
  const keys = record.dynamodb?.Keys;
  const streamId = keys?.streamId?.S;
  return record.eventName === 'INSERT' && streamId !== undefined && !streamId.startsWith('$$') ? `${streamId}@${keys!.version!.N}` : undefined;
}

/** A record as Lambda's JSON has it. */
function toLambdaRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: stream.ApproximateCreationDateTime === undefined ? undefined : Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000),
      Keys: imageJson(stream.Keys),
      NewImage: imageJson(stream.NewImage),
      OldImage: imageJson(stream.OldImage),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
  };
}

type JsonAttribute = Record<string, unknown>;

function imageJson(image: Record<string, AttributeValue> | undefined): Record<string, JsonAttribute> | undefined {
  if (image === undefined) return undefined;
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, attributeJson(value)]));
}

/** An attribute value in Lambda's JSON: binaries in base64, maps and lists element by element. */
function attributeJson(value: AttributeValue): JsonAttribute {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: imageJson(value.M) };
  if (value.L !== undefined) return { L: value.L.map(attributeJson) };
  return { ...value } as JsonAttribute;
}

import type { AttributeValue, ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FEED_INDEXER_LEASE_STREAM, FEED_INDEX_STREAM } from '../lib/feed/index/feed-index-keys.js';
import { itemSize } from '../lib/index.js';
import { getItemReadUnits, putWriteUnits, queryPageReadUnits, transactionWriteUnits } from './cost-model.js';

type Item = Record<string, AttributeValue>;

/** What one client sent during a phase, and what it cost. */
export interface CapacityTally {
  /** Requests by command name, e.g. `PutItemCommand: 640`. */
  requests: Record<string, number>;
  /** By the billing rules, from the items written: the users' items (commits, snapshots), not the module's own `$$` items. */
  writeUnits: number;
  /**
   * Writes of the feed index's items (`$$feed`: batches, meta, checkpoint) sent through this client
   * while measuring, by the billing rules. Only a cross-check: the in-app indexer writes a batch
   * after the commits it holds, often after the measured phase, so the index's cost is taken from the
   * batches read back (feed-index-probe.ts).
   */
  feedIndexWriteUnits: number;
  feedIndexWrites: number;
  /** Writes of the feed indexer's lease (`$$feed-indexer`: taken, renewed every third of its TTL, released). */
  leaseWriteUnits: number;
  leaseWrites: number;
  /** By the billing rules, from the items read. */
  readUnits: number;
  /** What DynamoDB (Local) reported as ConsumedCapacity, summed: a cross-check only. */
  reportedUnits: number;
  /** Items written or read, and their billed size in bytes (to explain the units). */
  items: number;
  itemBytes: number;
}

const emptyTally = (): CapacityTally => ({
  requests: {},
  writeUnits: 0,
  feedIndexWriteUnits: 0,
  feedIndexWrites: 0,
  leaseWriteUnits: 0,
  leaseWrites: 0,
  readUnits: 0,
  reportedUnits: 0,
  items: 0,
  itemBytes: 0,
});

/** Commands whose cost the meter knows; they are also asked to return their consumed capacity. */
const METERED = new Set(['PutItemCommand', 'UpdateItemCommand', 'TransactWriteItemsCommand', 'QueryCommand', 'GetItemCommand', 'BatchGetItemCommand']);

/**
 * Watches the requests of a DynamoDB client through its middleware stack, so the module's real
 * traffic is measured without touching the module: which calls it makes and what they cost.
 * Sits at the initialize step, above the SDK's retries, so one call counts once.
 *
 * It only records while measuring: computing item sizes costs CPU, more for the module's items
 * (more attributes) than the baseline's, so timed rounds run with the meter off.
 */
export class CapacityMeter {
  private tally = emptyTally();
  private enabled = false;

  /** Runs `work` with the meter on; resolves to what it sent and what that cost. */
  async measure(work: () => Promise<unknown>): Promise<CapacityTally> {
    this.tally = emptyTally();
    this.enabled = true;
    try {
      await work();
    } finally {
      this.enabled = false;
    }
    return this.tally;
  }

  /** Adds the meter to `client`. While off, it costs one check per request. */
  attach(client: DynamoDBClient): void {
    const meter = (next: (args: { input: unknown }) => Promise<{ output: unknown }>, context: { commandName?: string }) => async (args: { input: unknown }) => {
      const command = context.commandName ?? 'UnknownCommand';
      if (!this.enabled || !METERED.has(command)) return next(args);
      const input: Record<string, unknown> = { ...(args.input as Record<string, unknown>), ReturnConsumedCapacity: 'TOTAL' };
      try {
        const result = await next({ ...args, input });
        const output = result.output as Record<string, unknown> | undefined;
        // DynamoDB bills a projected Query on the whole items it reads: ask for them, to size them.
        const billed = command === 'QueryCommand' && input.ProjectionExpression !== undefined ? await this.wholeItems(next, args, input) : undefined;
        this.record(command, input, billed === undefined ? output : { ...output, Items: billed });
        return result;
      } catch (error) {
        // A failed conditional write is billed too; nothing here should fail, but count it if it does.
        this.record(command, input, undefined);
        throw error;
      }
    };
    // Typed loosely: the stack's overloads are per step, and the meter only reads plain input and output fields.
    client.middlewareStack.add(meter as never, { step: 'initialize', name: 'benchCapacityMeter' });
  }

  /**
   * The whole items a projected Query read: the same Query again without the projection (sent
   * past the meter, uncounted). Only while measuring, so timed rounds never pay for it.
   */
  private async wholeItems(
    next: (args: { input: unknown }) => Promise<{ output: unknown }>,
    args: { input: unknown },
    input: Record<string, unknown>,
  ): Promise<Item[]> {
    const { ProjectionExpression: _projection, ReturnConsumedCapacity: _capacity, ...rest } = input;
    // Names used only by the projection would be refused as unused.
    const used = `${String(rest.KeyConditionExpression ?? '')} ${String(rest.FilterExpression ?? '')}`;
    const names = Object.entries((rest.ExpressionAttributeNames as Record<string, string> | undefined) ?? {}).filter(([placeholder]) =>
      new RegExp(`${placeholder}(?![A-Za-z0-9_])`).test(used),
    );
    const whole = { ...rest, ExpressionAttributeNames: names.length === 0 ? undefined : Object.fromEntries(names) };
    const { output } = await next({ ...args, input: whole });
    return ((output as { Items?: Item[] }).Items ?? []);
  }

  private record(command: string, input: Record<string, unknown>, output: Record<string, unknown> | undefined): void {
    const tally = this.tally;
    tally.requests[command] = (tally.requests[command] ?? 0) + 1;
    const consistent = input.ConsistentRead === true;
    switch (command) {
      case 'PutItemCommand': {
        // A refused conditional write is billed too.
        const item = input.Item as Item;
        this.recordWrite(item, putWriteUnits(item));
        break;
      }
      case 'UpdateItemCommand':
        this.recordWrite(input.Key as Item, 1);
        break;
      case 'TransactWriteItemsCommand': {
        const puts = (input.TransactItems as Array<{ Put?: { TableName: string; Item: Item } }>).flatMap((action) => (action.Put ? [action.Put] : []));
        this.count(puts.map((put) => put.Item));
        tally.writeUnits += transactionWriteUnits(puts.map((put) => put.Item));
        break;
      }
      case 'QueryCommand': {
        // Billed on whole items (a projected Query's are fetched whole by wholeItems()).
        const items = (output?.Items as Item[] | undefined) ?? [];
        this.count(items);
        if (output !== undefined) tally.readUnits += queryPageReadUnits(items, consistent);
        break;
      }
      case 'GetItemCommand': {
        const item = output?.Item as Item | undefined;
        if (item !== undefined) this.count([item]);
        if (output !== undefined) tally.readUnits += getItemReadUnits(item, consistent);
        break;
      }
      case 'BatchGetItemCommand':
        if (output !== undefined) this.recordBatchGet(input, output);
        break;
    }
    tally.reportedUnits += reportedUnits(output?.ConsumedCapacity as ConsumedCapacity | ConsumedCapacity[] | undefined);
  }

  /**
   * Each item returned is billed like a GetItem of it (per item, per started 4 KB, half when
   * eventually consistent); a requested key neither returned nor left unprocessed is a missing
   * item, billed the minimum. Unprocessed keys are not billed (they are asked for again).
   */
  private recordBatchGet(input: Record<string, unknown>, output: Record<string, unknown>): void {
    const requested = input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>;
    const responses = (output.Responses as Record<string, Item[]> | undefined) ?? {};
    const unprocessed = (output.UnprocessedKeys as Record<string, { Keys?: Item[] }> | undefined) ?? {};
    for (const [table, { Keys, ConsistentRead }] of Object.entries(requested)) {
      const items = responses[table] ?? [];
      this.count(items);
      for (const item of items) this.tally.readUnits += getItemReadUnits(item, ConsistentRead === true);
      const missing = Keys.length - items.length - (unprocessed[table]?.Keys?.length ?? 0);
      this.tally.readUnits += Math.max(0, missing) * getItemReadUnits(undefined, ConsistentRead === true);
    }
  }

  /** One item written, by its partition: the module's feed index, its indexer's lease, or the users' items. */
  private recordWrite(item: Item, units: number): void {
    const tally = this.tally;
    const streamId = item.streamId?.S;
    if (streamId === FEED_INDEX_STREAM) {
      tally.feedIndexWriteUnits += units;
      tally.feedIndexWrites++;
    } else if (streamId === FEED_INDEXER_LEASE_STREAM) {
      tally.leaseWriteUnits += units;
      tally.leaseWrites++;
    } else {
      this.count([item]);
      tally.writeUnits += units;
    }
  }

  private count(items: readonly Item[]): void {
    this.tally.items += items.length;
    for (const item of items) this.tally.itemBytes += itemSize(item);
  }
}

/** PutItem, GetItem and Query report one ConsumedCapacity; TransactWriteItems and BatchGetItem one per table. */
function reportedUnits(consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): number {
  if (consumed === undefined) return 0;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  return list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}

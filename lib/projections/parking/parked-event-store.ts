import {
  DeleteItemCommand,
  GetItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { ProjectionLeaseLostError } from '../../errors/projection-lease-lost.error.js';
import { withRetries } from '../../event-store/request-retry.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { ProjectionItemAttribute as A } from '../../tables/projections-table.js';
import type { ProjectionLease } from '../projection-store.js';
import { byFeedOrder, decodeParkedEvent, encodeParkedEvent, errorAttributes, itemBytes, ParkedItemAttribute as P, parkedEventKey, parkedKeyPrefix } from './parked-event-item.js';
import type { ParkedEvent } from './parked-event.js';
import { RETRY_REPORT_MAX_BYTES, type RetryReport } from './retry-report.js';

type Item = Record<string, AttributeValue>;

const ADVICE = 'Parking is one transaction, conditional on the lease and on the parked item being new: sending it again is safe.';
const READ_ADVICE = 'Nothing was written; reading again is safe.';

/** Whether a parked event was written now, or was there already (a retry after a lost answer, or a former holder parked it). */
export type ParkOutcome = 'parked' | 'already-parked';

/**
 * The parked events of projections, in the projections table: one item per parked event (see
 * parked-event-item.ts), counted in the partition item's `parkedCount`. Every write that changes
 * what is parked is a transaction fenced by the partition's lease (owner and epoch), so that an
 * instance that lost its lease can neither park nor resolve anything; the count always matches
 * the items.
 */
export class ParkedEventStore {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    private readonly retry: Required<RetryOptions>,
  ) {}

  /**
   * Parks an event: puts its item and adds 1 to the partition's `parkedCount`, in one transaction
   * conditional on `lease`. Idempotent: if the item exists already, nothing is written and the count
   * is left as it is ('already-parked').
   * @throws ProjectionLeaseLostError when the lease is no longer `lease` (nothing written).
   */
  async park(lease: ProjectionLease, parked: Omit<ParkedEvent, 'error'>, error: unknown): Promise<{ outcome: ParkOutcome; parked: ParkedEvent }> {
    const encoded = encodeParkedEvent(parked, error);
    const stored: ParkedEvent = encoded.error === undefined ? parked : { ...parked, error: encoded.error };
    const put: TransactWriteItem = {
      Put: { TableName: this.tableName, Item: encoded.item, ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': A.projection } },
    };
    const failed = await this.fencedTransaction(parked.partitionKey, lease, 'Parking an event', [put, this.countUpdate(parked.partitionKey, lease, 1)]);
    return { outcome: failed ? 'already-parked' : 'parked', parked: stored };
  }

  /**
   * Un-parks an event its retry handled: deletes its item and takes 1 from `parkedCount`, in one
   * transaction conditional on `lease`. Resolves to false, writing nothing, when the item was gone already.
   * @throws ProjectionLeaseLostError when the lease is no longer `lease` (nothing written).
   */
  async resolve(lease: ProjectionLease, parked: Pick<ParkedEvent, 'partitionKey' | 'position' | 'version'>): Promise<boolean> {
    const remove: TransactWriteItem = {
      Delete: {
        TableName: this.tableName,
        Key: this.parkedKey(parked),
        ConditionExpression: 'attribute_exists(#key)',
        ExpressionAttributeNames: { '#key': A.projection },
      },
    };
    const gone = await this.fencedTransaction(parked.partitionKey, lease, 'Resolving a parked event', [remove, this.countUpdate(parked.partitionKey, lease, -1)]);
    return !gone;
  }

  /**
   * Deletes the parked items of `projection` that belong to none of `partitionKeys` (left by the
   * projection's former partition layout, which a rebuild replaced: its replay handles those events
   * again). Not fenced: nobody holds a partition of a layout that is gone. Resolves to how many went.
   */
  async removeOutside(projection: string, partitionKeys: readonly string[]): Promise<number> {
    const keep = new Set(partitionKeys);
    let removed = 0;
    for (const parked of await this.list(projection)) {
      if (keep.has(parked.partitionKey)) continue;
      await withRetries(
        { operation: 'Deleting a parked event of a former partition layout', retry: this.retry, kind: 'idempotent-write', advice: 'Rebuild the projection again to finish.' },
        () => this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: this.parkedKey(parked) })),
      );
      removed++;
    }
    return removed;
  }

  /**
   * Records a failed retry on the parked item (its error, `retries` + 1, `lastRetryAt`), fenced by
   * `lease` (a transaction with a check of the partition item). Does nothing if the item is gone.
   * @throws ProjectionLeaseLostError when the lease is no longer `lease`.
   */
  async recordRetryFailure(lease: ProjectionLease, parked: ParkedEvent, error: unknown): Promise<ParkedEvent> {
    const { error: _previous, ...rest } = parked;
    const others = itemBytes(encodeParkedEvent(rest, undefined).item);
    const { attributes, error: stored } = errorAttributes(error, others);
    const now = Date.now();
    const names: Record<string, string> = { '#key': A.projection, '#retries': P.retries, '#at': P.lastRetryAt };
    const values: Item = { ':one': { N: '1' }, ':at': { N: String(now) } };
    const sets = ['#at = :at'];
    for (const [i, [name, value]] of Object.entries(attributes).entries()) {
      names[`#e${i}`] = name;
      values[`:e${i}`] = value;
      sets.push(`#e${i} = :e${i}`);
    }
    // A stack that found no room this time must not stay beside the new message.
    if (stored.stack === undefined) names['#stack'] = P.errorStack;
    const update: TransactWriteItem = {
      Update: {
        TableName: this.tableName,
        Key: this.parkedKey(parked),
        UpdateExpression: `SET ${sets.join(', ')} ADD #retries :one${stored.stack === undefined ? ' REMOVE #stack' : ''}`,
        ConditionExpression: 'attribute_exists(#key)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
    const check: TransactWriteItem = { ConditionCheck: { TableName: this.tableName, Key: this.partitionKeyOf(parked.partitionKey), ...this.leaseCondition(lease) } };
    await this.fencedTransaction(parked.partitionKey, lease, 'Recording a failed retry of a parked event', [update, check]);
    return { ...parked, error: stored, retries: parked.retries + 1, lastRetryAt: new Date(now) };
  }

  /**
   * The parked events of a projection (or of one partition's item key), in feed order (position,
   * then version). A strongly consistent Scan of the projections table with a filter, page by page:
   * the table holds a few items per projection besides parked events, so this stays cheap.
   */
  async list(projection: string, partitionKey?: string): Promise<ParkedEvent[]> {
    const filter: { FilterExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Item } =
      partitionKey === undefined
        ? { FilterExpression: '#of = :of', ExpressionAttributeNames: { '#of': P.parkedOf }, ExpressionAttributeValues: { ':of': { S: projection } } }
        : {
            FilterExpression: '#of = :of AND begins_with(#key, :prefix)',
            ExpressionAttributeNames: { '#of': P.parkedOf, '#key': A.projection },
            ExpressionAttributeValues: { ':of': { S: projection }, ':prefix': { S: parkedKeyPrefix(partitionKey) } },
          };
    const found: ParkedEvent[] = [];
    let start: Item | undefined;
    do {
      const page = await withRetries({ operation: `Listing the parked events of projection "${projection}"`, retry: this.retry, kind: 'read', advice: READ_ADVICE }, () =>
        this.client.send(new ScanCommand({ TableName: this.tableName, ...filter, ConsistentRead: true, ExclusiveStartKey: start })),
      );
      for (const item of page.Items ?? []) found.push(decodeParkedEvent(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return found.sort(byFeedOrder);
  }

  /** One parked event, or undefined when it is not parked (strongly consistent). */
  async get(parked: Pick<ParkedEvent, 'partitionKey' | 'position' | 'version'>): Promise<ParkedEvent | undefined> {
    const { Item } = await withRetries({ operation: 'Reading a parked event', retry: this.retry, kind: 'read', advice: READ_ADVICE }, () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.parkedKey(parked), ConsistentRead: true })),
    );
    return Item === undefined ? undefined : decodeParkedEvent(Item);
  }

  /**
   * Asks the holder of a partition's lease to retry its parked events: sets `retryRequest` to `id`
   * on the partition item (not fenced: the holder, whoever it is by then, answers). The holder sees
   * it at its next lease renewal (see pendingRetryRequest) and answers with completeRetryRequest.
   */
  async requestRetry(partitionKey: string, id: string): Promise<void> {
    await withRetries({ operation: `Asking for a retry of the parked events of "${partitionKey}"`, retry: this.retry, kind: 'idempotent-write', advice: ADVICE }, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.partitionKeyOf(partitionKey),
          UpdateExpression: 'SET #request = :id',
          ConditionExpression: 'attribute_exists(#key)',
          ExpressionAttributeNames: { '#request': A.retryRequest, '#key': A.projection },
          ExpressionAttributeValues: { ':id': { S: id } },
        }),
      ),
    );
  }

  /**
   * The holder's answer to a retry request: `retryDone = id` and the report (kept short: the
   * partition item is rewritten at each checkpoint save, and billed by its size), fenced by `lease`.
   * @throws ProjectionLeaseLostError when the lease is no longer `lease`.
   */
  async completeRetryRequest(partitionKey: string, lease: ProjectionLease, id: string, report: RetryReport): Promise<void> {
    const { ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } = this.leaseCondition(lease);
    const json = compactReport(report);
    try {
      await withRetries({ operation: `Answering a retry request of "${partitionKey}"`, retry: this.retry, kind: 'idempotent-write', advice: ADVICE }, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: this.partitionKeyOf(partitionKey),
            UpdateExpression: 'SET #done = :id, #report = :report',
            ConditionExpression,
            ExpressionAttributeNames: { ...ExpressionAttributeNames, '#done': A.retryDone, '#report': A.retryReport },
            ExpressionAttributeValues: { ...ExpressionAttributeValues, ':id': { S: id }, ':report': { S: json } },
          }),
        ),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') throw new ProjectionLeaseLostError(partitionKey, 'Answering a retry request');
      throw error;
    }
  }

  /** The answer to retry request `id`, once the holder gave it (strongly consistent read of the partition item). */
  async retryAnswer(partitionKey: string, id: string): Promise<{ answered: false; holder?: string; expiresAt: number } | { answered: true; report: RetryReport }> {
    const { Item = {} } = await withRetries({ operation: `Reading the partition item "${partitionKey}"`, retry: this.retry, kind: 'read', advice: READ_ADVICE }, () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.partitionKeyOf(partitionKey), ConsistentRead: true })),
    );
    if (Item[A.retryDone]?.S === id) return { answered: true, report: JSON.parse(Item[A.retryReport]?.S ?? '{}') as RetryReport };
    return { answered: false, holder: Item[A.leaseOwner]?.S, expiresAt: Number(Item[A.leaseExpiresAt]?.N ?? 0) };
  }

  /**
   * Clears an answered request (`retryRequest`, `retryDone`, `retryReport`) so that the partition
   * item is small again; only while `retryDone` is still `id` (a newer request is left alone).
   */
  async clearRetryRequest(partitionKey: string, id: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.partitionKeyOf(partitionKey),
          UpdateExpression: 'REMOVE #report, #done, #request',
          ConditionExpression: '#done = :id AND #request = :id',
          ExpressionAttributeNames: { '#request': A.retryRequest, '#done': A.retryDone, '#report': A.retryReport },
          ExpressionAttributeValues: { ':id': { S: id } },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  private parkedKey(parked: Pick<ParkedEvent, 'partitionKey' | 'position' | 'version'>): Item {
    return { [A.projection]: { S: parkedEventKey(parked.partitionKey, parked.position, parked.version) } };
  }

  private partitionKeyOf(partitionKey: string): Item {
    return { [A.projection]: { S: partitionKey } };
  }

  private leaseCondition(lease: ProjectionLease) {
    return {
      ConditionExpression: '#owner = :owner AND #epoch = :epoch',
      ExpressionAttributeNames: { '#owner': A.leaseOwner, '#epoch': A.leaseEpoch },
      ExpressionAttributeValues: { ':owner': { S: lease.owner }, ':epoch': { N: String(lease.epoch) } } as Item,
    };
  }

  private countUpdate(partitionKey: string, lease: ProjectionLease, by: 1 | -1): TransactWriteItem {
    const condition = this.leaseCondition(lease);
    return {
      Update: {
        TableName: this.tableName,
        Key: this.partitionKeyOf(partitionKey),
        UpdateExpression: 'ADD #count :by SET #updated = :now',
        ...condition,
        ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, '#count': A.parkedCount, '#updated': A.updatedAt },
        ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':by': { N: String(by) }, ':now': { N: String(Date.now()) } },
      },
    };
  }

  /**
   * Runs a two-item transaction whose second item is fenced by the lease. Resolves to true when
   * only the first item's own condition failed (nothing written: already done).
   * @throws ProjectionLeaseLostError when the lease condition failed.
   */
  private async fencedTransaction(partitionKey: string, lease: ProjectionLease, operation: string, items: [TransactWriteItem, TransactWriteItem]): Promise<boolean> {
    try {
      await withRetries({ operation: `${operation} of "${partitionKey}"`, retry: this.retry, kind: 'idempotent-write', advice: ADVICE }, () =>
        this.client.send(new TransactWriteItemsCommand({ TransactItems: items })),
      );
      return false;
    } catch (error) {
      if ((error as { name?: string }).name !== 'TransactionCanceledException') throw error;
      const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
      if (reasons[1]?.Code === 'ConditionalCheckFailed') throw new ProjectionLeaseLostError(partitionKey, operation);
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return true;
      throw error;
    }
  }
}

/** The report as stored on the partition item: its first errors only, so that it stays within RETRY_REPORT_MAX_BYTES. */
export function compactReport(report: RetryReport): string {
  let kept = report.errors.length;
  for (;;) {
    const json = JSON.stringify({ ...report, errors: report.errors.slice(0, kept).map((e) => ({ ...e, message: e.message.slice(0, 200) })) });
    if (Buffer.byteLength(json, 'utf8') <= RETRY_REPORT_MAX_BYTES || kept === 0) return json;
    kept--;
  }
}

import { GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { ProjectionLeaseLostError } from '../errors/projection-lease-lost.error.js';
import { classifyWriteError } from '../event-store/dynamo-errors.js';
import type { RetryOptions } from '../event-store/retry-policy.js';
import { FEED_START, type FeedCheckpoint } from '../feed/feed-checkpoint.js';
import { withTransientRetries } from '../snapshots/transient-retry.js';
import { ProjectionItemAttribute as A } from '../tables/projections-table.js';

type Item = Record<string, AttributeValue>;

/** A lease this app instance holds: writes are fenced by owner and epoch. */
export interface ProjectionLease {
  readonly owner: string;
  readonly epoch: number;
  /** Expiry as stored: the time the acquiring or renewing request was sent, plus the TTL (this clock). */
  readonly expiresAt: number;
}

/** Where a projection stands: everything up to `checkpoint` has been handled, `eventsHandled` events in all. */
export interface ProjectionPosition {
  readonly checkpoint: FeedCheckpoint;
  readonly eventsHandled: number;
}

export type AcquireResult =
  | { readonly acquired: true; readonly lease: ProjectionLease; readonly position: ProjectionPosition }
  | { readonly acquired: false; readonly holder: string; readonly expiresAt: number };

const ADVICE = 'The projection retries from its last saved checkpoint; handlers must be idempotent.';

/**
 * The DynamoDB requests of projections: one item per projection in the projections table, holding
 * its checkpoint and its lease. Every write is a conditional UpdateItem of that one small item
 * (1 write unit). Whoever holds the lease (owner and epoch) is the only one whose renewals and
 * checkpoint saves are accepted.
 */
export class ProjectionStore {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    private readonly retry: Required<RetryOptions>,
  ) {}

  /**
   * Takes the lease if nobody holds it, its holder let it expire (by this clock), or `owner` holds
   * it already. Reads first, strongly consistent, so that instances on standby pay a read (not a
   * refused write) per check. The epoch goes up whenever the lease is taken over.
   */
  async acquire(projection: string, owner: string, ttlMs: number): Promise<AcquireResult> {
    const current = await this.get(projection);
    const now = Date.now();
    const holder = current?.[A.leaseOwner]?.S;
    const expiresAt = Number(current?.[A.leaseExpiresAt]?.N ?? 0);
    if (holder !== undefined && holder !== owner && expiresAt >= now) return { acquired: false, holder, expiresAt };

    const leaseExpiresAt = now + ttlMs;
    const input: UpdateItemCommandInput =
      holder === owner
        ? {
            ...this.key(projection),
            // Still ours (a renewal failed for a passing reason): keep the epoch, so nothing of ours is fenced off.
            UpdateExpression: 'SET #expires = :expires, #updated = :now',
            ConditionExpression: '#owner = :owner AND #epoch = :epoch',
            ExpressionAttributeNames: { '#expires': A.leaseExpiresAt, '#updated': A.updatedAt, '#owner': A.leaseOwner, '#epoch': A.leaseEpoch },
            ExpressionAttributeValues: {
              ':expires': { N: String(leaseExpiresAt) },
              ':now': { N: String(now) },
              ':owner': { S: owner },
              ':epoch': { N: current![A.leaseEpoch]?.N ?? '0' },
            },
          }
        : {
            ...this.key(projection),
            UpdateExpression: 'SET #owner = :owner, #expires = :expires, #updated = :now ADD #epoch :one',
            ConditionExpression: 'attribute_not_exists(#owner) OR #expires < :now',
            ExpressionAttributeNames: { '#owner': A.leaseOwner, '#expires': A.leaseExpiresAt, '#updated': A.updatedAt, '#epoch': A.leaseEpoch },
            ExpressionAttributeValues: { ':owner': { S: owner }, ':expires': { N: String(leaseExpiresAt) }, ':now': { N: String(now) }, ':one': { N: '1' } },
          };
    try {
      const { Attributes = {} } = await this.client.send(
        new UpdateItemCommand({ ...input, ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      return { acquired: true, lease: { owner, epoch: Number(Attributes[A.leaseEpoch]?.N ?? 0), expiresAt: leaseExpiresAt }, position: positionOf(Attributes) };
    } catch (error) {
      const failure = classifyWriteError(error);
      if (failure.kind !== 'conflict') throw error;
      // Another instance got there between our read and our write.
      return { acquired: false, holder: failure.existing?.[A.leaseOwner]?.S ?? '(another instance)', expiresAt: Number(failure.existing?.[A.leaseExpiresAt]?.N ?? 0) };
    }
  }

  /**
   * Extends the lease to `ttlMs` from now; resolves to the new expiry.
   * @throws ProjectionLeaseLostError when it changed hands.
   */
  async renew(projection: string, lease: ProjectionLease, ttlMs: number): Promise<number> {
    const now = Date.now();
    const expiresAt = now + ttlMs;
    await this.fenced(projection, lease, 'Renewing the lease', 'SET #expires = :expires, #updated = :now', {
      names: { '#expires': A.leaseExpiresAt, '#updated': A.updatedAt },
      values: { ':expires': { N: String(expiresAt) }, ':now': { N: String(now) } },
    });
    return expiresAt;
  }

  /** Gives the lease up, so that another instance can take over at once. Does nothing if it is no longer ours. */
  async release(projection: string, lease: ProjectionLease): Promise<void> {
    try {
      await this.fenced(projection, lease, 'Releasing the lease', 'REMOVE #owner, #expires SET #updated = :now', {
        names: { '#expires': A.leaseExpiresAt, '#updated': A.updatedAt },
        values: { ':now': { N: String(Date.now()) } },
      });
    } catch (error) {
      if (!(error instanceof ProjectionLeaseLostError)) throw error;
    }
  }

  /**
   * Stores the checkpoint, only if the lease is still ours.
   * @throws ProjectionLeaseLostError when it changed hands (nothing written).
   */
  async save(projection: string, lease: ProjectionLease, position: ProjectionPosition): Promise<void> {
    await withTransientRetries(
      `Saving the checkpoint of projection "${projection}"`,
      this.retry,
      () =>
        this.fenced(projection, lease, 'Saving the checkpoint', 'SET #checkpoint = :checkpoint, #handled = :handled, #updated = :now', {
          names: { '#checkpoint': A.checkpoint, '#handled': A.eventsHandled, '#updated': A.updatedAt },
          values: { ':checkpoint': { S: position.checkpoint }, ':handled': { N: String(position.eventsHandled) }, ':now': { N: String(Date.now()) } },
        }),
      ADVICE,
    );
  }

  /** The stored position (FEED_START for a projection never saved). Strongly consistent. */
  async load(projection: string): Promise<ProjectionPosition> {
    return positionOf((await this.get(projection)) ?? {});
  }

  private async get(projection: string): Promise<Item | undefined> {
    const { Item } = await withTransientRetries(
      `Reading the state of projection "${projection}"`,
      this.retry,
      () => this.client.send(new GetItemCommand({ ...this.key(projection), ConsistentRead: true })),
      ADVICE,
    );
    return Item;
  }

  /** An UpdateItem conditional on the lease being `lease`. */
  private async fenced(
    projection: string,
    lease: ProjectionLease,
    operation: string,
    update: string,
    { names, values }: { names: Record<string, string>; values: Item },
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          ...this.key(projection),
          UpdateExpression: update,
          ConditionExpression: '#owner = :owner AND #epoch = :epoch',
          ExpressionAttributeNames: { ...names, '#owner': A.leaseOwner, '#epoch': A.leaseEpoch },
          ExpressionAttributeValues: { ...values, ':owner': { S: lease.owner }, ':epoch': { N: String(lease.epoch) } },
        }),
      );
    } catch (error) {
      if (classifyWriteError(error).kind === 'conflict') throw new ProjectionLeaseLostError(projection, operation);
      throw error;
    }
  }

  private key(projection: string): { TableName: string; Key: Item } {
    return { TableName: this.tableName, Key: { [A.projection]: { S: projection } } };
  }
}

function positionOf(item: Item): ProjectionPosition {
  return { checkpoint: item[A.checkpoint]?.S ?? FEED_START, eventsHandled: Number(item[A.eventsHandled]?.N ?? 0) };
}

import { BatchGetItemCommand, GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ProjectionLeaseLostError } from '../errors/projection-lease-lost.error.js';
import { classifyWriteError } from '../event-store/dynamo-errors.js';
import type { RetryOptions } from '../event-store/retry-policy.js';
import { FEED_START, type FeedCheckpoint } from '../feed/feed-checkpoint.js';
import { withRetries } from '../event-store/request-retry.js';
import { ProjectionItemAttribute as A } from '../tables/projections-table.js';
import { pendingRetryRequest } from './parking/partition-parking.js';

type Item = Record<string, AttributeValue>;

/** A lease this app instance holds: writes are fenced by owner and epoch. */
export interface ProjectionLease {
  readonly owner: string;
  readonly epoch: number;
  /** Expiry as stored: the time the acquiring or renewing request was sent, plus the TTL (this clock). */
  readonly expiresAt: number;
}

/** Where a projection stands: everything up to `checkpoint` has been handled (`eventsHandled`) or skipped (`eventsSkipped`). */
export interface ProjectionPosition {
  readonly checkpoint: FeedCheckpoint;
  readonly eventsHandled: number;
  readonly eventsSkipped: number;
}

export type AcquireResult =
  | {
      readonly acquired: true;
      readonly lease: ProjectionLease;
      readonly position: ProjectionPosition;
      /** A rebuild was cut short after moving the checkpoint back: `reset()` must be called again before reading. */
      readonly rebuilding: boolean;
      /** Events parked in the partition (see lib/projections/parking). */
      readonly parkedCount: number;
      /** A retry of the parked events the CLI asked for and nobody has carried out yet. */
      readonly retryRequest?: string;
    }
  | {
      readonly acquired: false;
      readonly holder: string;
      readonly expiresAt: number;
      /** The item is the meta item of a projection stored with this many partitions (see `partitions`): this layout cannot run it. */
      readonly partitionsStored?: number;
    };

/** A projection item as stored, for coordination and inspection (not for fenced writes). */
export interface StoredPartition {
  readonly key: string;
  readonly owner?: string;
  readonly expiresAt: number;
  readonly epoch: number;
  readonly position: ProjectionPosition;
  readonly rebuilding: boolean;
  readonly parkedCount: number;
  readonly updatedAt?: number;
}

/** BatchGetItem takes at most this many keys. */
const BATCH_GET_KEYS = 100;

/** Read-then-write rounds of one acquire() when the item keeps changing between its read and its write. */
const ACQUIRE_ROUNDS = 3;

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
   * Takes the lease, as `owner` (new for each acquisition), if nobody holds it, its holder let it
   * expire (by this clock), or it is still `former`, this instance's own earlier lease (given up or
   * lost locally, but not taken by anyone since). Reads first, strongly consistent, so that instances
   * on standby pay a read (not a refused write) per check. The epoch goes up with every acquisition,
   * so writes still in flight from an earlier tenure (a late release or renewal) fail their condition.
   */
  async acquire(projection: string, owner: string, ttlMs: number, former?: ProjectionLease): Promise<AcquireResult> {
    let current: Item | undefined;
    for (let round = 1; round <= ACQUIRE_ROUNDS; round++) {
      current = await this.get(projection);
      const now = Date.now();
      const holder = current?.[A.leaseOwner]?.S;
      const expiresAt = Number(current?.[A.leaseExpiresAt]?.N ?? 0);
      const epoch = current?.[A.leaseEpoch]?.N ?? '0';
      const ours = former !== undefined && holder === former.owner && epoch === String(former.epoch);
      const partitionsStored = current?.[A.partitions]?.N;
      if (partitionsStored !== undefined) return { acquired: false, holder: holder ?? '', expiresAt, partitionsStored: Number(partitionsStored) };
      if (holder !== undefined && !ours && expiresAt >= now) return { acquired: false, holder, expiresAt };

      const leaseExpiresAt = now + ttlMs;
      try {
        const { Attributes = {} } = await this.client.send(
          new UpdateItemCommand({
            ...this.key(projection),
            UpdateExpression: 'SET #owner = :owner, #expires = :expires, #updated = :now ADD #epoch :one',
            // The same three cases as above, checked again at the write: the read may be stale by now.
            // Never the meta item of a partitioned projection (see above).
            ConditionExpression: '(attribute_not_exists(#owner) OR #expires < :now OR (#owner = :former AND #epoch = :formerEpoch)) AND attribute_not_exists(#partitions)',
            ExpressionAttributeNames: {
              '#owner': A.leaseOwner,
              '#expires': A.leaseExpiresAt,
              '#updated': A.updatedAt,
              '#epoch': A.leaseEpoch,
              '#partitions': A.partitions,
            },
            ExpressionAttributeValues: {
              ':owner': { S: owner },
              ':expires': { N: String(leaseExpiresAt) },
              ':now': { N: String(now) },
              ':one': { N: '1' },
              // Without a former lease, values no stored lease has.
              ':former': { S: former?.owner ?? '' },
              ':formerEpoch': { N: String(former?.epoch ?? -1) },
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return {
          acquired: true,
          lease: { owner, epoch: Number(Attributes[A.leaseEpoch]?.N ?? 0), expiresAt: leaseExpiresAt },
          position: positionOf(Attributes),
          rebuilding: Attributes[A.rebuilding]?.BOOL === true,
          parkedCount: Number(Attributes[A.parkedCount]?.N ?? 0),
          retryRequest: pendingRetryRequest(Attributes),
        };
      } catch (error) {
        if (classifyWriteError(error).kind !== 'conflict') throw error;
        // The item changed between our read and our write (another instance took the lease, or a
        // release landed): read again, to take it if it is free now, or to name the real holder.
      }
    }
    current = await this.get(projection);
    return {
      acquired: false,
      holder: current?.[A.leaseOwner]?.S ?? `(nobody now: the lease changed hands during each of ${ACQUIRE_ROUNDS} attempts to take it)`,
      expiresAt: Number(current?.[A.leaseExpiresAt]?.N ?? 0),
    };
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

  /**
   * As renew(), also resolving to the retry of parked events the CLI asked for, if one waits (the
   * renewal reads the item back for it, at no extra cost): how a running holder learns of it.
   * @throws ProjectionLeaseLostError when it changed hands.
   */
  async renewAndRead(projection: string, lease: ProjectionLease, ttlMs: number): Promise<{ expiresAt: number; retryRequest?: string }> {
    const now = Date.now();
    const expiresAt = now + ttlMs;
    const item = await this.fenced(projection, lease, 'Renewing the lease', 'SET #expires = :expires, #updated = :now', {
      names: { '#expires': A.leaseExpiresAt, '#updated': A.updatedAt },
      values: { ':expires': { N: String(expiresAt) }, ':now': { N: String(now) } },
      returnItem: true,
    });
    return { expiresAt, retryRequest: pendingRetryRequest(item) };
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
   * Stores the checkpoint, only if the lease is still ours. With `rebuilding`, also sets the flag
   * that makes the next holder reset the projection before reading; without, removes it (a save
   * after the reset is what marks the reset done).
   * @throws ProjectionLeaseLostError when it changed hands (nothing written).
   */
  async save(projection: string, lease: ProjectionLease, position: ProjectionPosition, { rebuilding = false }: { rebuilding?: boolean } = {}): Promise<void> {
    const set = 'SET #checkpoint = :checkpoint, #handled = :handled, #skipped = :skipped, #updated = :now';
    await withRetries(
      // Setting the same checkpoint twice under the same lease is harmless: a save whose answer was lost is simply sent again.
      { operation: `Saving the checkpoint of projection "${projection}"`, retry: this.retry, kind: 'idempotent-write', advice: ADVICE },
      () =>
        this.fenced(projection, lease, 'Saving the checkpoint', rebuilding ? `${set}, #rebuilding = :true` : `${set} REMOVE #rebuilding`, {
          names: { '#checkpoint': A.checkpoint, '#handled': A.eventsHandled, '#skipped': A.eventsSkipped, '#updated': A.updatedAt, '#rebuilding': A.rebuilding },
          values: {
            ':checkpoint': { S: position.checkpoint },
            ':handled': { N: String(position.eventsHandled) },
            ':skipped': { N: String(position.eventsSkipped) },
            ':now': { N: String(Date.now()) },
            ...(rebuilding ? { ':true': { BOOL: true } } : {}),
          },
        }),
    );
  }

  /** The stored items of `keys` (strongly consistent, BatchGetItem), by key; absent ones are missing from the map. */
  async readAll(keys: readonly string[]): Promise<Map<string, StoredPartition>> {
    const found = new Map<string, StoredPartition>();
    for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
      let pending: Item[] = keys.slice(start, start + BATCH_GET_KEYS).map((key) => ({ [A.projection]: { S: key } }));
      for (let round = 0; pending.length > 0; round++) {
        const request = pending;
        const { Responses = {}, UnprocessedKeys = {} } = await withRetries(
          { operation: 'Reading the state of projection partitions', retry: this.retry, kind: 'read', advice: ADVICE },
          () => this.client.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: request, ConsistentRead: true } } })),
        );
        for (const item of Responses[this.tableName] ?? []) found.set(item[A.projection]!.S!, storedPartitionOf(item));
        pending = UnprocessedKeys[this.tableName]?.Keys ?? [];
        if (pending.length > 0 && round + 1 >= this.retry.maxAttempts) {
          // Throttled throughout: a coordinator round gives up (and tries again at the next) rather than hang.
          throw new Error(`Reading ${keys.length} projection partition item(s): ${pending.length} still unprocessed after ${round + 1} BatchGetItem rounds (throttled).`);
        }
        if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
      }
    }
    return found;
  }

  /** The stored position (FEED_START for a projection never saved). Strongly consistent. */
  async load(projection: string): Promise<ProjectionPosition> {
    return positionOf((await this.get(projection)) ?? {});
  }

  private async get(projection: string): Promise<Item | undefined> {
    const { Item } = await withRetries(
      { operation: `Reading the state of projection "${projection}"`, retry: this.retry, kind: 'read', advice: ADVICE },
      () => this.client.send(new GetItemCommand({ ...this.key(projection), ConsistentRead: true })),
    );
    return Item;
  }

  /** An UpdateItem conditional on the lease being `lease`. */
  private async fenced(
    projection: string,
    lease: ProjectionLease,
    operation: string,
    update: string,
    { names, values, returnItem = false }: { names: Record<string, string>; values: Item; returnItem?: boolean },
  ): Promise<Item | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          ...this.key(projection),
          UpdateExpression: update,
          ConditionExpression: '#owner = :owner AND #epoch = :epoch',
          ExpressionAttributeNames: { ...names, '#owner': A.leaseOwner, '#epoch': A.leaseEpoch },
          ExpressionAttributeValues: { ...values, ':owner': { S: lease.owner }, ':epoch': { N: String(lease.epoch) } },
          ...(returnItem ? { ReturnValues: 'ALL_NEW' as const } : {}),
        }),
      );
      return Attributes;
    } catch (error) {
      if (classifyWriteError(error).kind === 'conflict') throw new ProjectionLeaseLostError(projection, operation);
      throw error;
    }
  }

  private key(projection: string): { TableName: string; Key: Item } {
    return { TableName: this.tableName, Key: { [A.projection]: { S: projection } } };
  }
}

export function storedPartitionOf(item: Item): StoredPartition {
  return {
    key: item[A.projection]!.S!,
    owner: item[A.leaseOwner]?.S,
    expiresAt: Number(item[A.leaseExpiresAt]?.N ?? 0),
    epoch: Number(item[A.leaseEpoch]?.N ?? 0),
    position: positionOf(item),
    rebuilding: item[A.rebuilding]?.BOOL === true,
    parkedCount: Number(item[A.parkedCount]?.N ?? 0),
    updatedAt: item[A.updatedAt] === undefined ? undefined : Number(item[A.updatedAt].N),
  };
}

function positionOf(item: Item): ProjectionPosition {
  return {
    checkpoint: item[A.checkpoint]?.S ?? FEED_START,
    eventsHandled: Number(item[A.eventsHandled]?.N ?? 0),
    eventsSkipped: Number(item[A.eventsSkipped]?.N ?? 0),
  };
}

import { DeleteItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ProjectionLeaseHeldError } from '../../errors/projection-lease-held.error.js';
import { classifyWriteError } from '../../event-store/dynamo-errors.js';
import { ProjectionItemAttribute as A } from '../../tables/projections-table.js';
import type { ProjectionStore } from '../projection-store.js';
import { partitionKeys } from './partition-keys.js';
import type { ProjectionMetaStore } from './projection-meta-store.js';
import type { ParkedEventStore } from '../parking/parked-event-store.js';
import { MAX_PARTITIONS } from '../projection-limits.js';

/**
 * Changing a projection between one partition and several, as the first step of the rebuild that
 * makes the change. Either way the projection is left flagged `rebuilding`, so that if the rebuild
 * goes no further, nothing runs on the old read model until a rebuild completes.
 */
export interface LayoutConversion {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly store: ProjectionStore;
  readonly meta: ProjectionMetaStore;
  /** Parked events of a former layout go with it (the rebuild's replay handles those events again). */
  readonly parked: ParkedEventStore;
  readonly member: string;
  readonly leaseTtlMs: number;
}

/**
 * An unpartitioned projection's item `<name>` becomes the meta item of `partitions` partitions: its
 * lease is taken first (refused while an instance with the old declaration runs it), then its
 * checkpoint and lease are removed in one write fenced by that lease.
 * @throws ProjectionLeaseHeldError when an instance with one partition holds it.
 */
export async function convertToPartitioned(name: string, partitions: number, conversion: LayoutConversion): Promise<void> {
  const { client, tableName, store, member, leaseTtlMs } = conversion;
  const acquired = await store.acquire(name, member, leaseTtlMs);
  if (!acquired.acquired) {
    if (acquired.partitionsStored !== undefined) return; // converted meanwhile
    throw new ProjectionLeaseHeldError(name, acquired.holder, new Date(acquired.expiresAt));
  }
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { [A.projection]: { S: name } },
      UpdateExpression: 'SET #partitions = :partitions, #members = :none, #rebuilding = :true REMOVE #checkpoint, #handled, #skipped, #owner, #expires',
      ConditionExpression: '#owner = :me AND #epoch = :epoch',
      ExpressionAttributeNames: {
        '#partitions': A.partitions,
        '#members': A.members,
        '#rebuilding': A.rebuilding,
        '#checkpoint': A.checkpoint,
        '#handled': A.eventsHandled,
        '#skipped': A.eventsSkipped,
        '#owner': A.leaseOwner,
        '#expires': A.leaseExpiresAt,
        '#epoch': A.leaseEpoch,
      },
      ExpressionAttributeValues: {
        ':partitions': { N: String(partitions) },
        ':none': { M: {} },
        ':true': { BOOL: true },
        ':me': { S: member },
        ':epoch': { N: String(acquired.lease.epoch) },
      },
    }),
  );
}

/**
 * A partitioned projection's meta item `<name>` becomes an unpartitioned projection's item again:
 * claims the projection (its instances give their partitions up at their next round), waits until
 * no partition is held (up to `deadline`), deletes the partition items, then strips the meta item
 * to a lease-free item flagged `rebuilding`.
 * @throws ProjectionLeaseHeldError when a partition is still held at `deadline`, or another rebuild's claim stands.
 */
export async function convertToUnpartitioned(name: string, deadline: number, conversion: LayoutConversion): Promise<void> {
  const { client, tableName, store, meta, member } = conversion;
  const stored = await meta.read(name);
  if (stored === undefined || stored.partitions === 1) return;
  if (!(await meta.claimForRebuild(name, stored.partitions, member, deadline + conversion.leaseTtlMs))) {
    throw new ProjectionLeaseHeldError(name, stored.rebuildBy ?? '(another instance)', new Date(stored.rebuildUntil));
  }
  const keys = partitionKeys(name, stored.partitions);
  for (;;) {
    const now = Date.now();
    const held = [...(await store.readAll(keys)).values()].find((partition) => partition.owner !== undefined && partition.expiresAt >= now);
    if (held === undefined) break;
    if (now > deadline) {
      await meta.releaseClaim(name, member);
      throw new ProjectionLeaseHeldError(held.key, held.owner!, new Date(held.expiresAt));
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, conversion.leaseTtlMs / 3)));
  }
  // Flagged before anything is deleted: a conversion cut short from here on leaves the projection blocked, not run from the start.
  if (!(await meta.markRebuilding(name, member, true))) throw new ProjectionLeaseHeldError(name, '(another rebuild took the projection over)', new Date());
  for (const key of keys) {
    // Taken meanwhile by an instance that missed the claim: leave it, and fail the rebuild.
    if (!(await deleteUnlessHeld(conversion, key))) throw new ProjectionLeaseHeldError(key, '(an instance that took it during the conversion)', new Date());
  }
  await conversion.parked.removeOutside(name, [name]);
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { [A.projection]: { S: name } },
      UpdateExpression: 'SET #rebuilding = :true REMOVE #partitions, #members, #by, #until',
      ConditionExpression: '#by = :me',
      ExpressionAttributeNames: { '#rebuilding': A.rebuilding, '#partitions': A.partitions, '#members': A.members, '#by': A.rebuildBy, '#until': A.rebuildUntil },
      ExpressionAttributeValues: { ':true': { BOOL: true }, ':me': { S: member } },
    }),
  );
}

/**
 * After a partitioned rebuild's reset: removes what the projection's former layouts left (their
 * parked events, and the items of partitions beyond the new count, whatever count came before: a
 * claim cut short may have overwritten it). Not fenced: instances with another count do not run
 * (their count does not match the stored one), so nobody holds those items; one still holding a
 * lease keeps its item (unused).
 */
export async function forgetFormerLayouts(name: string, partitions: number, conversion: LayoutConversion): Promise<void> {
  await conversion.parked.removeOutside(name, partitions === 1 ? [name] : partitionKeys(name, partitions));
  const surplus = partitionKeys(name, MAX_PARTITIONS).slice(partitions === 1 ? 0 : partitions);
  // One a former-layout instance still holds keeps its item (unused).
  for (const key of (await conversion.store.readAll(surplus)).keys()) await deleteUnlessHeld(conversion, key);
}

/** Deletes a partition item unless a live lease holds it; resolves to whether it is gone. */
async function deleteUnlessHeld({ client, tableName }: Pick<LayoutConversion, 'client' | 'tableName'>, key: string): Promise<boolean> {
  try {
    await client.send(
      new DeleteItemCommand({
        TableName: tableName,
        Key: { [A.projection]: { S: key } },
        ConditionExpression: 'attribute_not_exists(#owner) OR #expires < :now',
        ExpressionAttributeNames: { '#owner': A.leaseOwner, '#expires': A.leaseExpiresAt },
        ExpressionAttributeValues: { ':now': { N: String(Date.now()) } },
      }),
    );
    return true;
  } catch (error) {
    if (classifyWriteError(error).kind !== 'conflict') throw error;
    return false;
  }
}

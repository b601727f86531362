import type { CreateTableInput } from '@aws-sdk/client-dynamodb';

/**
 * Attributes of the projections table: one small item per projection (per partition of a
 * partitioned one, plus a meta item, plus one per parked event; see partition-keys.ts), holding where the projection
 * stands in the feed and which app instance may run it. Every write is a conditional UpdateItem of
 * this one item: 1 write unit, as the item stays under 1 KB for stream ids (which the checkpoint
 * holds) of up to about 550 bytes.
 */
export const ProjectionItemAttribute = {
  /** Partition key (S): the projection's name, from `@Projection(name)`. */
  projection: 'projection',
  /** (S) the feed checkpoint everything up to which has been handled. Absent before the first save. */
  checkpoint: 'checkpoint',
  /**
   * (S) who holds the lease: host, process and a random part, new for each acquisition (so that a
   * late release or renewal from an earlier tenure of the same instance fails its condition). Absent
   * when nobody holds it.
   */
  leaseOwner: 'leaseOwner',
  /** (N) lease expiry, Unix ms by the holder's clock. Others may take the lease over once their clock is past it. */
  leaseExpiresAt: 'leaseExpiresAt',
  /**
   * (N) incremented each time the lease changes hands. Checkpoint saves are conditional on the
   * owner and epoch the saver acquired, so a former holder can never overwrite a newer one's checkpoint.
   */
  leaseEpoch: 'leaseEpoch',
  /** (N) time of the last write, Unix ms (for operators). */
  updatedAt: 'updatedAt',
  /** (N) events handled up to the checkpoint since the projection was created or last rebuilt. */
  eventsHandled: 'eventsHandled',
  /** (N) events skipped (their handler failed `maxAttempts` times) up to the checkpoint, counted like `eventsHandled`. Absent means 0. */
  eventsSkipped: 'eventsSkipped',
  /**
   * (BOOL, true) a rebuild moved the checkpoint back to the start of the feed but the projection's
   * `reset()` may not have completed: whoever holds the lease next calls `reset()` again before it
   * reads. Set in the same write that moves the checkpoint back (before `reset()` is called), removed
   * by the next checkpoint save, which comes only after `reset()` succeeded. Absent otherwise.
   */
  rebuilding: 'rebuilding',

  // Partitioned projections (`@Projection(name, { partitions })` above 1): on the meta item `<name>`.
  /** (N) the partition count the projection's checkpoints were made with. Absent: 1 (then `<name>` is the partition's item). */
  partitions: 'partitions',
  /** (M) app instances running the projection: member id -> heartbeat expiry (N, Unix ms). Expired entries are removed by the others. */
  members: 'members',
  /** (S) a rebuild in progress or asked for: the member that runs it. The others give their partitions up and take none while it stands. */
  rebuildBy: 'rebuildBy',
  /** (N) until when `rebuildBy` stands (Unix ms); renewed while the rebuild runs. */
  rebuildUntil: 'rebuildUntil',

  // Parking (on each partition's item).
  /** (N) events parked in the partition and not retried successfully yet. Absent means 0. */
  parkedCount: 'parkedCount',
  /** (S) an id the CLI sets to ask the partition's holder to retry its parked events. */
  retryRequest: 'retryRequest',
  /** (S) the last `retryRequest` the holder carried out, and (S, JSON) what came of it. */
  retryDone: 'retryDone',
  retryReport: 'retryReport',
} as const;

/**
 * The projections table as a `CreateTableInput`, for `tableSetup: 'create'` and for carrying into
 * CloudFormation, CDK or Terraform. On-demand billing by default. Set up at start-up only in apps
 * that register at least one projection.
 */
export function projectionsTableDefinition(tableName: string): CreateTableInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: ProjectionItemAttribute.projection, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: ProjectionItemAttribute.projection, KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

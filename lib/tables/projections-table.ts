import type { CreateTableInput } from '@aws-sdk/client-dynamodb';

/**
 * Attributes of the projections table: one small item per projection, holding where the projection
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

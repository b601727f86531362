import { ResourceNotFoundException, ScanCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FeedCheckpointMismatchError } from '../../errors/feed-checkpoint-mismatch.error.js';
import { withRetries } from '../../event-store/request-retry.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { ProjectionItemAttribute as P } from '../../tables/projections-table.js';
import { parseCheckpoint, type FeedCheckpoint } from '../feed-checkpoint.js';

/** One projection's checkpoint as the migration found it, and what it would be in the new feed. */
export interface ProjectionCheckpointChange {
  readonly projection: string;
  readonly from: string;
  readonly to: FeedCheckpoint;
}

export interface ProjectionCheckpointsReport {
  readonly table: string;
  /** False when the projections table does not exist (an app without projections): nothing to convert. */
  readonly exists: boolean;
  readonly converted: readonly ProjectionCheckpointChange[];
  /**
   * 0.3 checkpoints left as they are because an instance runs the projection (its lease is live):
   * a 0.3 instance, as 0.4 ones give the lease up on a checkpoint they cannot read. Converting it
   * under a running 0.3 instance would not last (its next save overwrites it) and would stop any 0.3
   * instance that takes the projection over (0.3 cannot read the new checkpoints). The next
   * `feed migrate` after that instance stopped converts them.
   */
  readonly running: readonly { readonly projection: string; readonly checkpoint: string }[];
  /** Checkpoints a 0.3 instance moved on while this one was converted: left as that instance wrote them. */
  readonly changedMeanwhile: readonly ProjectionCheckpointChange[];
  /** Projections whose checkpoint needed no conversion (FEED_START, a 0.4 checkpoint, or none yet). */
  readonly unchanged: number;
}

export interface ProjectionCheckpointsMigration {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly retry: Required<RetryOptions>;
  /** The 0.4 checkpoint of a 0.3 one. */
  readonly convert: (checkpoint: string) => Promise<FeedCheckpoint>;
  readonly log?: (message: string) => void;
  /** The clock lease expiries are compared with (tests). */
  readonly now?: () => number;
}

const ADVICE = 'Checkpoints not converted yet keep their 0.3 value; running `feed migrate` again converts them.';

/** Whether a checkpoint is one of 0.3's (what the 0.4 feed refuses as outdated). */
export function isOutdatedCheckpoint(checkpoint: string): boolean {
  try {
    parseCheckpoint(checkpoint);
    return false;
  } catch (error) {
    return error instanceof FeedCheckpointMismatchError && error.reason === 'outdated';
  }
}

/**
 * Converts the 0.3 checkpoints stored in the projections table, each with an UpdateItem on the
 * condition that the checkpoint is still the one converted and that no instance holds a live lease
 * on the projection: a 0.3 instance running it keeps its own saves. The lease, counters and flags
 * are not touched.
 */
export async function migrateProjectionCheckpoints(migration: ProjectionCheckpointsMigration): Promise<ProjectionCheckpointsReport> {
  const { client, tableName, retry } = migration;
  const now = migration.now ?? Date.now;
  const log = migration.log ?? (() => undefined);
  const converted: ProjectionCheckpointChange[] = [];
  const running: Array<{ projection: string; checkpoint: string }> = [];
  const changedMeanwhile: ProjectionCheckpointChange[] = [];
  let unchanged = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    let page;
    try {
      page = await withRetries({ operation: `Scan of the projections table "${tableName}"`, retry, kind: 'read', advice: ADVICE }, () =>
        client.send(
          new ScanCommand({
            TableName: tableName,
            ConsistentRead: true,
            ProjectionExpression: '#p, #c, #owner, #expires',
            ExpressionAttributeNames: { '#p': P.projection, '#c': P.checkpoint, '#owner': P.leaseOwner, '#expires': P.leaseExpiresAt },
            ExclusiveStartKey: start,
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ResourceNotFoundException && start === undefined) return { table: tableName, exists: false, converted, running, changedMeanwhile, unchanged };
      throw error;
    }
    for (const item of page.Items ?? []) {
      const projection = item[P.projection]?.S;
      const from = item[P.checkpoint]?.S;
      if (projection === undefined || from === undefined || !isOutdatedCheckpoint(from)) {
        unchanged++;
        continue;
      }
      if (leaseIsLive(item, now())) {
        running.push({ projection, checkpoint: from });
        log(`Projection "${projection}": an instance (of 0.3) runs it; its checkpoint is converted once it stops.`);
        continue;
      }
      const change = { projection, from, to: await migration.convert(from) };
      const outcome = await replaceCheckpoint(client, tableName, change, retry, now());
      if (outcome === 'converted') {
        converted.push(change);
        log(`Projection "${projection}": checkpoint ${from} -> ${change.to}`);
      } else if (outcome === 'running') {
        running.push({ projection, checkpoint: from });
        log(`Projection "${projection}": an instance (of 0.3) took it up meanwhile; its checkpoint is converted once it stops.`);
      } else {
        changedMeanwhile.push(change);
        log(`Projection "${projection}": its checkpoint moved on while it was converted; the next feed migrate converts the new one.`);
      }
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return { table: tableName, exists: true, converted, running, changedMeanwhile, unchanged };
}

/** A lease someone holds and has renewed lately (expiry by the holder's clock, compared with ours, as the projections do). */
function leaseIsLive(item: Record<string, AttributeValue>, now: number): boolean {
  const expires = item[P.leaseExpiresAt]?.N;
  return item[P.leaseOwner]?.S !== undefined && expires !== undefined && Number(expires) > now;
}

/** The conditional write of one converted checkpoint. */
async function replaceCheckpoint(
  client: DynamoDBClient,
  tableName: string,
  change: ProjectionCheckpointChange,
  retry: Required<RetryOptions>,
  now: number,
): Promise<'converted' | 'running' | 'changed'> {
  try {
    await withRetries({ operation: `Converting the checkpoint of projection "${change.projection}"`, retry, kind: 'idempotent-write', advice: ADVICE }, () =>
      client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { [P.projection]: { S: change.projection } },
          UpdateExpression: 'SET #c = :to, #u = :now',
          ConditionExpression: '#c = :from AND (attribute_not_exists(#owner) OR attribute_not_exists(#expires) OR #expires <= :now)',
          ExpressionAttributeNames: { '#c': P.checkpoint, '#u': P.updatedAt, '#owner': P.leaseOwner, '#expires': P.leaseExpiresAt },
          ExpressionAttributeValues: { ':from': { S: change.from }, ':to': { S: change.to }, ':now': { N: String(now) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    return 'converted';
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    const item = (error as { Item?: Record<string, AttributeValue> }).Item ?? {};
    // Our own earlier attempt, whose answer was lost, may be what failed the condition.
    if (item[P.checkpoint]?.S === change.to) return 'converted';
    return item[P.checkpoint]?.S === change.from ? 'running' : 'changed';
  }
}

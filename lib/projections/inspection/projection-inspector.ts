import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { parseCheckpoint, type FeedCheckpoint, type FeedPosition } from '../../feed/feed-checkpoint.js';
import { FeedIndexTable } from '../../feed/index/feed-index-table.js';
import type { IndexBatch } from '../../feed/index/index-batch.js';
import { partitionSpecs } from '../partitions/partition-keys.js';
import { ProjectionStore } from '../projection-store.js';
import { partitionLag, type PartitionLag } from './partition-lag.js';
import { storedPartitionCount } from './stored-partition-count.js';

/** Where the inspector reads: the module's tables and retry policy (no app needed). */
export interface InspectionTarget {
  readonly client: DynamoDBClient;
  readonly projectionsTable: string;
  readonly eventsTable: string;
  readonly retry: Required<RetryOptions>;
}

/** One partition of a projection as stored, and its lag. */
export interface PartitionInspection {
  readonly partition: number;
  /** The key of its item in the projections table. */
  readonly key: string;
  /** The app instance holding its lease while it is live (by this machine's clock); undefined when free or lapsed. */
  readonly owner?: string;
  /** The stored lease holder and expiry, live or not. */
  readonly leaseOwner?: string;
  readonly leaseExpiresAt?: Date;
  readonly checkpoint: FeedCheckpoint;
  readonly eventsHandled: number;
  readonly eventsSkipped: number;
  readonly parkedCount: number;
  readonly rebuilding: boolean;
  readonly updatedAt?: Date;
  /** Undefined when the checkpoint is not one of this index (0.3's, another index's): `lagUnknown` says why. */
  readonly lag?: PartitionLag;
  readonly lagUnknown?: string;
}

/** A projection as stored, from `inspectProjection`. */
export interface ProjectionInspection {
  readonly name: string;
  /** Whether the projections table holds it at all (false: it never ran against these tables). */
  readonly stored: boolean;
  readonly partitionCount: number;
  /** The feed index's last position (0 while empty). */
  readonly headPosition: number;
  readonly partitions: readonly PartitionInspection[];
  readonly inspectedAt: Date;
}

export interface InspectOptions {
  /** Index batches read after the oldest checkpoint to count events behind (beyond them, counts are lower bounds). Default 100. */
  readonly maxBatches?: number;
  /** For tests: the time to measure against. */
  readonly now?: number;
}

const DEFAULT_MAX_BATCHES = 100;
/** Index batches per Query (each is at most ~400 KB; a Query returns 1 MB at most anyway). */
const BATCHES_PER_QUERY = 25;

/**
 * Reads how a projection stands, from the tables alone: its partition items (strongly consistent
 * BatchGetItem), the feed index head, and the index batches after the oldest checkpoint (at most
 * `maxBatches`), to tell each partition's lag in commits, events of its streams, and time.
 */
export async function inspectProjection(target: InspectionTarget, name: string, options: InspectOptions = {}): Promise<ProjectionInspection> {
  const { client, projectionsTable, eventsTable, retry } = target;
  const maxBatches = options.maxBatches ?? DEFAULT_MAX_BATCHES;
  const { exists, partitions: count } = await storedPartitionCount(client, projectionsTable, retry, name);
  const specs = partitionSpecs(name, count);
  const index = new FeedIndexTable(client, eventsTable, retry);
  const [items, meta, head] = await Promise.all([
    exists ? new ProjectionStore(client, projectionsTable, retry).readAll(specs.map((spec) => spec.key)) : Promise.resolve(new Map()),
    index.meta(),
    index.head(),
  ]);
  const headPosition = head?.lastPosition ?? 0;
  const now = options.now ?? Date.now();

  const positions = specs.map((spec) => positionOf(items.get(spec.key)?.position.checkpoint ?? '0', meta?.indexId));
  const known = positions.filter((p): p is FeedPosition => typeof p !== 'string');
  const from = Math.min(...known.map((p) => (p.version === undefined ? p.position + 1 : p.position)), headPosition + 1);
  const { batches, complete } = await batchesAfter(index, from, headPosition, maxBatches);

  return {
    name,
    stored: exists,
    partitionCount: count,
    headPosition,
    inspectedAt: new Date(now),
    partitions: specs.map((spec, i) => {
      const stored = items.get(spec.key);
      const position = positions[i]!;
      const live = stored?.owner !== undefined && stored.expiresAt >= now;
      return {
        partition: spec.index,
        key: spec.key,
        ...(live ? { owner: stored.owner } : {}),
        ...(stored?.owner === undefined ? {} : { leaseOwner: stored.owner, leaseExpiresAt: new Date(stored.expiresAt) }),
        checkpoint: stored?.position.checkpoint ?? '0',
        eventsHandled: stored?.position.eventsHandled ?? 0,
        eventsSkipped: stored?.position.eventsSkipped ?? 0,
        parkedCount: stored?.parkedCount ?? 0,
        rebuilding: stored?.rebuilding ?? false,
        ...(stored?.updatedAt === undefined ? {} : { updatedAt: new Date(stored.updatedAt) }),
        ...(typeof position === 'string'
          ? { lagUnknown: position }
          : { lag: partitionLag(position, headPosition, batches, { index: spec.index, count }, now, complete) }),
      };
    }),
  };
}

/** The parsed checkpoint, or why it cannot be measured against this index. */
function positionOf(checkpoint: FeedCheckpoint, indexId: string | undefined): FeedPosition | string {
  try {
    const position = parseCheckpoint(checkpoint);
    if (position.indexId !== undefined && position.indexId !== indexId) return `its checkpoint "${checkpoint}" is of another feed index (this one is ${indexId ?? 'empty'})`;
    return position;
  } catch (error) {
    return `its checkpoint "${checkpoint}" cannot be read by this feed: ${(error as Error).message}`;
  }
}

/** The batches holding positions `from` on, up to the head, at most `max` of them; `complete` when they reach the head. */
async function batchesAfter(index: FeedIndexTable, from: number, head: number, max: number): Promise<{ batches: IndexBatch[]; complete: boolean }> {
  if (from > head || max <= 0) return { batches: [], complete: from > head };
  const first = await index.batchHolding(from);
  if (first === undefined) return { batches: [], complete: false };
  const batches = [first];
  let next = first.lastPosition + 1;
  while (next <= head && batches.length < max) {
    const page = await index.batchesFrom(next, Math.min(BATCHES_PER_QUERY, max - batches.length), true);
    // A hole in the index (or a lagging read): stop here; the counts say they are lower bounds.
    if (page.length === 0 || page[0]!.position !== next) break;
    for (const batch of page) {
      if (batch.position !== next) break;
      batches.push(batch);
      next = batch.lastPosition + 1;
    }
  }
  return { batches, complete: next > head };
}

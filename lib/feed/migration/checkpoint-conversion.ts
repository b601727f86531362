import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventStoreErrorCode } from '../../errors/event-store.error.js';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import type { FeedCheckpoint } from '../feed-checkpoint.js';
import { FeedIndexTable } from '../index/feed-index-table.js';
import { checkpointOf, convertLegacyPosition } from './checkpoint-converter.js';
import { CommitTimes } from './commit-times.js';
import { IndexCommitSource } from './index-commit-source.js';
import { parseLegacyCheckpoint } from './legacy-checkpoint.js';
import { readMigrationMarker } from './migration-marker.js';

/** Converts 0.3 checkpoints to checkpoints of one table's feed index. */
export interface CheckpointConversion {
  readonly indexId: string;
  /** Positions 1 to this are in 0.3's order (set by the first `feed migrate`); undefined when none are known to be. */
  readonly migratedThrough?: number;
  /** @throws InvalidArgumentError (INVALID_CHECKPOINT) for anything but a 0.3 checkpoint. */
  convert(checkpoint: string): Promise<FeedCheckpoint>;
}

/**
 * The conversion for the events table `tableName`, or undefined when it has no feed index yet
 * (`feed migrate` builds it). Reads the index and the commits' times as it goes (strongly
 * consistent); conversions share what they read.
 */
export async function openCheckpointConversion(client: DynamoDBClient, tableName: string, retry: Required<RetryOptions>): Promise<CheckpointConversion | undefined> {
  const marker = await readMigrationMarker(client, tableName, retry);
  if (marker === undefined) return undefined;
  const source = new IndexCommitSource(new FeedIndexTable(client, tableName, retry), new CommitTimes(client, tableName, retry), marker.migratedThrough ?? 0);
  return {
    indexId: marker.indexId,
    migratedThrough: marker.migratedThrough,
    async convert(checkpoint) {
      const legacy = parseLegacyCheckpoint(checkpoint);
      if (legacy === undefined) {
        throw new InvalidArgumentError(EventStoreErrorCode.INVALID_CHECKPOINT, `${JSON.stringify(checkpoint)} is not a checkpoint of version 0.3 (<ms> or <ms>:<version>:<streamId>).`);
      }
      return checkpointOf(marker.indexId, await convertLegacyPosition(legacy, source));
    },
  };
}

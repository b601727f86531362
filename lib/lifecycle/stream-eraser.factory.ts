import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { eraseStreamFromIndex } from '../feed/index/feed-index-eraser.js';
import { SnapshotRepository } from '../snapshots/snapshot-repository.js';
import { StreamEraser, type FeedIndexEraser, type SnapshotEraser } from './stream-eraser.js';
import type { StreamLifecycleTable } from './stream-lifecycle-table.js';

/** The eraser of a module: its purge fence, its snapshots (when on) and its feed index (when on). */
export function createStreamEraser(runtime: EventSourcingRuntime, table: StreamLifecycleTable): StreamEraser {
  const { options, client } = runtime;
  let snapshots: SnapshotEraser | undefined;
  if (options.snapshots !== undefined) {
    const repository = new SnapshotRepository(runtime);
    snapshots = {
      tableName: options.snapshotsTable,
      delete: (streamId) => repository.delete(streamId),
      deleteBelow: (streamId, version) => repository.deleteBelow(streamId, version),
    };
  }
  const feedIndex: FeedIndexEraser | undefined =
    options.feed === undefined
      ? undefined
      : {
          tableName: options.eventsTable,
          erase: async (streamId) => {
            const { entriesErased, batchesRewritten, keptPosition } = await eraseStreamFromIndex(client, options.eventsTable, streamId, { retry: options.retry });
            return { entriesErased, batchesRewritten, tombstoneIndexed: keptPosition !== undefined };
          },
        };
  return new StreamEraser(table, options.lifecycle.purgeFenceMs, snapshots, feedIndex);
}

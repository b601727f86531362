import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * A rebuild of a partitioned projection moved its checkpoints back, but ended (the process died,
 * or `reset()` failed) before its `reset()` had completed. Running the partitions now would replay
 * onto a half-emptied read model, so none runs until the projection is rebuilt again.
 */
export class ProjectionRebuildCutShortError extends EventStoreError {
  readonly code = EventStoreErrorCode.PROJECTION_REBUILD_CUT_SHORT;

  constructor(readonly projection: string) {
    super(
      `Projection "${projection}" was being rebuilt, and the rebuild ended before its reset() completed: its partitions stay ` +
        `stopped until it is rebuilt again (ProjectionManager.rebuild('${projection}'), or \`nestjs-dynamo-es projection rebuild ${projection}\`).`,
    );
  }
}

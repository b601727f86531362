import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * A projection's checkpoints were made with another partition count than its `@Projection`
 * declares here. Its partitions cannot be mapped onto each other (each holds the checkpoint of a
 * different set of streams), so this instance does not run it: a rebuild with the new count does.
 */
export class ProjectionPartitionsChangedError extends EventStoreError {
  readonly code = EventStoreErrorCode.PROJECTION_PARTITIONS_CHANGED;

  constructor(
    readonly projection: string,
    readonly storedPartitions: number,
    readonly declaredPartitions: number,
  ) {
    super(
      `Projection "${projection}" is stored with ${storedPartitions} partition(s), but this app declares ${declaredPartitions}: ` +
        `it does not run here until it is rebuilt with the new count (ProjectionManager.rebuild('${projection}'), or ` +
        `\`nestjs-dynamo-es projection rebuild ${projection}\`), once every instance runs the new declaration. ` +
        'Instances with the old count go on running it meanwhile; nothing was changed.',
    );
  }
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventStore } from '../lib/index.js';
import { countStreamEvents } from './contenders.js';
import type { Named } from './interleaved-rounds.js';

/** Replays one whole stream page by page to a synchronous consumer that counts the events. */
export interface StreamReplayer extends Named {
  replay(streamId: string): Promise<number>;
}

/** The module: `replay$(streamId, { pageSize })`, subscribed with a counting `next`. */
export class ModuleStreamReplayer implements StreamReplayer {
  readonly name = 'module';

  constructor(
    private readonly store: EventStore,
    private readonly pageSize: number,
  ) {}

  replay(streamId: string): Promise<number> {
    return new Promise((resolve, reject) => {
      let count = 0;
      this.store.replay$(streamId, { pageSize: this.pageSize }).subscribe({
        next: (envelope) => {
          if (envelope.event !== undefined) count++;
        },
        error: reject,
        complete: () => resolve(count),
      });
    });
  }
}

/**
 * The raw SDK: the read workload's baseline (a paginated strongly consistent Query over the
 * module's table, unmarshall and JSON.parse of each item), with a Limit of `itemsPerPage` items so
 * that its pages are the module's: with 10-event commits, 100 items are the module's 1,000-event
 * page, and both send the same 11 Queries (the last one finds nothing) for 10,000 events.
 */
export class BaselineStreamReplayer implements StreamReplayer {
  readonly name = 'baseline';

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly itemsPerPage: number,
  ) {}

  replay(streamId: string): Promise<number> {
    return countStreamEvents(this.client, this.tableName, streamId, this.itemsPerPage);
  }
}

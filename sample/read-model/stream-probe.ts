import { Injectable } from '@nestjs/common';
import { EventStore } from '../../lib/index.js';

/**
 * Tells "unknown" from "not in the read model yet" when a query misses: one strongly consistent
 * read of the stream's newest item. Only misses pay for it.
 */
@Injectable()
export class StreamProbe {
  constructor(private readonly events: EventStore) {}

  async exists(streamId: string): Promise<boolean> {
    for await (const _ of this.events.read(streamId, { direction: 'backward', pageSize: 1 })) return true;
    return false;
  }
}

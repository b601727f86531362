import { ParkedEventNotFoundError } from '../../errors/parked-event-not-found.error.js';
import { envelopesOrFailuresOf } from '../../event-store/event-item.codec.js';
import type { EventStreamTable } from '../../event-store/event-stream-table.js';
import type { FeedEvent } from '../../feed/interfaces/feed-event.interface.js';
import type { EventTypeRegistry } from '../../serialization/event-type-registry.js';
import type { ParkedEvent } from './parked-event.js';

/** How a retry gets a parked event back: as the feed handed it out, with its stored checkpoint. */
export type ParkedEventSource = (parked: ParkedEvent) => Promise<FeedEvent>;

/**
 * Reads parked events back from the events table: one strongly consistent Query for the item
 * holding the version (the item with the highest sort key at or below it: split commits included),
 * decoded as the feed decodes (an event that still cannot be decoded comes back undecodable, and
 * its retry fails again), with the checkpoint it was parked with.
 */
export function parkedEventSource(table: EventStreamTable, registry: EventTypeRegistry, projection: string): ParkedEventSource {
  return async (parked) => {
    let event: FeedEvent | undefined;
    for await (const [item] of table.pages(parked.streamId, { upper: parked.version, forward: false, pageSize: 1 })) {
      if (item !== undefined && item.lastVersion >= parked.version) {
        event = envelopesOrFailuresOf(item, registry, parked.version, parked.version, undefined, () => parked.checkpoint)[0] as FeedEvent | undefined;
      }
      break; // the first item is the one: no further page
    }
    if (event === undefined) throw new ParkedEventNotFoundError(projection, parked.streamId, parked.version, table.tableName);
    return event;
  };
}

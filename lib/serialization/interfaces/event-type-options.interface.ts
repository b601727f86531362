import type { EventSerializer } from './event-serializer.interface.js';
import type { EventUpcasters } from './event-upcaster.interface.js';

/** How one event class is stored and read: given to `@EventType(name, options)` or in a registration object. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface EventTypeOptions<TEvent extends object = any> {
  /**
   * The class's current schema revision, a whole number >= 1 (default 1). Stored with each event
   * when above 1; older stored events are upgraded by `upcasters` on read.
   */
  revision?: number;
  /** Former type names (before a rename) that stored events may carry: read as this class. */
  aliases?: readonly string[];
  /** Custom conversion to and from JSON, when the class's own fields are not plain JSON. */
  serializer?: EventSerializer<TEvent>;
  /** Upcasters keyed by the revision they upgrade from; required for every revision below `revision`. */
  upcasters?: EventUpcasters;
}

import { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { RegisteredEventType } from '../serialization/registered-event-type.js';
import { UpcasterChain } from '../serialization/upcaster-chain.js';

/**
 * An event as it is stored: its type name, schema revision and JSON data. The CLI has none of the
 * app's event classes, so it shows events this way instead of as instances.
 */
export class RawEvent {
  constructor(
    readonly type: string,
    readonly revision: number,
    readonly data: unknown,
  ) {}
}

/** A "registration" for any stored type name that hands the stored entry back as it is: no upcasting, no class. */
class RawEventType extends RegisteredEventType {
  constructor(name: string) {
    super(name, RawEvent, [], new UpcasterChain(name, 1, undefined, RawEvent.name), undefined);
  }

  override decode(data: object, storedRevision: unknown): object {
    return new RawEvent(this.name, typeof storedRevision === 'number' ? storedRevision : 1, data);
  }
}

/**
 * An event type registry that knows every type name: the module's readers (EventStore.read, the
 * feed reader) decode stored events through it as {@link RawEvent}s. Reusing those readers keeps
 * their guarantees (exact version ranges, split commits read whole, the feed's order and
 * checkpoints) without the app's classes. Type filters match stored names (aliases are not known).
 */
export class RawEventTypeRegistry extends EventTypeRegistry {
  private readonly types = new Map<string, RawEventType>();

  override find(storedName: string): RegisteredEventType {
    let type = this.types.get(storedName);
    if (type === undefined) {
      type = new RawEventType(storedName);
      this.types.set(storedName, type);
    }
    return type;
  }

  override resolve(storedName: string): RegisteredEventType {
    return this.find(storedName);
  }

  override findClass(): RegisteredEventType | undefined {
    return undefined;
  }
}

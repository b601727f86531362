import { EventDeserializationError } from '../errors/event-deserialization.error.js';
import { EventNotSerializableError } from '../errors/event-not-serializable.error.js';
import type { EventClass } from './interfaces/event-registration.interface.js';
import type { EventSerializer } from './interfaces/event-serializer.interface.js';
import { encodeEventPayload } from './json-payload.js';
import { assignOwnData } from './own-data.js';
import { DATES_FIELD, restoreDates } from './stored-dates.js';
import type { UpcasterChain } from './upcaster-chain.js';

/**
 * One registered event class, ready to encode its events for storage and to decode stored ones:
 * `{"type":"<name>","data":{...}}`, with `"rev":n` between them only when the revision is above 1,
 * and `"dates":[[...path]...]` after the data only when the data held Dates (see stored-dates.ts).
 */
export class RegisteredEventType {
  /** The start of every stored entry of this type, up to the data: built once. */
  private readonly entryPrefix: string;
  private readonly prototype: object;

  constructor(
    /** The stored type name. */
    readonly name: string,
    readonly type: EventClass,
    readonly aliases: readonly string[],
    private readonly chain: UpcasterChain,
    readonly serializer: EventSerializer | undefined,
  ) {
    this.prototype = type.prototype as object;
    this.entryPrefix = `{"type":${JSON.stringify(name)},${chain.revision > 1 ? `"rev":${chain.revision},` : ''}"data":`;
  }

  /** The current schema revision. */
  get revision(): number {
    return this.chain.revision;
  }

  /** The event's stored JSON entry. */
  encode(event: object): string {
    return this.encodeEntry(event).entry;
  }

  /**
   * The event's stored JSON entry and, when it lists Dates, the entry 0.3 stored for the same event
   * (the same data without the list): a commit first sent by 0.3 and retried after an upgrade is still recognized.
   */
  encodeEntry(event: object): { entry: string; withoutDates?: string } {
    const { json, datePaths } = encodeEventPayload(this.name, this.serializer === undefined ? event : this.serialize(event));
    // An event class extending Array would be stored as a JSON array, and read back as a broken instance.
    if (json.charCodeAt(0) !== 0x7b /* { */) {
      throw new EventNotSerializableError(this.name, '$', `stored as ${json.slice(0, 40)}, not as a JSON object`);
    }
    const withoutDates = `${this.entryPrefix}${json}}`;
    return datePaths === undefined ? { entry: withoutDates } : { entry: `${this.entryPrefix}${json},"${DATES_FIELD}":${datePaths}}`, withoutDates };
  }

  /**
   * Rebuilds an event from its stored data: Dates restored where the entry's `dates` field says,
   * upcast when stored at an older revision, then either handed to the custom serializer or
   * assigned onto a new instance of the class (its constructor is not run). No key of the data can
   * change the instance's prototype: a stored `__proto__` key becomes an own property.
   */
  decode(data: object, storedRevision: unknown, streamId: string, version: number, datePaths?: unknown): object {
    if (datePaths !== undefined) {
      const problem = restoreDates(data, datePaths);
      if (problem !== undefined) throw new EventDeserializationError(this.name, streamId, version, `${problem}.`);
    }
    // Stored events of revision 1 carry no "rev": the common case costs one comparison.
    if ((storedRevision === undefined ? 1 : storedRevision) !== this.chain.revision) {
      data = this.chain.upcast(data, storedRevision === undefined ? 1 : storedRevision, streamId, version);
    }
    if (this.serializer === undefined) return assignOwnData(Object.create(this.prototype) as object, data);
    return this.deserialize(data, streamId, version);
  }

  private serialize(event: object): object {
    let data: unknown;
    try {
      data = this.serializer!.serialize(event);
    } catch (error) {
      throw new EventNotSerializableError(this.name, '$', `rejected by its serializer (${(error as Error)?.message ?? String(error)})`, { cause: error });
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new EventNotSerializableError(this.name, '$', `turned by its serializer into ${Array.isArray(data) ? 'an array' : String(data)}, not a JSON object`);
    }
    return data;
  }

  private deserialize(data: object, streamId: string, version: number): object {
    let event: unknown;
    try {
      event = this.serializer!.deserialize(data, { eventType: this.name, streamId, version });
    } catch (error) {
      throw new EventDeserializationError(this.name, streamId, version, `its deserialize() threw: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
    if (event === null || typeof event !== 'object') {
      throw new EventDeserializationError(this.name, streamId, version, `its deserialize() returned ${String(event)} instead of an event object.`);
    }
    return event;
  }
}

import { describe, expect, it } from '@jest/globals';
import { EventType } from '../serialization/event-type.decorator.js';
import { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { newEventId } from '../serialization/event-id.js';
import { envelopesOf, type StoredEventItem } from './event-item.codec.js';

@EventType('codec.renamed')
class Renamed {
  constructor(
    readonly name: string,
    readonly at: Date,
  ) {}
  greet(): string {
    return `hi ${this.name}`;
  }
}

/** An item as both stores keep it: the DynamoDB store decodes its items to this, the in-memory store stores exactly this. */
const item = (events: string, metadata?: string): StoredEventItem => {
  const commitId = newEventId(Date.now());
  return { streamId: 's-1', version: 1, lastVersion: 1, commitId, firstEventId: commitId, committedAt: Date.now(), events, metadata };
};

describe('envelopesOf', () => {
  const registry = new EventTypeRegistry([Renamed]);

  it('restores the Dates an entry lists, and reads an entry without the list as before', () => {
    const [withDates] = envelopesOf(item('[{"type":"codec.renamed","data":{"name":"a","at":"2026-01-01T00:00:00.000Z"},"dates":[["at"]]}]'), registry);
    expect(withDates!.event).toEqual(new Renamed('a', new Date('2026-01-01T00:00:00.000Z')));
    const [without] = envelopesOf(item('[{"type":"codec.renamed","data":{"name":"a","at":"2026-01-01T00:00:00.000Z"}}]'), registry);
    expect((without!.event as Renamed).at).toBe('2026-01-01T00:00:00.000Z');
  });

  it('never lets a stored "__proto__" key replace the prototype of the event or of the metadata', () => {
    const [read] = envelopesOf(
      item('[{"type":"codec.renamed","data":{"name":"a","__proto__":{"greet":null,"admin":true}}}]', '{"__proto__":{"admin":true},"$corr":"c"}'),
      registry,
    );
    expect(Object.getPrototypeOf(read!.event)).toBe(Renamed.prototype);
    expect((read!.event as Renamed).greet()).toBe('hi a');
    expect((read!.event as { admin?: unknown }).admin).toBeUndefined();
    expect(Object.getPrototypeOf(read!.metadata)).toBe(Object.prototype);
    expect(read!.metadata.admin).toBeUndefined();
    expect(read!.correlationId).toBe('c');
  });
});

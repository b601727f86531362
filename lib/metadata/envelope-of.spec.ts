import { describe, expect, it } from '@jest/globals';
import type { AppendResult } from '../event-store/interfaces/append-result.interface.js';
import type { EventEnvelope } from '../event-store/interfaces/event-envelope.interface.js';
import { envelopeOf, rememberAppended, rememberEnvelope } from './envelope-of.js';

const envelopeFor = (event: object, version: number): EventEnvelope => ({
  event,
  eventType: 'T',
  eventId: `e-${version}`,
  streamId: 's',
  version,
  occurredAt: new Date(0),
  commitId: 'c',
  correlationId: undefined,
  causationId: undefined,
  metadata: {},
});

/** An append result that counts how often its envelopes are built. */
function lazyResult(events: object[], firstVersion: number): AppendResult & { builds: number } {
  let built: EventEnvelope[] | undefined;
  return {
    streamId: 's',
    commitId: 'c',
    version: firstVersion + events.length - 1,
    duplicate: false,
    builds: 0,
    get envelopes() {
      if (built === undefined) {
        this.builds++;
        built = events.map((event, i) => envelopeFor(event, firstVersion + i));
      }
      return built;
    },
  };
}

describe('envelopeOf', () => {
  it('is undefined for an event the store has not seen', () => {
    expect(envelopeOf({})).toBeUndefined();
  });

  it('gives the envelope of a read event', () => {
    const event = {};
    const envelope = envelopeFor(event, 3);
    rememberEnvelope(envelope);
    expect(envelopeOf(event)).toBe(envelope);
  });

  it('leaves no trace on the event: keys, symbols, JSON and equality stay as they were', () => {
    const event = { amount: 5 };
    rememberEnvelope(envelopeFor(event, 1));
    expect(Reflect.ownKeys(event)).toEqual(['amount']);
    expect(JSON.stringify(event)).toBe('{"amount":5}');
    expect(event).toStrictEqual({ amount: 5 });
    expect({ ...event }).toStrictEqual({ amount: 5 });
  });

  it('works for frozen events', () => {
    const event = Object.freeze({ amount: 5 });
    const envelope = envelopeFor(event, 2);
    rememberEnvelope(envelope);
    expect(envelopeOf(event)).toBe(envelope);
  });

  it('builds the envelopes of an appended commit only when asked, once for all its events', () => {
    const events = [{ a: 1 }, { a: 2 }, { a: 3 }];
    const result = lazyResult(events, 5);
    rememberAppended(events, result);
    expect(result.builds).toBe(0);
    expect(envelopeOf(events[1]!)?.version).toBe(6);
    expect(envelopeOf(events[0]!)?.version).toBe(5);
    expect(envelopeOf(events[2]!)?.version).toBe(7);
    expect(result.builds).toBe(1);
  });

  it('gives the later append of an instance appended twice', () => {
    const shared = { a: 1 };
    const other = { b: 1 };
    const first = lazyResult([other, shared], 1);
    rememberAppended([other, shared], first);
    rememberAppended([shared], lazyResult([shared], 10));
    expect(envelopeOf(other)?.version).toBe(1); // resolving the first commit must not take `shared` back
    expect(envelopeOf(shared)?.version).toBe(10);
  });
});

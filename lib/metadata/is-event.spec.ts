import { describe, expect, it } from '@jest/globals';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { isEvent } from './is-event.js';

class Opened {
  constructor(readonly owner: string) {}
}
class Deposited {
  constructor(readonly amount: number) {}
}
class BigDeposit extends Deposited {}
class Closed {
  readonly closed = true;
}

const envelope = (event: object | undefined) => ({ event, streamId: 's', version: 1 }) as { readonly event: object; streamId: string; version: number };

describe('isEvent', () => {
  it('tells whether the event is an instance of one of the classes (subclasses included)', () => {
    expect(isEvent(envelope(new Opened('ann')), Opened)).toBe(true);
    expect(isEvent(envelope(new Opened('ann')), Deposited)).toBe(false);
    expect(isEvent(envelope(new Deposited(1)), Opened, Deposited)).toBe(true);
    expect(isEvent(envelope(new BigDeposit(1)), Deposited)).toBe(true);
    expect(isEvent(envelope(new Closed()), Opened, Deposited)).toBe(false);
  });

  it('is false for a plain object of the same shape, and for an envelope whose event could not be decoded', () => {
    expect(isEvent(envelope({ owner: 'ann' }), Opened)).toBe(false);
    expect(isEvent(envelope(undefined), Opened)).toBe(false);
  });

  it('narrows the envelope, keeping its other fields', () => {
    const given = envelope(new Deposited(5));
    if (!isEvent(given, Opened, Deposited)) throw new Error('expected a match');
    const event: Opened | Deposited = given.event;
    const streamId: string = given.streamId;
    expect([event, streamId]).toEqual([new Deposited(5), 's']);
  });

  it.each([
    ['no class', []],
    ['a name instead of a class', ['Opened']],
    ['undefined (a class that failed to import)', [undefined]],
  ])('refuses %s with an InvalidArgumentError', (_label, classes) => {
    const call = () => (isEvent as (envelope: object, ...classes: unknown[]) => boolean)(envelope(new Opened('a')), ...classes);
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(expect.objectContaining({ code: EventStoreErrorCode.INVALID_READ_OPTIONS }));
  });
});

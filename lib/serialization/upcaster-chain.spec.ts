import { describe, expect, it } from '@jest/globals';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { UnsupportedEventRevisionError } from '../errors/unsupported-event-revision.error.js';
import { UpcastError } from '../errors/upcast.error.js';
import type { EventUpcasters } from './interfaces/event-upcaster.interface.js';
import { UpcasterChain } from './upcaster-chain.js';

const chain = (revision: number, upcasters?: EventUpcasters) => new UpcasterChain('bank.opened', revision, upcasters, 'AccountOpened');

describe('UpcasterChain', () => {
  const calls: string[] = [];
  const v3 = chain(3, {
    1: (data, context) => (calls.push(`1->2 at ${context.streamId}@${context.version}`), { ...data, currency: 'EUR' }),
    2: ({ owner, ...rest }) => (calls.push('2->3'), { ...rest, holder: owner }),
  });

  it('upgrades one revision at a time, from the stored one to the current one', () => {
    calls.length = 0;
    expect(v3.upcast({ owner: 'ann' }, 1, 's-1', 4)).toEqual({ currency: 'EUR', holder: 'ann' });
    expect(calls).toEqual(['1->2 at s-1@4', '2->3']);
    calls.length = 0;
    expect(v3.upcast({ owner: 'bob', currency: 'USD' }, 2, 's-1', 5)).toEqual({ currency: 'USD', holder: 'bob' });
    expect(calls).toEqual(['2->3']);
  });

  it('refuses at start-up a chain with a missing step, naming the class and the step', () => {
    expect(() => chain(3, { 2: (d) => d })).toThrow(InvalidModuleOptionsError);
    expect(() => chain(3, { 2: (d) => d })).toThrow(/no upcaster from revision 1 to 2.*\(class AccountOpened, type "bank.opened"\)/);
    expect(() => chain(2)).toThrow(/at revision 2 but has no upcaster from revision 1 to 2/);
  });

  it('refuses at start-up upcasters that cannot be part of the chain', () => {
    expect(() => chain(1, { 1: (d) => d })).toThrow(/keyed "1".*raise `revision` when you add an upcaster/);
    expect(() => chain(2, { 1: (d) => d, 2: (d) => d })).toThrow(/keyed "2", but keys are the revisions upgraded from: 1 to 1/);
    expect(() => chain(2, { 1: 'nope' as never })).toThrow(/upcaster from revision 1 that is not a function/);
    expect(() => chain(2, [(d: object) => d] as never)).toThrow(/object keyed by the revision/);
    expect(() => chain(1.5)).toThrow(/whole number >= 1; got 1.5/);
  });

  it('refuses a stored revision newer than the class, naming type, revisions, stream and version', () => {
    const error = captured(() => v3.upcast({}, 4, 's-2', 9));
    expect(error).toBeInstanceOf(UnsupportedEventRevisionError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_EVENT_REVISION', eventType: 'bank.opened', storedRevision: 4, currentRevision: 3, streamId: 's-2', version: 9 });
    expect(error.message).toMatch(/"bank.opened" \(stream "s-2", version 9\) has revision 4, newer than revision 3/);
  });

  it('refuses a stored revision no chain starts from', () => {
    for (const revision of [0, -1, 1.5, '2']) {
      expect(() => v3.upcast({}, revision, 's', 1)).toThrow(UnsupportedEventRevisionError);
    }
  });

  it('wraps an upcaster that throws in an UpcastError naming type, revision, stream and version', () => {
    const cause = new Error('no currency');
    const broken = chain(3, { 1: (d) => d, 2: () => { throw cause; } });
    const error = captured(() => broken.upcast({}, 1, 's-3', 2));
    expect(error).toBeInstanceOf(UpcastError);
    expect(error).toMatchObject({ code: 'UPCAST_FAILED', eventType: 'bank.opened', fromRevision: 2, streamId: 's-3', version: 2, cause });
    expect(error.message).toMatch(/"bank.opened" \(stream "s-3", version 2\) from revision 2 to 3 failed: the upcaster threw: no currency/);
  });

  it('refuses an upcaster that returns something other than an object', () => {
    for (const [result, reason] of [[undefined, /undefined/], [null, /null/], [[1], /an array/], [Promise.resolve({}), /synchronous/]] as const) {
      const odd = chain(2, { 1: () => result as never });
      expect(() => odd.upcast({}, 1, 's', 1)).toThrow(UpcastError);
      expect(() => odd.upcast({}, 1, 's', 1)).toThrow(reason);
    }
  });
});

function captured(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected an error');
}

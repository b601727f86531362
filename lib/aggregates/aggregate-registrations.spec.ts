import { describe, expect, it } from '@jest/globals';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { assertAggregateRegistrations } from './aggregate-registrations.js';
import { everyNEvents } from './snapshot-policy.js';

class Account {}

describe('assertAggregateRegistrations', () => {
  it('accepts classes with stable names and optional snapshots', () => {
    expect(() => assertAggregateRegistrations([{ type: Account, name: 'account', snapshots: { policy: everyNEvents(10) } }])).not.toThrow();
  });

  it.each([
    [[{ type: Account }], 'aggregates[0].name', /stable name/],
    [[{ type: Account, name: 'has space' }], 'aggregates[0].name', /stable name/],
    [[{ type: Account, name: 'bank-account' }], 'aggregates[0].name', /followed by '-'/],
    [[{ name: 'account' }], 'aggregates[0].type', /aggregate class/],
    [[{ type: Account, name: 'a' }, { type: class Other {}, name: 'a' }], 'aggregates[1].name', /used by two/],
    [[{ type: Account, name: 'a', snapshots: { every: 10 } }], 'aggregates[0].snapshots.policy', /everyNEvents/],
    [[{ type: Account, name: 'a', snapshots: { policy: everyNEvents(5), revision: 0 } }], 'aggregates[0].snapshots.revision', />= 1/],
  ])('refuses %j, naming the entry', (registrations, option, message) => {
    try {
      assertAggregateRegistrations(registrations);
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidModuleOptionsError);
      expect((error as InvalidModuleOptionsError).option).toBe(option);
      expect((error as Error).message).toMatch(message);
    }
  });
});

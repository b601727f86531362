import { describe, expect, it } from '@jest/globals';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { assertAggregateIdReadable, assertAggregateRegistrations } from './aggregate-registrations.js';
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

describe('assertAggregateIdReadable (no idOf: the repository reads `id`)', () => {
  class KeepsAccountId {
    constructor(readonly accountId: string) {}
  }
  const check = (type: new (id: string) => object, idOf?: (aggregate: object) => string) =>
    assertAggregateIdReadable({ type, name: 'account', ...(idOf ? { idOf } : {}) }, (id) => new type(id));

  it('refuses a class that keeps the id it is built with under another name, naming idOf and that property', () => {
    expect(() => check(KeepsAccountId)).toThrow(InvalidModuleOptionsError);
    expect(() => check(KeepsAccountId)).toThrow(/`aggregates \(account\)\.idOf` is needed: KeepsAccountId keeps its id in `accountId`.*"account-undefined"/);
  });

  it.each([
    ['an `id`', class { constructor(readonly id: string) {} }],
    ['an `id` getter', class { constructor(private readonly key: string) {} get id() { return this.key; } }],
    ['an id set by an event later (nothing to tell now)', class { accountId?: string }],
    ['a constructor that refuses the probe id', class { constructor(id: string) { if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error('not a UUID'); } }],
  ])('accepts a class with %s', (_label, type) => {
    expect(() => check(type as new (id: string) => object)).not.toThrow();
  });

  it('accepts any class when idOf is given', () => {
    expect(() => check(KeepsAccountId, (aggregate) => (aggregate as KeepsAccountId).accountId)).not.toThrow();
  });
});

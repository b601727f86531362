import { describe, expect, it } from '@jest/globals';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { UnknownEventTypeError } from '../errors/unknown-event-type.error.js';
import { UnregisteredEventClassError } from '../errors/unregistered-event-class.error.js';
import { EventTypeRegistry } from './event-type-registry.js';

class AccountOpened {
  constructor(readonly owner: string) {}
  describe(): string {
    return `opened by ${this.owner}`;
  }
}
class MoneyDeposited {
  constructor(readonly amount: number) {}
}

describe('EventTypeRegistry', () => {
  it('names classes by class name or by an explicit name', () => {
    const registry = new EventTypeRegistry([AccountOpened, { name: 'bank.deposited.v1', type: MoneyDeposited }]);
    expect(registry.typeNameOf(new AccountOpened('ann'))).toBe('AccountOpened');
    expect(registry.typeNameOf(new MoneyDeposited(5))).toBe('bank.deposited.v1');
  });

  it('rebuilds real class instances without calling their constructors', () => {
    const registry = new EventTypeRegistry([AccountOpened]);
    const event = registry.instantiate('AccountOpened', { owner: 'bob' });
    expect(event).toBeInstanceOf(AccountOpened);
    expect((event as AccountOpened).describe()).toBe('opened by bob');
  });

  it('refuses unregistered classes and plain objects on append', () => {
    const registry = new EventTypeRegistry([AccountOpened]);
    expect(() => registry.typeNameOf(new MoneyDeposited(1))).toThrow(UnregisteredEventClassError);
    expect(() => registry.typeNameOf({ amount: 1 })).toThrow(/"Object" is not registered/);
  });

  it('names the unknown type, stream and version on read', () => {
    const registry = new EventTypeRegistry();
    expect(() => registry.instantiate('Gone', {}, { streamId: 's-1', version: 7 })).toThrow(UnknownEventTypeError);
    expect(() => registry.instantiate('Gone', {}, { streamId: 's-1', version: 7 })).toThrow(/"Gone" \(stream "s-1", version 7\)/);
  });

  it('refuses one name for two classes and two names for one class', () => {
    expect(() => new EventTypeRegistry([{ name: 'X', type: AccountOpened }, { name: 'X', type: MoneyDeposited }])).toThrow(
      InvalidModuleOptionsError,
    );
    expect(() => new EventTypeRegistry([AccountOpened, { name: 'Other', type: AccountOpened }])).toThrow(/two names/);
  });
});
